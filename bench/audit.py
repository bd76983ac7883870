"""Audit log benchmark: append throughput (1 and 4 writers; appends serialize on the chain lock) and
audit_verify speed. Runs against its own database (bo_bench_audit), created and migrated if needed.

    .venv/bin/python bench/audit.py [--rows 100000]
"""

import argparse
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bo_bench_audit")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the table when verifying")
    parser.add_argument("--appends", type=int, default=2000, help="appends timed per writer setup")
    args = parser.parse_args()

    import subprocess

    subprocess.run([sys.executable, str(ROOT / "scripts" / "ensure_db.py")], check=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from backoffice.models import AuditEvent
    from backoffice.services import audit_chain_verify, audit_record

    def append(n: int) -> None:
        for i in range(n):
            with transaction.atomic():
                audit_record(action="bench.append", object_type="bench.row", object_id=str(i),
                             before={"amount": "10.00"}, after={"amount": "12.50"}, reason="bench")

    def timed(writers: int, per_writer: int) -> float:
        def run():
            append(per_writer)
            connection.close()

        threads = [threading.Thread(target=run) for _ in range(writers)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return writers * per_writer / (time.perf_counter() - start)

    print(f"audit appends/s, 1 writer : {timed(1, args.appends):8.0f}")
    print(f"audit appends/s, 4 writers: {timed(4, args.appends // 4):8.0f}  (one chain: appends serialize)")

    missing = args.rows - AuditEvent.objects.count()
    if missing > 0:
        print(f"loading {missing:,} more rows through audit_record …")
        append(missing)
    start = time.perf_counter()
    report = audit_chain_verify()
    elapsed = time.perf_counter() - start
    print(f"audit_verify: {report.checked:,} rows in {elapsed:.2f} s ({report.checked / elapsed:,.0f} rows/s), "
          f"intact={report.ok}")


if __name__ == "__main__":
    main()
