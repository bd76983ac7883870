"""Game sessions: opened when a player launches a game, touched by every wallet call, ended when idle."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from games.models import (
    Game,
    GameSession,
    Provider,
)
from games.services.catalogue import jurisdiction_for_country
from players.choices import PlayerStatus


def session_idle() -> timedelta:
    return timedelta(seconds=settings.GAME_SESSION_IDLE_SECONDS)


@transaction.atomic
def game_session_open(*, player, provider_code: str, game_external_id: str, actor=None) -> GameSession:
    """Open a game session for a player (what the player-facing site calls when a game is launched)."""

    provider = Provider.objects.filter(code=provider_code, is_active=True).first()
    if provider is None:
        raise ApplicationError(f"No active provider {provider_code!r}.", code="provider")
    game = Game.objects.filter(provider=provider, external_id=game_external_id).first()
    if game is None or not game.is_active:
        raise ApplicationError(f"{provider_code} has no active game {game_external_id!r}.", code="game")
    if player.status != PlayerStatus.ACTIVE:
        raise ApplicationError(f"Player {player} is {player.get_status_display().lower()}.", code="player")
    jurisdiction = jurisdiction_for_country(player.country)
    if jurisdiction is None or not game.jurisdictions.filter(pk=jurisdiction.pk).exists():
        raise ApplicationError(f"{game} is not approved in the player's jurisdiction.", code="jurisdiction")
    session = GameSession.objects.create(token=session_token_new(), player=player, provider=provider, game=game,
                                         currency=player.currency, jurisdiction=jurisdiction,
                                         expires_at=timezone.now() + session_idle())
    return session


def session_token_new() -> str:
    """A game-session token: 256 random bits, URL-safe, never starting with "-".

    A token that starts with a dash is read as an option by command-line tools (``--token -x...``); with
    ``token_urlsafe`` that happened to one token in 32.
    """
    return "gs_" + secrets.token_urlsafe(32)


def game_session_touch(session: GameSession, *, now=None) -> None:
    """Slide the idle expiry forward; written at most every 30 s per session to keep the hot path cheap."""
    now = now or timezone.now()
    new_expiry = now + session_idle()
    if (new_expiry - session.expires_at).total_seconds() > 30:  # rule: session.touch
        GameSession.objects.filter(pk=session.pk, expires_at__lt=new_expiry).update(expires_at=new_expiry)
        session.expires_at = new_expiry
