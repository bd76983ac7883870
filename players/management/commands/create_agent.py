from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from players.choices import AgentFlag
from players.models import Agent
from players.services import agent_create


class Command(BaseCommand):
    help = "Create an agent node (master agent, agent or sub-agent by its parent), optionally with a login."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--name", default=None)
        parser.add_argument("--parent", default=None, help="Code of the parent node; none for a master agent.")
        parser.add_argument("--flags", default="",
                            help=f"Comma-separated flags: {', '.join(AgentFlag.values)} (or 'all').")
        parser.add_argument("--currency", default=None, help="Defaults to the parent's, else USD.")
        parser.add_argument("--credit-limit", default="0")
        parser.add_argument("--max-wager", default="0")
        parser.add_argument("--username", default=None, help="Create a login for the agent.")
        parser.add_argument("--password", default=None)

    def handle(self, *args, **opts):
        parent = None
        if opts["parent"]:
            parent = Agent.objects.filter(code__iexact=opts["parent"]).first()
            if parent is None:
                raise CommandError(f"No agent with code {opts['parent']!r}.")
        flags = [f.strip() for f in opts["flags"].split(",") if f.strip()]
        if flags == ["all"]:
            flags = list(AgentFlag.values)
        try:
            agent, password = agent_create(
                code=opts["code"], name=opts["name"] or opts["code"], parent=parent,
                currency=opts["currency"] or (parent.currency if parent else "USD"),
                credit_limit=opts["credit_limit"], max_wager=opts["max_wager"], flags=flags,
                username=opts["username"], password=opts["password"])
        except (ApplicationError, ValueError, TypeError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        level = agent.get_level_display().lower()
        self.stdout.write(self.style.SUCCESS(f"Created {level} {agent.code} ({agent.path})."))
        if opts["username"] and not opts["password"]:
            self.stdout.write(f"Login {opts['username']!r}, password: {password}")
