from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from backoffice.services import ops_actor_label
from games.choices import ProviderKind
from games.services import provider_create


class Command(BaseCommand):
    help = "Create a game provider. Prints its signing secret once (generated unless --secret is given)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("name")
        parser.add_argument("--kind", default=ProviderKind.STUDIO, choices=ProviderKind.values)
        parser.add_argument("--secret", default=None, help="Use this secret (integrators' test environments).")

    def handle(self, *args, **opts):
        try:
            provider, secret = provider_create(code=opts["code"], name=opts["name"], kind=opts["kind"],
                                               secret=opts["secret"], actor_label=ops_actor_label())
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Created provider {provider.code} ({provider.name})."))
        self.stdout.write(f"Wallet endpoint: /api/wallet/v1/{provider.code}/<operation>")
        if not opts["secret"]:
            self.stdout.write("Signing secret (shown only now):")
            self.stdout.write(secret)
