"""Reads of the games app that span relations."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum

from games.models import Round


def game_rtp_actual(*, user, game) -> list[dict]:
    """Theoretical vs actual RTP of a game, per version and currency, from the rounds the user may see.

    Actual RTP = wins / (bets - rolled back stakes) over every round of that version.
    """
    rows = (Round.objects.restrict(user).filter(game=game)
            .values("game_version", "currency")
            .annotate(rounds=Count("id"), bets=Sum("bet_total"), wins=Sum("win_total"), refunds=Sum("rolled_back"))
            .order_by("-game_version", "currency"))
    theoretical = {v.version: v.rtp for v in game.versions.all()}
    out = []
    for r in rows:
        staked = (r["bets"] or Decimal(0)) - (r["refunds"] or Decimal(0))
        actual = (r["wins"] or Decimal(0)) * 100 / staked if staked > 0 else None
        out.append({**r, "staked": staked, "theoretical": theoretical.get(r["game_version"]),
                    "actual": actual.quantize(Decimal("0.01")) if actual is not None else None})
    return out
