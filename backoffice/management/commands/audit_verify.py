from django.core.management.base import BaseCommand, CommandError

from backoffice.services import audit_chain_verify


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain; exit non-zero if any row was edited, deleted or cut off."

    def handle(self, *args, **opts):
        report = audit_chain_verify(progress=lambda n: self.stdout.write(f"  … {n:,} rows checked"))
        self.stdout.write(f"Checked {report.checked:,} audit rows. Head: #{report.head_seq} {report.head_hash}")
        if report.ok:
            self.stdout.write(self.style.SUCCESS("Audit chain intact."))
            return
        for problem in report.problems[:200]:
            self.stderr.write(f"  ✗ {problem}")
        if len(report.problems) > 200:
            self.stderr.write(f"  … and {len(report.problems) - 200} more")
        raise CommandError(f"Audit chain BROKEN: {len(report.problems)} problem(s).")
