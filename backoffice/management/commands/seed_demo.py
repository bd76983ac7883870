from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backoffice import demo as backoffice_demo


class Command(BaseCommand):
    help = "Load demo data (idempotent: a second run changes nothing). Refuses to run outside DEBUG."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off (never in production).")

    def handle(self, *args, **opts):
        if not settings.DEBUG and not opts["force"]:
            raise CommandError("seed_demo creates logins with public passwords; it runs only with DEBUG=True.")
        logins = []
        for seed in backoffice_demo.demo_seed.receivers:  # one per app, in INSTALLED_APPS order
            self.stdout.write(f"Seeding {seed.__module__.split('.')[0]} …")
            logins += seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {backoffice_demo.DEMO_PASSWORD}):")
        for login, role in logins:
            self.stdout.write(f"  {login:<12} {role}")
        self.stdout.write("Operator staff also need a code: `make otp USER_NAME=admin` prints the current one.")
