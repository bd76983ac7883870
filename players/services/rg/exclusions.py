"""Time-outs, self-exclusions (never lifted early) and reality checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.services import audit_record, snapshot
from players.choices import ExclusionKind
from players.hooks import exclusion_started
from players.models import Player, RgExclusion
from players.services.rg.limits import _lock_player
from players.services.timeline import timeline_record

# --- Exclusions and reality checks -----------------------------------------------------------------

def _exclusion_check(player, kind: str, duration: timedelta | None) -> None:
    profile = player.rg_profile
    if kind == ExclusionKind.TIMEOUT:
        if duration is None or not profile.timeout_min <= duration <= profile.timeout_max:
            raise ApplicationError("A time-out lasts from 24 hours to 6 weeks.", code="period")
    elif kind == ExclusionKind.SELF_EXCLUSION:
        if duration is None:
            if not profile.exclusion_indefinite:
                raise ApplicationError("This market does not allow indefinite self-exclusion.", code="period")
        elif not profile.exclusion_min <= duration <= profile.exclusion_max:
            raise ApplicationError("A self-exclusion lasts from 6 months to 5 years, or is indefinite.", code="period")
    else:
        raise ApplicationError("Unknown exclusion kind.", code="invalid")


def _until(ends_at: datetime | None) -> str:
    return "indefinitely" if ends_at is None else f"until {ends_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def rg_exclusion_confirmation(*, player, kind: str, duration: timedelta | None, duration_label: str = "",
                              at: datetime | None = None) -> str:
    """What staff confirm before starting an exclusion, with its end date (refuses a period the market does
    not allow, like :func:`rg_exclusion_start`)."""
    _exclusion_check(player, kind, duration)
    at = at or timezone.now()
    length = f" for {duration_label}" if duration is not None and duration_label else ""
    return (f"{ExclusionKind(kind).label}{length}, {_until(None if duration is None else at + duration)}; "
            "it starts when you confirm and cannot be lifted early.")


@transaction.atomic
def rg_exclusion_start(*, player, kind: str, duration: timedelta | None, actor=None, reason: str = "",
                       at: datetime | None = None) -> RgExclusion:
    """Start a time-out or a self-exclusion now. ``duration=None``: indefinite (self-exclusion only).

    Calls the ``players.exclusion_started`` hook (players/hooks.py) in the same transaction: other modules end
    sessions and cancel pending bonuses there.
    """
    at = at or timezone.now()
    player = _lock_player(player)
    _exclusion_check(player, kind, duration)
    exclusion = RgExclusion.objects.create(player=player, kind=kind, starts_at=at,
                                           ends_at=None if duration is None else at + duration,
                                           reason=reason, actor=actor if getattr(actor, "pk", None) else None)
    exclusion_started(player=player, exclusion=exclusion, actor=actor)
    until = "indefinitely" if exclusion.ends_at is None else f"until {exclusion.ends_at:%Y-%m-%d %H:%M} UTC"
    timeline_record(player_id=player.pk, kind=f"players.{kind}", summary=f"{exclusion.get_kind_display()} {until}",
                    actor=actor, occurred_at=at, ref_type="players.rgexclusion", ref_id=str(exclusion.pk))
    audit_record(actor=actor, action=f"player.{kind}", target=player, reason=reason,
                 after=snapshot(exclusion, fields=["kind", "starts_at", "ends_at"]))
    return exclusion


@transaction.atomic
def rg_reality_check_set(*, player, minutes: int | None, actor=None, reason: str = "") -> Player:
    player = _lock_player(player)
    profile = player.rg_profile
    if minutes is not None and not profile.reality_check_min_minutes <= minutes <= profile.reality_check_max_minutes:
        raise ApplicationError(f"The interval must be between {profile.reality_check_min_minutes} and "
                               f"{profile.reality_check_max_minutes} minutes.", code="invalid")
    before = player.reality_check_minutes
    if before == minutes:
        return player
    player.reality_check_minutes = minutes
    player.save(update_fields=["reality_check_minutes"])
    shown = f"every {minutes} min" if minutes else "market default"
    timeline_record(player_id=player.pk, kind="players.reality_check", summary=f"Reality check: {shown}", actor=actor)
    audit_record(actor=actor, action="player.reality_check", target=player, before={"reality_check_minutes": before},
                 after={"reality_check_minutes": minutes}, reason=reason)
    return player
