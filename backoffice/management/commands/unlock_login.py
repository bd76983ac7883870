from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from backoffice.services import user_lockout_clear


class Command(BaseCommand):
    help = "Lift a login lockout (failed sign-in attempts) for a username. Audited."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True)

    def handle(self, *args, **opts):
        try:
            removed = user_lockout_clear(username=opts["username"], reason=opts["reason"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Cleared {removed} lockout record(s) of {opts['username']!r}."))
