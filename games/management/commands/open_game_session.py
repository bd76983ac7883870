from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from games.services import game_session_open
from players.models import Player


class Command(BaseCommand):
    help = "Open a game session for a player; prints the token alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("provider_code")
        parser.add_argument("game_id")

    def handle(self, *args, **opts):
        player = Player.objects.filter(username=opts["username"]).first()
        if player is None:
            raise CommandError(f"No player {opts['username']!r}.")
        try:
            session = game_session_open(player=player, provider_code=opts["provider_code"],
                                        game_external_id=opts["game_id"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Session for {player.username} ({player.currency}) on {session.game.title}, "
                          f"idle expiry {session.expires_at:%Y-%m-%d %H:%M:%S} UTC")
        self.stdout.write(session.token)
