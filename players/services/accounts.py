"""Player account services: registration, profile edits, status, KYC, moves, notes, segments, login hook."""

from __future__ import annotations

from django.db import transaction

from backoffice.exceptions import ApplicationError
from backoffice.services import audit_record, snapshot
from players.models import Agent, Player
from players.services.timeline import timeline_record


@transaction.atomic
def player_create(*, username: str, currency: str, country: str, email: str = "", agent: Agent | None = None,
                  actor=None, **fields) -> Player:
    """Register a player account."""
    if Player.objects.filter(username__iexact=username).exists():
        raise ApplicationError(f"A player named {username!r} already exists.", code="duplicate")
    player = Player(username=username, currency=currency, country=country.upper(), email=email, agent=agent,
                    **fields)
    player.full_clean()
    player.save()
    timeline_record(player_id=player.pk, kind="players.registered", summary="Account registered", actor=actor)
    audit_record(actor=actor, action="player.create", target=player, after=snapshot(player))
    return player
