from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from backoffice.services import ops_actor_label
from cashier.models import PaymentGateway
from cashier.services.reconciliation import reconcile, reconciliation_csv


class Command(BaseCommand):
    help = "Match a gateway settlement CSV (reference,amount,currency) against our records; print the result."

    def add_arguments(self, parser):
        parser.add_argument("gateway", help="Gateway code")
        parser.add_argument("file", help="Settlement CSV (UTF-8)")
        parser.add_argument("--output", help="Write the per-row result CSV here")

    def handle(self, *args, **opts):
        gateway = PaymentGateway.objects.filter(code=opts["gateway"]).first()
        if gateway is None:
            raise CommandError(f"No gateway {opts['gateway']!r}.")
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            run = reconcile(gateway=gateway, data=path.read_bytes(), file_name=path.name,
                            actor_label=ops_actor_label(),
                            progress=lambda n: self.stdout.write(f"  … {n:,} rows read"))
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        s = run.summary
        self.stdout.write(f"Reconciliation {run.pk} of {path.name} against {gateway.code}:")
        for key, label in (("matched", "matched"), ("mismatched", "amount mismatches"),
                           ("missing_ours", "missing on our side"), ("missing_theirs", "missing on theirs"),
                           ("unreadable", "unreadable or duplicate rows")):
            self.stdout.write(f"  {label:<30} {s[key]:>8,}")
        for row in run.rows:
            if row["result"] not in ("matched",):
                self.stdout.write(f"  line {row.get('line') or '-'}: {row['reference']} {row['result']} "
                                  f"{row.get('theirs', '')} {row.get('ours', '')} {row.get('detail', '')}".rstrip())
        if opts.get("output"):
            Path(opts["output"]).write_text(reconciliation_csv(run))
            self.stdout.write(f"Result written to {opts['output']}.")
        clean = not (s["mismatched"] or s["missing_ours"] or s["missing_theirs"] or s["unreadable"])
        self.stdout.write(self.style.SUCCESS("All matched.") if clean else self.style.WARNING("Differences found."))
