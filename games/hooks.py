"""Calls into other apps that the wallet needs, kept in one place.

The players app (RG checks, timeline) and the cashier (ledger) are cross-app contracts, imported
lazily so that the games app can be imported on its own (migrations, checks).
"""

from __future__ import annotations

from decimal import Decimal


def bonus_max_bet_check(*, player, game, amount: Decimal, bonus_part: Decimal) -> str:
    """HOOK for the bonuses module: the bonus max-bet rule (max bet while wagering a bonus).

    Returns "" when the bet is allowed, else the human reason (the wallet answers LIMIT_REACHED).
    The bonuses app does not exist yet: when it provides ``bonuses.services.bonus_max_bet_check`` with this
    signature, it is used; until then every bet passes.
    """
    try:
        from bonuses.services import bonus_max_bet_check as check  # type: ignore[attr-defined]
    except ImportError:
        return ""
    return check(player=player, game=game, amount=amount, bonus_part=bonus_part) or ""
