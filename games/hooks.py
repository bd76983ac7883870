"""The games app's hook points (backoffice.hooks) and its receivers of other apps' hook points.

Registered from ``GamesConfig.ready()``. The list of every hook point: docs/architecture.md, "Cross-app hooks".
"""

from __future__ import annotations

from django.utils import timezone

from backoffice.hooks import Hook
from games.models import GameSession
from players.hooks import exclusion_started

bet_rules = Hook("games.bet_rules", """\
Bonus rules on a bet (the max bet while wagering a bonus). Called by the wallet's general path, in the bet's
transaction after the balance check, only for a player under bonus wagering rules (games.BonusWagering, set
by ``games.services.bonus_wagering_set``): ``receiver(*, player, game, amount, cash_part, bonus_part) -> str``,
"" to allow, else the human reason (the wallet answers LIMIT_REACHED with it). The bonuses app registers it.""")


def exclusion_end_game_sessions(*, player, exclusion, actor=None) -> None:
    """``players.exclusion_started``: a time-out or self-exclusion ends the player's game sessions at once.

    Runs in the exclusion's transaction. Afterwards bets answer PLAYER_BLOCKED (the RG check comes before the
    session check), authenticate/balance TOKEN_EXPIRED; wins and rollbacks still settle open rounds.
    """


    GameSession.objects.filter(player_id=player.pk, closed_at__isnull=True).update(closed_at=timezone.now())


def register() -> None:
    exclusion_started.register(exclusion_end_game_sessions)
