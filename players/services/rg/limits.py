"""Setting and confirming limits: decreases at once, increases after cooling-off (and reaffirmation where required)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.money import format_money, has_valid_precision, to_decimal
from backoffice.services import audit_record, snapshot
from players.choices import LimitKind, LimitPeriod, LimitSource
from players.models import Player, RgLimit
from players.services.rg.checks import MAX_LIMIT
from players.services.timeline import timeline_record

# --- Limits ----------------------------------------------------------------------------------------

def _lock_player(player) -> Player:
    return Player.objects.select_for_update(no_key=True).get(pk=player.pk)


def _materialize(row: RgLimit, at: datetime) -> None:
    """Fold a matured pending increase into ``amount`` (no audit: the change was audited when requested)."""
    if row.pending_matured(at):
        row.amount = None if row.pending_remove else row.pending_amount
        _clear_pending(row)


def _clear_pending(row: RgLimit) -> None:
    row.pending_amount, row.pending_remove, row.pending_from = None, False, None
    row.pending_needs_confirmation, row.pending_confirmed_at = False, None


def _limit_snapshot(row: RgLimit) -> dict:
    return snapshot(row, fields=["kind", "period", "source", "amount", "pending_amount", "pending_remove",
                                 "pending_from", "pending_needs_confirmation", "pending_confirmed_at"])


def _describe(amount: Decimal | None, currency: str) -> str:
    return "no limit" if amount is None else format_money(amount, currency)


def rg_limit_source(*, source: str | None, actor) -> str:
    """Who imposed a limit: as given, else the player on their own site (no actor), else the operator.

    rule: rg.limit_source. Staff (or an agent) setting a limit impose it unless they record it explicitly
    as the player's request: a limit must never pass for self-imposed (and loosen at the player's word) by default.
    """
    if source:
        return source
    return LimitSource.PLAYER if actor is None else LimitSource.OPERATOR


def rg_limit_confirmation(*, player, kind: str, period: str, amount: Decimal | None) -> str:
    """What staff confirm before setting a limit that blocks the activity outright (a limit of 0); "" otherwise."""
    if amount is None or to_decimal(amount) != 0:
        return ""
    blocked = "deposit at all" if kind == LimitKind.DEPOSIT else "place any bet"
    return (f"{LimitKind(kind).label} limit of {format_money(Decimal(0), player.currency)} per "
            f"{LimitPeriod(period).label}: while it is in force the player cannot {blocked}.")


@transaction.atomic
def rg_limit_set(*, player, kind: str, period: str, amount: Decimal | str | None, source: str | None = None,
                 actor=None, reason: str = "", at: datetime | None = None) -> tuple[RgLimit, str]:
    """Set (or remove, with ``amount=None``) one limit. Returns (limit, "applied" | "pending" | "unchanged").

    ``source`` left out: see :func:`rg_limit_source` (operator-imposed when someone acts for the operator).
    """
    source = rg_limit_source(source=source, actor=actor)
    if kind not in LimitKind.values or period not in LimitPeriod.values or source not in LimitSource.values:
        raise ApplicationError("Unknown limit kind, period or source.", code="invalid")
    at = at or timezone.now()
    player = _lock_player(player)
    if amount is not None and amount != "":
        try:
            amount = to_decimal(amount)
        except (TypeError, ValueError):
            raise ApplicationError("The limit must be a number.", code="invalid") from None
        if amount < 0:
            raise ApplicationError("A limit cannot be negative.", code="negative")
        if amount > MAX_LIMIT or not has_valid_precision(amount, player.currency):
            raise ApplicationError(f"Enter an amount in {player.currency} with at most its decimals.", code="invalid")
    else:
        amount = None
    row, _ = RgLimit.objects.select_for_update().get_or_create(player=player, kind=kind, period=period, source=source)
    _materialize(row, at)
    before = _limit_snapshot(row)
    current = row.amount
    if source == LimitSource.PLAYER and amount is not None:
        operator = RgLimit.objects.filter(player=player, kind=kind, period=period, source=LimitSource.OPERATOR).first()
        op_amount = operator.effective_amount(at) if operator else None
        if op_amount is not None and amount > op_amount:
            raise ApplicationError(
                f"The player's limit cannot exceed the operator's {LimitKind(kind).label.lower()} limit of "
                f"{format_money(op_amount, player.currency)} per {LimitPeriod(period).label}.", code="above_operator")
    label = f"{LimitSource(source).label} {LimitKind(kind).label.lower()} limit per {LimitPeriod(period).label}"
    is_decrease = amount is not None and (current is None or amount <= current)
    if amount == current and not row.has_pending:
        outcome = "unchanged"
    elif source == LimitSource.OPERATOR or is_decrease:
        row.amount = amount
        _clear_pending(row)
        outcome = "applied"
    else:
        profile = player.rg_profile
        row.pending_amount, row.pending_remove = amount, amount is None
        row.pending_from = at + profile.increase_cooling_off
        row.pending_needs_confirmation, row.pending_confirmed_at = profile.increase_needs_confirmation, None
        outcome = "pending"
    if outcome == "unchanged":
        return row, outcome
    row.save()
    after = _limit_snapshot(row)
    if outcome == "applied":
        summary = f"{label}: {_describe(amount, player.currency)} (was {_describe(current, player.currency)})"
    else:
        confirm = " and the player's confirmation" if row.pending_needs_confirmation else ""
        summary = (f"{label}: increase to {_describe(amount, player.currency)} requested, in force after "
                   f"{row.pending_from:%Y-%m-%d %H:%M} UTC{confirm}")
    timeline_record(player_id=player.pk, kind=f"players.limit_{outcome}", summary=summary, amount=amount,
                    currency=player.currency if amount is not None else "", actor=actor, occurred_at=at,
                    ref_type="players.rglimit", ref_id=str(row.pk))
    audit_record(actor=actor, action=f"player.limit_{outcome}", target=player, before=before, after=after,
                 reason=reason)
    return row, outcome


@transaction.atomic
def rg_limit_confirm(*, player, limit_id: int, actor=None, at: datetime | None = None) -> RgLimit:
    """Record the player's reaffirmation of a pending increase (profiles that require it), after cooling-off."""
    at = at or timezone.now()
    player = _lock_player(player)
    row = RgLimit.objects.select_for_update().filter(player=player, pk=limit_id).first()
    if row is None or not row.has_pending:
        raise ApplicationError("There is no pending increase to confirm.", code="not_pending")
    if at < row.pending_from:
        raise ApplicationError(f"The cooling-off period runs until {row.pending_from:%Y-%m-%d %H:%M} UTC; "
                               "the player can confirm after it.", code="cooling_off")
    before = _limit_snapshot(row)
    row.pending_confirmed_at = at
    _materialize(row, at)
    row.save()
    summary = f"{row}: increase to {_describe(row.amount, player.currency)} confirmed by the player"
    timeline_record(player_id=player.pk, kind="players.limit_confirmed", summary=summary, amount=row.amount,
                    currency=player.currency if row.amount is not None else "", actor=actor, occurred_at=at,
                    ref_type="players.rglimit", ref_id=str(row.pk))
    audit_record(actor=actor, action="player.limit_confirmed", target=player, before=before,
                 after=_limit_snapshot(row))
    return row


def rg_limits_apply_matured(*, at: datetime | None = None) -> int:
    """Fold every matured pending increase into its limit (periodic housekeeping; rg_check does not need it)."""
    at = at or timezone.now()
    done = 0
    matured = Q(pending_needs_confirmation=False) | Q(pending_confirmed_at__isnull=False)
    ids = list(RgLimit.objects.filter(matured, pending_from__lte=at).values_list("pk", flat=True)[:5000])
    for pk in ids:
        with transaction.atomic():
            row = RgLimit.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is not None and row.pending_matured(at):
                _materialize(row, at)
                row.save()
                done += 1
    return done
