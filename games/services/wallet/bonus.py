"""The wallet's side of the contract with the bonuses app (docs/architecture.md, "Contract for the bonuses app").

* The bonuses app says which players are under a bonus's wagering rules, by one call:
  :func:`bonus_wagering_set` (``active=True`` when a wagering bonus becomes active, ``False`` when the player
  has none left). The flag is a row of ``games.BonusWagering``.
* For a flagged player, every bet takes the general path (the fast path's first query sees the flag, before
  any lock: rule ``bonus.rules``) and the ``games.bet_rules`` hook decides whether the bet is allowed (the
  max-bet rule). Unflagged players' bets never call the hook and keep the one-call fast path.
* The stake and win splits between cash and bonus stay the wallet's own rules (``stake.split``,
  ``win.split`` in :mod:`games.services.wallet.rules`); the bonuses app reads them from the wallet
  transactions (``cash_amount``, ``bonus_amount``) for wagering progress.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from games.hooks import bet_rules
from games.models import BonusWagering


def bonus_wagering_set(*, player_id: int, active: bool) -> None:
    """Flag (``active``) or unflag a player as under bonus wagering rules, in the caller's transaction.

    The bonuses app calls it from its own services (grant/activate, complete, forfeit, expire), which write
    their audit rows; it is idempotent, so a service may call it whenever its state may have changed.
    """
    with connection.cursor() as cursor:  # raw SQL: one statement either way, no read-then-write race
        if active:
            cursor.execute("INSERT INTO games_bonuswagering (player_id, since) VALUES (%s, now()) "
                           "ON CONFLICT (player_id) DO NOTHING", [player_id])
        else:
            cursor.execute("DELETE FROM games_bonuswagering WHERE player_id = %s", [player_id])


def bonus_rules_apply(player_id: int) -> bool:
    """rule: bonus.rules. Whether the player's bets go through the ``games.bet_rules`` hook."""
    return BonusWagering.objects.filter(player_id=player_id).exists()


def bonus_bet_refusal(*, player, game, amount: Decimal, cash_part: Decimal, bonus_part: Decimal) -> str:
    """The first refusal of a ``games.bet_rules`` receiver for a flagged player, else "" (the bet is allowed)."""
    if not bet_rules.receivers or not bonus_rules_apply(player.pk):
        return ""
    refusals = bet_rules(player=player, game=game, amount=amount, cash_part=cash_part, bonus_part=bonus_part)
    return next((reason for reason in refusals if reason), "")
