"""Export benchmark: the ledger entries list exported inline vs as an export job, at ``--entries`` entries.

    .venv/bin/python bench/exports.py [--entries 500000] [--wallets 1000] [--format csv|xlsx] [--tracemalloc]

What the user waits for and what the server spends, each scenario in a forked child process (so that its
peak resident memory, ``ru_maxrss``, is its own):

1. Inline (``EXPORT_INLINE_MAX_ROWS`` above the list's size): an administrator's GET of
   ``/cashier/entries/?export=csv`` through Django's whole request stack; time until the view answers, until the
   first chunk (the header line), until the first data row, and until the last byte; rows/s; peak RSS.
2. Job (the default threshold): the same GET answers with a redirect (the user's time to an answer); then
   ``export_job_run`` (what the Celery worker runs) writes the file: time, rows/s, peak RSS.
3. With ``--tracemalloc``, both again under ``tracemalloc`` (several times slower, so not timed): the peak of
   Python allocations, which shows that neither path holds the list in memory.

Database: ``bo_bench_exports`` (DATABASE_URL overrides; the name must contain "bench"), a new copy of the template
``bo_bench_exports_tpl`` for every run: the schema, ``--wallets`` funded player wallets and ``--entries`` entries
bulk-loaded as player wallet <-> house transactions (built once per state of the migrations and sizes).
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from pgtools import bench_database, copy_of_template, log, template_key  # bench/ is this script's folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bo_bench_exports")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.test")
os.environ.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/12")
SERVER = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
TEMPLATE = "bo_bench_exports_tpl"
CTX = mp.get_context("fork")
URL = "/cashier/entries/"


def build_template(url: str, wallets: int, entries: int) -> None:
    """The schema, ``wallets`` funded wallets and ``entries`` entries (half on the wallets, half on the house's
    clearing account), vacuumed and analyzed. Runs in a forked child."""
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from ledger import setup_wallets

    from cashier.choices import AccountKind
    from cashier.services import house_account

    call_command("migrate", verbosity=0)
    wallet_ids = setup_wallets(wallets)
    house = house_account(currency="EUR", kind=AccountKind.GATEWAY_CLEARING)
    n = max(0, entries // 2 - wallets)  # setup_wallets posted one transaction (two entries) per wallet
    t = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL session_replication_role = replica")  # bulk load: row triggers off
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM cashier_ledgertransaction")
        t0 = cur.fetchone()[0]
        cur.execute("INSERT INTO cashier_ledgertransaction (id, idempotency_key, kind, payload_hash, reference,"
                    " integration, metadata, created_at) SELECT %s + g, 'bench:exp:' || g, 'bench.bet', '',"
                    " 'round-' || g, 'bench', '{}', now() - make_interval(secs => %s - g)"
                    " FROM generate_series(1, %s) g", [t0, n, n])
        cur.execute("SELECT setval('cashier_ledgertransaction_id_seq', %s)", [t0 + n])
        cur.execute("INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after,"
                    " created_at) SELECT %s + g, (%s::bigint[])[((g - 1) %% %s) + 1], -1.25, 'EUR', 1000000, now()"
                    " FROM generate_series(1, %s) g", [t0, wallet_ids, len(wallet_ids), n])
        cur.execute("INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after,"
                    " created_at) SELECT %s + g, %s, 1.25, 'EUR', 0, now() FROM generate_series(1, %s) g",
                    [t0, house.pk, n])
    log(f"   loaded {2 * n:,} entries in {time.monotonic() - t:.0f} s")
    with connection.cursor() as cur:
        cur.execute("VACUUM (FREEZE, ANALYZE)")
    connection.close()


def _client():
    from django.conf import settings
    from django.test import Client

    from backoffice.models import User

    settings.REQUIRE_2FA_FOR_STAFF = False  # the bench signs in without a TOTP device
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    client = Client()
    client.force_login(admin)
    return client


def inline(fmt: str, traced: bool, queue) -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.EXPORT_INLINE_MAX_ROWS = 10**9
    client = _client()
    if traced:
        tracemalloc.start()
    t = time.perf_counter()
    response = client.get(URL, {"export": fmt})
    answered = time.perf_counter() - t
    first = first_row = None
    size = lines = 0
    for chunk in response.streaming_content:
        if first is None:
            first = time.perf_counter() - t
        elif first_row is None:
            first_row = time.perf_counter() - t
        size += len(chunk)
        lines += chunk.count(b"\n")
    total = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    rows = lines - 1 if fmt == "csv" else None
    queue.put({"answered": answered, "first_chunk": first, "first_row": first_row, "total": total, "bytes": size,
               "rows": rows, "traced_peak": peak, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})


def job(fmt: str, traced: bool, queue) -> None:
    import django

    django.setup()
    from django.conf import settings

    from backoffice import export
    from backoffice.models import ExportJob

    settings.EXPORT_DIR = tempfile.mkdtemp(prefix="bench-exports-")
    client = _client()
    export._enqueue = lambda job_id: None  # no broker here: this process runs the job below, as a worker would
    t = time.perf_counter()
    response = client.get(URL, {"export": fmt})
    answered = time.perf_counter() - t
    assert response.status_code == 302, response.status_code
    job_id = ExportJob.objects.latest("id").pk
    if traced:
        tracemalloc.start()
    t = time.perf_counter()
    done = export.export_job_run(job_id=job_id)
    total = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] if traced else None
    queue.put({"answered": answered, "total": total, "rows": done.rows_done, "bytes": done.size, "traced_peak": peak,
               "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
    done.file.delete(save=False)


def in_child(fn, *args) -> dict:
    queue = CTX.Queue()
    child = CTX.Process(target=fn, args=(*args, queue))
    child.start()
    result = queue.get()
    child.join()
    if child.exitcode:
        raise SystemExit(f"{fn.__name__} failed (exit code {child.exitcode})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=500_000)
    parser.add_argument("--wallets", type=int, default=1000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--tracemalloc", action="store_true", help="Also measure the peak of Python allocations.")
    args = parser.parse_args()
    name = bench_database(os.environ["DATABASE_URL"])
    log(f"0. {name}: a new copy of {TEMPLATE} ...")
    copy_of_template(SERVER, name, TEMPLATE, template_key(__file__, args.wallets, args.entries),
                     functools.partial(build_template, wallets=args.wallets, entries=args.entries), file_copy=True)
    fmt = args.format
    log(f"1. inline {fmt} export of {URL} ...")
    a = in_child(inline, fmt, False)
    rows = a["rows"] or 0
    log(f"   view answered {a['answered']:.2f} s, first chunk {a['first_chunk']:.2f} s, first row "
        f"{(a['first_row'] or 0):.2f} s, last byte {a['total']:.1f} s; {a['bytes'] / 1e6:.0f} MB"
        + (f", {rows:,} rows, {rows / a['total']:,.0f} rows/s" if rows else "")
        + f"; peak RSS {a['maxrss_kb'] / 1024:.0f} MB")
    log("2. the same export as a job ...")
    b = in_child(job, fmt, False)
    log(f"   the user's answer (redirect) {b['answered'] * 1000:.0f} ms; the job wrote {b['rows']:,} rows "
        f"({b['bytes'] / 1e6:.0f} MB) in {b['total']:.1f} s = {b['rows'] / b['total']:,.0f} rows/s; "
        f"peak RSS {b['maxrss_kb'] / 1024:.0f} MB")
    if not args.tracemalloc:
        return
    log("3. peak Python allocations (tracemalloc; slower, not timed) ...")
    a2, b2 = in_child(inline, fmt, True), in_child(job, fmt, True)
    log(f"   inline {a2['traced_peak'] / 1e6:.1f} MB, job {b2['traced_peak'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
