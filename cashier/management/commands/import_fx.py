from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backoffice.services import ops_actor_label
from cashier.services.fx import fx_import


class Command(BaseCommand):
    help = "Import FX rates from a CSV with columns currency,rate,valid_from (1 unit = rate x base currency)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        count, problems = fx_import(data=path.read_bytes(), actor_label=ops_actor_label(), source=path.name)
        if problems:
            for p in problems:
                self.stdout.write(self.style.ERROR(f"  - {p}"))
            raise CommandError(f"Nothing imported: {len(problems)} problem(s).")
        self.stdout.write(self.style.SUCCESS(f"Imported {count} rate(s)."))
