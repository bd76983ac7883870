"""Calls into other apps that the wallet needs, kept in one place.

The players app (RG checks, timeline) and the cashier (ledger) are cross-app contracts, imported
lazily so that the games app can be imported on its own (migrations, checks).
"""

from __future__ import annotations

from decimal import Decimal


def _bonus_rule():
    """``bonuses.services.bonus_max_bet_check`` when a bonuses module provides it, else None (looked up once)."""
    global _BONUS_RULE
    if _BONUS_RULE is None:
        try:
            from bonuses.services import bonus_max_bet_check as rule  # type: ignore[attr-defined]
        except ImportError:
            rule = False
        _BONUS_RULE = rule
    return _BONUS_RULE or None


_BONUS_RULE = None


def bonus_rules_installed() -> bool:
    """Whether a bonuses module provides bet rules: the wallet's fast path then leaves bets to the general path."""
    return _bonus_rule() is not None


def bonus_max_bet_check(*, player, game, amount: Decimal, bonus_part: Decimal) -> str:
    """HOOK for the bonuses module: the bonus max-bet rule (max bet while wagering a bonus).

    Returns "" when the bet is allowed, else the human reason (the wallet answers LIMIT_REACHED).
    The bonuses app does not exist yet: when it provides ``bonuses.services.bonus_max_bet_check`` with this
    signature, it is used; until then every bet passes.
    """
    rule = _bonus_rule()
    return (rule(player=player, game=game, amount=amount, bonus_part=bonus_part) or "") if rule else ""


def exclusion_end_game_sessions(*, player, exclusion, actor=None) -> None:
    """PLAYER_EXCLUSION_HOOKS entry: a time-out or self-exclusion ends the player's game sessions at once.

    Runs in the exclusion's transaction. Afterwards bets answer PLAYER_BLOCKED (the RG check comes before the
    session check), authenticate/balance TOKEN_EXPIRED; wins and rollbacks still settle open rounds.
    """
    from django.utils import timezone

    from games.models import GameSession

    GameSession.objects.filter(player_id=player.pk, closed_at__isnull=True).update(closed_at=timezone.now())
