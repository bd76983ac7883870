from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from backoffice.services import user_two_factor_reset


class Command(BaseCommand):
    help = "Remove a login's authenticator devices (lost phone). Audited; the next sign-in enrols a new one."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True)

    def handle(self, *args, **opts):
        try:
            removed = user_two_factor_reset(username=opts["username"], reason=opts["reason"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Removed {removed} device(s) of {opts['username']!r}."))
