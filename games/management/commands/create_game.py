from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from backoffice.services import ops_actor_label
from games.choices import GameType, Volatility
from games.models import Jurisdiction, LobbyCategory, Provider
from games.services import game_create


class Command(BaseCommand):
    help = "Add a game to a provider's catalogue (approved in every jurisdiction unless --jurisdictions)."

    def add_arguments(self, parser):
        parser.add_argument("provider_code")
        parser.add_argument("game_id")
        parser.add_argument("title")
        parser.add_argument("--jurisdictions", nargs="*", default=None, help="Jurisdiction codes (default: all).")
        parser.add_argument("--rtp", default="96.00")
        parser.add_argument("--type", default=GameType.SLOT, choices=GameType.values)
        parser.add_argument("--volatility", default=Volatility.MEDIUM, choices=Volatility.values)
        parser.add_argument("--category", default=None, help="Lobby category slug.")
        parser.add_argument("--certificate", default="")

    def handle(self, *args, **opts):
        provider = Provider.objects.filter(code=opts["provider_code"]).first()
        if provider is None:
            raise CommandError(f"No provider {opts['provider_code']!r}.")
        jurisdictions = None
        if opts["jurisdictions"] is not None:
            codes = [c.strip() for arg in opts["jurisdictions"] for c in arg.split(",") if c.strip()]
            jurisdictions = list(Jurisdiction.objects.filter(code__in=codes))
            missing = set(codes) - {j.code for j in jurisdictions}
            if missing:
                raise CommandError(f"Unknown jurisdictions: {', '.join(sorted(missing))}.")
        category = None
        if opts["category"]:
            category = LobbyCategory.objects.filter(slug=opts["category"]).first()
            if category is None:
                raise CommandError(f"No lobby category {opts['category']!r}.")
        try:
            game = game_create(provider=provider, external_id=opts["game_id"], title=opts["title"], rtp=opts["rtp"],
                               game_type=opts["type"], volatility=opts["volatility"], category=category,
                               certificate_ref=opts["certificate"], jurisdictions=jurisdictions,
                               actor_label=ops_actor_label())
        except (ApplicationError, ValueError, TypeError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
        codes = ", ".join(sorted(game.jurisdictions.values_list("code", flat=True))) or "none"
        self.stdout.write(self.style.SUCCESS(f"Created game {game.external_id} “{game.title}” (approved in: {codes})."))
