"""Manual balance adjustments: permission-gated, limited per currency, four-eyes above a threshold,
audited, on the player's timeline.

``adjustment_request`` is the way in for staff (the adjust page) and ops (``manage.py adjust_balance``):
an adjustment above the currency's ceiling is refused; above its four-eyes threshold it is recorded as
pending and posts only when another person approves it (``adjustment_approve``) or never
(``adjustment_reject``). ``balance_adjust`` is the posting itself (the ceiling applies there too).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.money import format_money, has_valid_precision, to_decimal
from backoffice.services import audit_record
from cashier.choices import AccountKind, AdjustmentReason, AdjustmentStatus, TransactionKind
from cashier.constants import ADJUSTMENT_CEILING_DEFAULT, ADJUSTMENT_FOUR_EYES_DEFAULT
from cashier.models import Account, Adjustment, AdjustmentPolicy, LedgerTransaction
from cashier.services.ledger import InsufficientFunds, house_account, ledger_post, player_account
from players.services import timeline_record


@dataclass(frozen=True)
class AdjustmentLimits:
    currency: str
    ceiling: Decimal
    four_eyes_above: Decimal

    def needs_second_approval(self, amount: Decimal) -> bool:
        return abs(amount) > self.four_eyes_above


def adjustment_limits(*, currency: str) -> AdjustmentLimits:
    """The currency's ``AdjustmentPolicy``, or the documented defaults when it has none."""
    policy = AdjustmentPolicy.objects.filter(currency=currency).first()
    if policy is None:
        return AdjustmentLimits(currency, Decimal(ADJUSTMENT_CEILING_DEFAULT), Decimal(ADJUSTMENT_FOUR_EYES_DEFAULT))
    return AdjustmentLimits(currency, policy.ceiling, policy.four_eyes_above)


def _clean(*, player, amount, reason_code: str, reason: str) -> Decimal:
    try:
        amount = to_decimal(amount)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(str(exc), code="invalid_amount") from None
    if amount == 0:
        raise ApplicationError("The amount must not be zero.", code="invalid_amount")
    if abs(amount) >= Decimal(10) ** 12 or not has_valid_precision(amount, player.currency):
        raise ApplicationError(f"{amount} is not a valid {player.currency} amount.", code="invalid_amount")
    if reason_code not in AdjustmentReason.values:
        raise ApplicationError(f"Unknown reason code {reason_code!r}.", code="invalid_reason")
    if not reason.strip():
        raise ApplicationError("A reason is required.", code="invalid_reason")
    limits = adjustment_limits(currency=player.currency)
    if abs(amount) > limits.ceiling:
        raise ApplicationError(f"{format_money(abs(amount), player.currency)} is above the ceiling for one manual "
                               f"adjustment ({format_money(limits.ceiling, player.currency)}). Split it only if "
                               f"that is right, or ask an administrator to review the limit.",
                               code="above_ceiling")
    return amount


def adjustment_check(*, player, amount, reason_code: str, reason: str) -> bool:
    """Validate an adjustment before it is confirmed (the same rules as posting it, the ceiling included).
    Returns whether it will need a second person's approval."""
    amount = _clean(player=player, amount=amount, reason_code=reason_code, reason=reason)
    if amount < 0:
        balance = Account.objects.filter(player_id=player.pk, kind=AccountKind.PLAYER_CASH).values_list(
            "balance", flat=True).first() or Decimal(0)
        if balance + amount < 0:
            raise InsufficientFunds(_below_zero(player, amount, balance), extra={"balance": balance})
    return adjustment_limits(currency=player.currency).needs_second_approval(amount)


def balance_adjust(*, player, amount, reason_code: str, reason: str, actor=None, actor_label: str = "",
                   idempotency_key: str = "") -> LedgerTransaction:
    """Post a credit (positive) or debit (negative) of a player's cash wallet against the house.

    A debit never takes the wallet below zero (``InsufficientFunds``); an amount above the currency's
    ceiling is refused. The amount is in the player's currency. ``idempotency_key``: a retried request
    with the same key posts once. Staff and ops go through ``adjustment_request`` (four-eyes).
    """
    amount = _clean(player=player, amount=amount, reason_code=reason_code, reason=reason)
    key = idempotency_key or f"adjustment:{uuid.uuid4()}"
    with transaction.atomic():
        cash = player_account(player=player, kind=AccountKind.PLAYER_CASH)
        house = house_account(currency=player.currency)
        try:
            result = ledger_post(idempotency_key=key, kind=TransactionKind.ADJUSTMENT,
                                 lines=[(cash, amount), (house, -amount)], actor=actor,
                                 integration="" if actor else (actor_label or "ops"), reference=f"player:{player.pk}",
                                 metadata={"reason_code": reason_code, "reason": reason, "by": actor_label})
        except InsufficientFunds as exc:
            raise InsufficientFunds(_below_zero(player, amount, exc.extra.get("balance")), extra=exc.extra) from None
        tx = result.transaction
        if result.created:
            verb = "credited" if amount > 0 else "debited"
            timeline_record(player_id=player.pk, kind="cashier.adjustment", amount=amount, currency=player.currency,
                            summary=f"Balance {verb} {format_money(abs(amount), player.currency)}: "
                                    f"{AdjustmentReason(reason_code).label}", actor=actor,
                            integration="" if actor else (actor_label or "ops"),
                            ref_type="cashier.ledgertransaction", ref_id=str(tx.pk),
                            data={"reason_code": reason_code, "reason": reason})
            audit_record(actor=actor, actor_label=actor_label, action="cashier.adjustment", target=player,
                         after={"amount": str(amount), "currency": player.currency, "transaction_id": tx.pk,
                                "reason_code": reason_code}, reason=reason)
        return tx


def _below_zero(player, amount: Decimal, balance) -> str:
    return (f"A debit of {format_money(-amount, player.currency)} would take the cash balance "
            f"({format_money(balance, player.currency)}) below zero.")


def adjustment_request(*, player, amount, reason_code: str, reason: str, actor=None, actor_label: str = "",
                       idempotency_key: str = "") -> Adjustment:
    """Request a manual adjustment: posted at once up to the currency's four-eyes threshold, recorded as
    pending above it (``adjustment_approve`` by another person posts it), refused above the ceiling.

    ``idempotency_key``: a retried request with the same key returns the same adjustment (posted once).
    """
    amount = _clean(player=player, amount=amount, reason_code=reason_code, reason=reason)
    reason = reason.strip()
    key = idempotency_key or f"adjustment:{uuid.uuid4()}"
    with transaction.atomic():
        existing = Adjustment.objects.select_for_update(no_key=True).filter(idempotency_key=key).first()
        if existing is not None:
            if existing.player_id != player.pk or existing.amount != amount:
                raise ApplicationError("This idempotency key was used for another adjustment.",
                                       code="idempotency_conflict")
            return existing
        cash = player_account(player=player, kind=AccountKind.PLAYER_CASH)
        adjustment = Adjustment(player=player, account=cash, amount=amount, currency=player.currency,
                                reason_code=reason_code, reason=reason[:500], idempotency_key=key,
                                requested_by=actor, requested_label="" if actor else (actor_label or "ops"))
        if adjustment_limits(currency=player.currency).needs_second_approval(amount):
            if amount < 0 and cash.balance + amount < 0:
                raise InsufficientFunds(_below_zero(player, amount, cash.balance), extra={"balance": cash.balance})
            adjustment.status = AdjustmentStatus.PENDING
            adjustment.save()
            audit_record(actor=actor, actor_label=actor_label, action="cashier.adjustment_request", target=adjustment,
                         after={"status": adjustment.status, "amount": str(amount), "currency": player.currency,
                                "player_id": player.pk, "reason_code": reason_code}, reason=reason)
            return adjustment
        adjustment.transaction = balance_adjust(player=player, amount=amount, reason_code=reason_code, reason=reason,
                                                actor=actor, actor_label=actor_label, idempotency_key=key)
        adjustment.status = AdjustmentStatus.POSTED
        adjustment.save()
    return adjustment


def adjustment_approve(*, adjustment_id: int, actor) -> Adjustment:
    """The second person's approval of a pending adjustment: it posts (once: the state guard and the
    ledger's idempotency key). The person who requested it cannot approve it."""
    with transaction.atomic():
        adjustment = Adjustment.objects.select_for_update(no_key=True).select_related("player").get(pk=adjustment_id)
        if adjustment.status != AdjustmentStatus.PENDING:
            raise ApplicationError(f"The adjustment is {adjustment.get_status_display().lower()}, not pending.",
                                   code="invalid_state")
        if adjustment.requested_by_id is not None and adjustment.requested_by_id == actor.pk:
            raise ApplicationError("Four-eyes: the approval must come from another person than the requester.",
                                   code="four_eyes")
        adjustment.transaction = balance_adjust(
            player=adjustment.player, amount=adjustment.amount, reason_code=adjustment.reason_code,
            reason=adjustment.reason, actor=actor, idempotency_key=adjustment.idempotency_key)
        adjustment.status, adjustment.decided_by, adjustment.decided_at = (AdjustmentStatus.POSTED, actor,
                                                                           timezone.now())
        adjustment.save(update_fields=["transaction", "status", "decided_by", "decided_at"])
        audit_record(actor=actor, action="cashier.adjustment_approve", target=adjustment,
                     before={"status": AdjustmentStatus.PENDING},
                     after={"status": adjustment.status, "transaction_id": adjustment.transaction_id})
    return adjustment


def adjustment_reject(*, adjustment_id: int, actor, reason: str) -> Adjustment:
    """Reject a pending adjustment: nothing is posted."""
    if not reason.strip():
        raise ApplicationError("A reason is required.", code="invalid_reason")
    with transaction.atomic():
        adjustment = Adjustment.objects.select_for_update(no_key=True).get(pk=adjustment_id)
        if adjustment.status != AdjustmentStatus.PENDING:
            raise ApplicationError(f"The adjustment is {adjustment.get_status_display().lower()}, not pending.",
                                   code="invalid_state")
        adjustment.status, adjustment.decided_by, adjustment.decided_at = (AdjustmentStatus.REJECTED, actor,
                                                                           timezone.now())
        adjustment.rejection_reason = reason.strip()[:300]
        adjustment.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
        audit_record(actor=actor, action="cashier.adjustment_reject", target=adjustment,
                     before={"status": AdjustmentStatus.PENDING}, after={"status": adjustment.status}, reason=reason)
    return adjustment
