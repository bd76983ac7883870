from django.core.management.base import BaseCommand, CommandError

from cashier.verify import ledger_verify


class Command(BaseCommand):
    help = ("Prove the ledger: every transaction balances per currency, every cached balance equals the sum of "
            "its entries and the last balance_after, the balance_after chain is continuous, no limit is broken. "
            "Exit status 1 on any violation.")

    def add_arguments(self, parser):
        parser.add_argument("--max-problems", type=int, default=50, help="Rows reported per check (default 50).")

    def handle(self, *args, **opts):
        if opts["max_problems"] < 1:
            raise CommandError("--max-problems must be at least 1.")

        def progress(name, found, seconds):
            mark = self.style.SUCCESS("ok  ") if not found else self.style.ERROR("FAIL")
            self.stdout.write(f"  {mark} {name} ({seconds:.2f}s){'' if not found else f': {found} found'}")

        self.stdout.write("Verifying the ledger …")
        report = ledger_verify(max_problems=opts["max_problems"], progress=progress)
        self.stdout.write(f"{report.transactions:,} transactions, {report.entries:,} entries, "
                          f"{report.accounts:,} accounts checked in {report.seconds:.2f}s.")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("Ledger OK."))
            return
        for problem in report.problems:
            self.stdout.write(self.style.ERROR(f"  - {problem}"))
        raise CommandError(f"Ledger verification failed: {len(report.problems)} problem(s).")
