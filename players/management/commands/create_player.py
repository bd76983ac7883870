from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from backoffice.services import ops_actor_label
from players.models import Agent
from players.services import player_create


class Command(BaseCommand):
    help = "Create a player account through the same service (and audit) as the console's page."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--currency", required=True, help="ISO-4217, e.g. EUR.")
        parser.add_argument("--country", required=True, help="ISO-3166 alpha-2, e.g. MT.")
        parser.add_argument("--agent", default=None, help="Code of the agent node (PPH players).")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--dob", default=None, help="Date of birth, YYYY-MM-DD.")
        parser.add_argument("--vip", type=int, default=0)
        parser.add_argument("--test", action="store_true", help="Flag as a test account (excluded from reports).")

    def handle(self, *args, **opts):
        agent = None
        if opts["agent"]:
            agent = Agent.objects.filter(code__iexact=opts["agent"]).first()
            if agent is None:
                raise CommandError(f"No agent with code {opts['agent']!r}.")
        dob = None
        if opts["dob"]:
            try:
                dob = date.fromisoformat(opts["dob"])
            except ValueError:
                raise CommandError(f"Invalid date of birth {opts['dob']!r}; use YYYY-MM-DD.") from None
        try:
            player = player_create(
                username=opts["username"], currency=opts["currency"].upper(), country=opts["country"],
                email=opts["email"], agent=agent, first_name=opts["first_name"], last_name=opts["last_name"],
                date_of_birth=dob, vip_level=opts["vip"], is_test=opts["test"], registration_source="ops",
                actor_label=ops_actor_label())
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        where = f" under {agent.code}" if agent else ""
        self.stdout.write(self.style.SUCCESS(f"Created player {player.username} (#{player.pk}, {player.currency}, "
                                             f"{player.country}){where}."))
