"""Ledger benchmark: posting throughput against PostgreSQL's own limit and django-hordak, balance reads,
and ledger_verify at scale.

    .venv/bin/python bench/ledger.py [--seconds 15] [--wallets 1000] [--hot-entries 1000000]
                                     [--verify-entries 10000000] [--skip-hordak] [--skip-verify]

In one run on the same PostgreSQL server:
1. ``pgbench -N`` (simple-update, 8 clients, 2 threads) on a scratch database: the physical limit.
2. Our ``ledger_post`` (player wallet -> house: idempotency key insert, sorted row locks, limit check,
   entries with balance_after, cached balances), 1 and 4 processes over ``--wallets`` funded wallets,
   with the house sharded (16 rows, the product's design) and with every posting on ONE house row.
3. django-hordak 2.0 ``Account.transfer_to`` doing the comparable wallet -> house transfer, 1 and 4
   processes, installed into a throwaway venv under /tmp (never into the project's dependencies).
4. Balance read of an account holding ``--hot-entries`` entries: our cached balance vs SUM(entries).
5. ``ledger_verify`` over ``--verify-entries`` entries bulk-loaded with INSERT ... SELECT generate_series.

Databases: ``bo_bench_ledger`` (DATABASE_URL overrides), a new copy of the template ``bo_bench_ledger_tpl`` for
every run (the schema, the funded wallets, the hot account's entries and the entries for ``ledger_verify``; built
once per state of the migrations and sizes asked for), so that runs do not drift with what earlier runs posted;
``bo_bench_pgbench``; ``bo_bench_hordak``, created again for every run.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import textwrap
import time
import uuid
from decimal import Decimal
from pathlib import Path

from pgtools import (  # bench/ is this script's folder
    bench_database,
    checkpoint,
    copy_of_template,
    ensure_database,
    log,
    run_pgbench,
    template_key,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bo_bench_ledger")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.test")
os.environ.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/12")
SERVER = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
HORDAK_VENV = Path("/tmp/bench-hordak-venv")
CTX = mp.get_context("fork")
TEMPLATE = "bo_bench_ledger_tpl"
HOT_SHARD, VERIFY_SHARD = 16, 100  # the bulk-loaded system accounts' shards (the house uses 0-15)


# --- 2. our posting service -------------------------------------------------------------------------------

def setup_wallets(n: int) -> list[int]:
    from django.db import connection

    from cashier.choices import AccountKind
    from cashier.services import house_account, ledger_post, player_account
    from players.models import Player

    have = list(Player.objects.filter(username__startswith="benchw").order_by("id")[:n])
    if len(have) < n:
        Player.objects.bulk_create([Player(username=f"benchw{i}", country="MT", currency="EUR")
                                    for i in range(len(have), n)])
        have = list(Player.objects.filter(username__startswith="benchw").order_by("id")[:n])
    ids = []
    for p in have:
        cash = player_account(player=p, kind=AccountKind.PLAYER_CASH)
        if cash.balance < 100_000:
            ledger_post(idempotency_key=f"bench-fund:{p.pk}:{uuid.uuid4()}", kind="bench.fund",
                        lines=[(cash, Decimal("1000000")),
                               (house_account(currency="EUR", kind=AccountKind.GATEWAY_CLEARING),
                                Decimal("-1000000"))])
        ids.append(cash.pk)
    connection.close()
    return ids


def _post_worker(account_ids: list[int], shards: int, seconds: float, start, queue) -> None:
    import random

    from django.conf import settings

    from cashier.models import Account
    from cashier.services import house_account, ledger_post

    settings.CASHIER_SYSTEM_SHARDS = shards
    accounts = list(Account.objects.filter(pk__in=account_ids))
    house_account(currency="EUR")  # create the shards outside the timed loop
    amount = Decimal("0.01")
    start.wait()
    deadline, done = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        wallet = random.choice(accounts)
        ledger_post(idempotency_key=f"bench:{uuid.uuid4()}", kind="bench.bet",
                    lines=[(wallet, -amount), (house_account(currency="EUR"), amount)])
        done += 1
    queue.put(done)


def run_postings(account_ids: list[int], processes: int, shards: int, seconds: float) -> float:
    from django.db import connections

    connections.close_all()
    start, queue = CTX.Barrier(processes + 1), CTX.Queue()
    procs = [CTX.Process(target=_post_worker, args=(account_ids, shards, seconds, start, queue))
             for _ in range(processes)]
    for p in procs:
        p.start()
    start.wait()
    total = sum(queue.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


# --- 3. django-hordak --------------------------------------------------------------------------------------

HORDAK_SCRIPT = textwrap.dedent('''
    import multiprocessing as mp, os, random, sys, time
    import django
    from django.conf import settings
    DB = sys.argv[1]; SECONDS = float(sys.argv[2]); PROCS = int(sys.argv[3]); WALLETS = int(sys.argv[4])
    settings.configure(
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "mptt", "djmoney", "hordak"],
        DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": DB, "USER": "postgres",
                               "HOST": "127.0.0.1", "PORT": "5432"}},
        USE_TZ=True, DEFAULT_AUTO_FIELD="django.db.models.BigAutoField", HORDAK_DECIMAL_PLACES=2,
        CURRENCIES=["EUR"], DEFAULT_CURRENCY="EUR")
    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from djmoney.money import Money
    from hordak.models import Account
    call_command("migrate", verbosity=0)
    house, _ = Account.objects.get_or_create(code="H", defaults={"name": "House", "type": "IN", "currencies": ["EUR"]})
    wallets = []
    for i in range(WALLETS):
        a, _ = Account.objects.get_or_create(code=f"W{i}", defaults={"name": f"W{i}", "type": "LI",
                                                                    "currencies": ["EUR"]})
        wallets.append(a.pk)
    def worker(start, q):
        ws = list(Account.objects.filter(pk__in=wallets)); h = Account.objects.get(pk=house.pk)
        start.wait(); n = 0; end = time.monotonic() + SECONDS
        while time.monotonic() < end:
            random.choice(ws).transfer_to(h, Money("0.01", "EUR")); n += 1
        q.put(n)
    connections.close_all()
    ctx = mp.get_context("fork"); start = ctx.Barrier(PROCS + 1); q = ctx.Queue()
    ps = [ctx.Process(target=worker, args=(start, q)) for _ in range(PROCS)]
    [p.start() for p in ps]; start.wait()
    total = sum(q.get() for _ in ps); [p.join() for p in ps]
    print(f"RATE {total / SECONDS:.1f}")
''')


def hordak_python() -> Path | None:
    python = HORDAK_VENV / "bin" / "python"
    if not python.exists():
        log("  creating a throwaway venv for django-hordak under /tmp (benchmark only) ...")
        subprocess.run([sys.executable, "-m", "venv", str(HORDAK_VENV)], check=True)
        r = subprocess.run([str(python), "-m", "pip", "install", "-q", "django-hordak>=2.0,<2.1", "psycopg[binary]"],
                           capture_output=True, text=True)
        if r.returncode:
            log(f"  hordak install failed: {r.stderr[-500:]}")
            return None
    return python


def run_hordak(processes: int, seconds: float, wallets: int) -> float | None:
    python = hordak_python()
    if python is None:
        return None
    ensure_database(SERVER, "bo_bench_hordak")
    script = HORDAK_VENV / "bench_hordak.py"
    script.write_text(HORDAK_SCRIPT)
    r = subprocess.run([str(python), str(script), "bo_bench_hordak", str(seconds), str(processes), str(wallets)],
                       capture_output=True, text=True)
    m = re.search(r"RATE ([\d.]+)", r.stdout)
    if not m:
        log(f"  hordak run failed: {r.stderr[-800:]}")
        return None
    return float(m.group(1))


# --- 4./5. bulk load, balance reads, ledger_verify ------------------------------------------------------------

def bulk_load(entries: int, pairs: int, tag: str, shard: int) -> int:
    """Load ``entries`` entries as entries/2 balanced transactions over ``pairs`` pairs of system accounts (no
    limit), created with shards ``shard``..``shard + pairs - 1``; consistent for ledger_verify. Returns the first
    debit account's id."""
    from django.db import connection, transaction

    from cashier.models import Account

    n = entries // 2
    with transaction.atomic():
        a = Account.objects.bulk_create([Account(kind="agent_settlement", currency="EUR", shard=shard + i,
                                                 credit_limit=None) for i in range(pairs)])
        b = Account.objects.bulk_create([Account(kind="bonus_cost", currency="EUR", shard=shard + i,
                                                 credit_limit=None) for i in range(pairs)])
        a_ids, b_ids = [x.pk for x in a], [x.pk for x in b]
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")  # bulk load: row triggers off
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM cashier_ledgertransaction")
            t0 = cur.fetchone()[0]
            cur.execute("INSERT INTO cashier_ledgertransaction (id, idempotency_key, kind, payload_hash, reference,"
                        " integration, metadata, created_at) SELECT %s + g, 'bench:' || %s || ':' || g, 'bench.load',"
                        " '', '', 'bench', '{}', now() FROM generate_series(1, %s) g", [t0, tag, n])
            cur.execute("SELECT setval('cashier_ledgertransaction_id_seq', %s)", [t0 + n])
            for ids, sign in ((a_ids, -1), (b_ids, 1)):
                cur.execute("INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after,"
                            " created_at) SELECT %s + g, (%s::bigint[])[((g - 1) %% %s) + 1], %s, 'EUR',"
                            " %s * (((g - 1) / %s) + 1), now() FROM generate_series(1, %s) g ORDER BY g",
                            [t0, ids, pairs, sign, sign, pairs, n])
            cur.execute("UPDATE cashier_account a SET balance = s.total FROM (SELECT account_id, SUM(amount) total"
                        " FROM cashier_entry WHERE account_id = ANY(%s) GROUP BY account_id) s"
                        " WHERE a.id = s.account_id", [a_ids + b_ids])
    return a_ids[0]


def build_template(url: str, wallets: int, hot_entries: int, verify_entries: int) -> None:
    """The template's content: the schema, ``wallets`` funded wallets, one account with ``hot_entries`` entries (4.)
    and more entries up to ``verify_entries`` in all (5.), vacuumed and analyzed. Runs in a forked child."""
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    setup_wallets(wallets)
    t = time.monotonic()
    bulk_load(2 * hot_entries, 1, "hot", HOT_SHARD)  # a pair of accounts: hot_entries each
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM cashier_entry")
        extra = max(0, verify_entries - cur.fetchone()[0])
    if extra:
        bulk_load(extra, 1000, "verify", VERIFY_SHARD)
    log(f"   loaded {2 * hot_entries + extra:,} entries in {time.monotonic() - t:.0f} s")
    with connection.cursor() as cur:
        cur.execute("VACUUM (FREEZE, ANALYZE)")
    connection.close()


def time_it(fn, repeat: int = 50) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--wallets", type=int, default=1000)
    parser.add_argument("--hot-entries", type=int, default=1_000_000)
    parser.add_argument("--verify-entries", type=int, default=10_000_000)
    parser.add_argument("--skip-hordak", action="store_true")
    parser.add_argument("--skip-verify", action="store_true")
    parser.add_argument("--rounds", type=int, default=3, help="Runs per scenario; the median is reported.")
    args = parser.parse_args()
    import psycopg

    name = bench_database(os.environ["DATABASE_URL"])
    log(f"0. {name}: a new copy of {TEMPLATE} ...")
    verify_entries = 0 if args.skip_verify else args.verify_entries
    copy_of_template(SERVER, name, TEMPLATE, template_key(__file__, args.wallets, args.hot_entries, verify_entries),
                     functools.partial(build_template, wallets=args.wallets, hot_entries=args.hot_entries,
                                       verify_entries=verify_entries), file_copy=True)
    if not args.skip_hordak:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "bo_bench_hordak" WITH (FORCE)')
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)  # nothing to do unless the template's schema is behind
    results: dict[str, float | None] = {}

    log(f"1. pgbench -N, 8 clients, {args.seconds:.0f}s ...")
    results["pgbench"] = run_pgbench(SERVER, int(args.seconds))
    log(f"   {results['pgbench']:,.0f} TPS")

    log(f"2. ledger_post wallet -> house over {args.wallets:,} wallets ...")
    ids = setup_wallets(args.wallets)
    with connection.cursor() as cur:
        cur.execute("CHECKPOINT")  # pgbench's load is flushed before anything is timed
    connection.close()
    scenarios = ((1, 16, "ours_1p"), (4, 16, "ours_4p"), (1, 1, "ours_1p_hot"), (4, 1, "ours_4p_hot"))
    runs: dict[str, list[float]] = {key: [] for _, _, key in scenarios}
    hordak_runs: dict[int, list[float]] = {1: [], 4: []}
    if not args.skip_hordak:
        log("   (django-hordak's transfer_to, 3., runs in the same rounds: the machine's speed drifts over minutes)")
    for _ in range(args.rounds):  # interleaved rounds: a burst of outside load hits every scenario alike
        for procs, shards, key in scenarios:
            checkpoint(SERVER)
            runs[key].append(run_postings(ids, procs, shards, args.seconds))
        for procs in (() if args.skip_hordak else (1, 4)):
            checkpoint(SERVER)
            rate = run_hordak(procs, args.seconds, min(args.wallets, 1000))
            if rate is not None:
                hordak_runs[procs].append(rate)
    for procs, shards, key in scenarios:
        results[key] = statistics.median(runs[key])
        log(f"   {procs} process(es), house {'sharded x16' if shards > 1 else 'ONE row'}: "
            f"{results[key]:,.0f} postings/s (runs: {', '.join(f'{r:,.0f}' for r in runs[key])})")

    if not args.skip_hordak:
        log("3. django-hordak transfer_to wallet -> house ...")
        for procs, hruns in hordak_runs.items():
            results[f"hordak_{procs}p"] = statistics.median(hruns) if hruns else None
            log(f"   {procs} process(es): {results[f'hordak_{procs}p'] or 0:,.0f} transfers/s "
                f"(runs: {', '.join(f'{r:,.0f}' for r in hruns)})")

    log(f"4. balance read of an account with {args.hot_entries:,} entries ...")
    from cashier.models import Account

    hot = Account.objects.get(player=None, kind="agent_settlement", shard=HOT_SHARD).pk

    results["read_cached_ms"] = time_it(lambda: Account.objects.only("balance").get(pk=hot).balance)

    def summed():
        with connection.cursor() as cur:
            cur.execute("SELECT SUM(amount) FROM cashier_entry WHERE account_id = %s", [hot])
            return cur.fetchone()[0]

    results["read_sum_ms"] = time_it(summed, repeat=5)
    log(f"   cached balance: {results['read_cached_ms']:.3f} ms; SUM over its entries: {results['read_sum_ms']:.1f} ms")

    if not args.skip_verify:
        log("5. ledger_verify over the whole ledger ...")
        from cashier.verify import ledger_verify

        report = ledger_verify(progress=lambda name, found, s: log(f"   {name}: {found} problem(s), {s:.1f}s"))
        results["verify_s"], results["verify_entries"] = report.seconds, report.entries
        log(f"   ledger_verify: {report.entries:,} entries in {report.seconds:.1f}s, {'OK' if report.ok else 'FAILED'}")

    log("\nSummary")
    pg = results["pgbench"]
    h1, h4 = results.get("hordak_1p"), results.get("hordak_4p")
    for key, label, hordak in (("ours_1p", "ours, 1 process, sharded house", h1),
                               ("ours_4p", "ours, 4 processes, sharded house", h4),
                               ("ours_1p_hot", "ours, 1 process, one house row", h1),
                               ("ours_4p_hot", "ours, 4 processes, one house row", h4)):
        v = results[key]
        vs_h = f"{v / hordak:.2f}x hordak" if hordak else "hordak n/a"
        log(f"  {label:<36} {v:>8,.0f}/s  {v / pg:.2f}x pgbench -N  {vs_h}")
    if h1:
        log(f"  {'hordak transfer_to, 1 / 4 processes':<36} {h1:>8,.0f}/s / {h4 or 0:,.0f}/s")
    log(f"  {'pgbench -N (8 clients)':<36} {pg:>8,.0f} TPS")


if __name__ == "__main__":
    main()
