"""Nothing waits forever: overdue gateway answers are asked for, and what cannot be settled is flagged.

A pending deposit and a sent payout each carry a deadline (``answer_due_at``, set by
:func:`cashier.services.waiting.answer_due`). The periodic sweep (:func:`gateway_status_sweep`) claims the
overdue rows in ``select_for_update(skip_locked=True)`` batches, pushes their deadline forward and counts the
query, then asks each one's gateway for the status (:func:`gateway_status_query`, outside any row lock) and
applies the answer through the services the webhook uses (``deposit_confirm``, ``deposit_fail``,
``withdrawal_payout_result``), so a webhook arriving after the query changes nothing.

What cannot be settled lands in the needs-attention queue (``AttentionItem``), never resolved by guessing:

* "unknown" (the gateway has no record of our reference), at once;
* an answer our services refuse (a different amount, a payout already failed), at once;
* no answer at all after ``CASHIER_STATUS_QUERY_ATTEMPTS`` queries;
* a payout still "pending" after that many queries (its funds stay reserved). A deposit still pending is left
  to expire (``deposits_expire``): nothing was credited, and a late confirmation is still accepted.

Staff then re-query (:func:`attention_requery`) or resolve by hand (:func:`attention_resolve`, four-eyes above
the currency's withdrawal-policy threshold).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.money import format_money
from backoffice.services import audit_record
from cashier.choices import AttentionOutcome, GatewayAnswer, WithdrawalStatus
from cashier.models import AttentionItem, Deposit, PaymentGateway, Withdrawal, WithdrawalPolicy
from cashier.services.deposits import OPEN_STATUSES, deposit_confirm, deposit_fail
from cashier.services.withdrawals import withdrawal_payout_result


class GatewayUnavailable(Exception):
    """The gateway did not answer the status query (timeout, error, no status API)."""


@dataclass(frozen=True)
class StatusAnswer:
    """A gateway's answer about one deposit or payout, known by our reference."""

    state: str  # a GatewayAnswer
    amount: Decimal | None = None
    currency: str = ""
    gateway_reference: str = ""
    reason: str = ""

    def __str__(self) -> str:
        extra = f" {format_money(self.amount, self.currency)}" if self.amount is not None else ""
        return f"{self.state}{extra}" + (f": {self.reason}" if self.reason else "")


def gateway_status_query(*, gateway: PaymentGateway, kind: str, reference: str,
                         now: dt.datetime | None = None) -> StatusAnswer:
    """Ask ``gateway`` about a ``"deposit"`` (our deposit reference) or a ``"payout"`` (our payout reference).

    The gateway's adapter answers; the built-in simulator knows what it was handed, like a real gateway does.
    A real gateway's adapter calls its status API here. Raises :class:`GatewayUnavailable` when there is no
    answer."""
    if gateway.is_simulated:
        # Imported here: the simulator calls the webhook services, which import the deposit services.
        from cashier.simulator import status_query  # noqa: PLC0415

        return status_query(gateway=gateway, kind=kind, reference=reference, now=now)
    raise GatewayUnavailable(f"No status API adapter for {gateway.code}.")


def _settings() -> tuple[dt.timedelta, int]:
    return (dt.timedelta(minutes=settings.CASHIER_STATUS_QUERY_INTERVAL_MINUTES),
            settings.CASHIER_STATUS_QUERY_ATTEMPTS)


def _waiting(model) -> dict:
    if model is Withdrawal:
        return {"status": WithdrawalStatus.APPROVED}
    return {"status__in": OPEN_STATUSES}


def gateway_status_sweep(*, now: dt.datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Ask the gateways about every deposit and payout whose answer is overdue at ``now``; apply the answers.
    Idempotent and safe to run in parallel (rows are claimed with SKIP LOCKED and their deadline moved on).
    Returns how many queries ended how (``paid``, ``failed``, ``pending``, ``flagged``, ``no_answer`` ...)."""
    now = now or timezone.now()
    interval, _ = _settings()
    outcomes: Counter = Counter()
    for model in (Withdrawal, Deposit):
        with transaction.atomic():
            claimed = list(model.objects.select_for_update(no_key=True, skip_locked=True)
                           .filter(answer_due_at__lte=now, **_waiting(model))
                           .order_by("answer_due_at").values_list("pk", flat=True)[:batch])
            model.objects.filter(pk__in=claimed).update(answer_due_at=now + interval,
                                                        status_queries=F("status_queries") + 1)
        for pk in claimed:
            outcomes[_check(model, pk, now=now)] += 1
    return dict(outcomes)


def _kind(obj) -> str:
    return "payout" if isinstance(obj, Withdrawal) else "deposit"


def _check(model, pk: int, *, now: dt.datetime, actor=None) -> str:
    """Ask the gateway about one row (its query already counted) and apply the answer. Returns the outcome."""
    obj = model.objects.select_related("gateway").get(pk=pk)
    if not model.objects.filter(pk=pk, **_waiting(model)).exists():
        return "settled_meanwhile"
    reference = obj.payout_reference if isinstance(obj, Withdrawal) else obj.reference
    integration = f"gateway:{obj.gateway.code}"
    try:
        answer = gateway_status_query(gateway=obj.gateway, kind=_kind(obj), reference=reference, now=now)
        text = str(answer)
    except GatewayUnavailable as exc:
        answer, text = None, f"no answer: {exc}"
    with transaction.atomic():
        model.objects.filter(pk=pk).update(last_query_at=timezone.now(), last_query_result=text[:200])
        audit_record(actor=actor, integration="" if actor else "cashier", action="cashier.gateway_status_query",
                     target=obj, after={"reference": reference, "answer": text[:200],
                                        "queries": obj.status_queries})
    _, attempts = _settings()
    if answer is None:
        if obj.status_queries >= attempts:
            return _flag(obj, f"The gateway did not answer {obj.status_queries} status queries.", actor=actor)
        return "no_answer"
    if answer.state == GatewayAnswer.UNKNOWN:
        return _flag(obj, f"The gateway has no record of this {_kind(obj)} (unknown).", actor=actor)
    if answer.state == GatewayAnswer.PENDING:
        if isinstance(obj, Withdrawal) and obj.status_queries >= attempts:
            return _flag(obj, f"The gateway still reports the payout pending after {obj.status_queries} status "
                              "queries; the funds stay reserved.", actor=actor)
        return "pending"
    try:
        _apply(obj, answer, integration=integration, actor=actor)
    except ApplicationError as exc:
        return _flag(obj, f"The gateway answers {answer}, but it cannot be applied: {exc.message}", actor=actor)
    return str(answer.state)


def _apply(obj, answer: StatusAnswer, *, integration: str, actor=None) -> None:
    """Apply a paid or failed answer through the services the webhook uses (the same checks, idempotent)."""
    paid = answer.state == GatewayAnswer.PAID
    if isinstance(obj, Withdrawal):
        if paid and (answer.amount != obj.amount or answer.currency != obj.currency):
            raise ApplicationError(f"the gateway paid {format_money(answer.amount, answer.currency)}, the withdrawal "
                                   f"is for {format_money(obj.amount, obj.currency)}.", code="amount_mismatch")
        withdrawal_payout_result(withdrawal_id=obj.pk, paid=paid, gateway_reference=answer.gateway_reference,
                                 reason=answer.reason or "reported by the status query", integration=integration,
                                 actor=actor)
    elif paid:
        deposit_confirm(deposit_id=obj.pk, amount=answer.amount, currency=answer.currency,
                        gateway_reference=answer.gateway_reference, integration=integration, actor=actor)
    else:
        deposit_fail(deposit_id=obj.pk, reason=answer.reason or "reported by the status query",
                     integration=integration, actor=actor)


def _flag(obj, reason: str, *, actor=None) -> str:
    """Put ``obj`` in the needs-attention queue (once) and stop the automatic queries. Returns "flagged"."""
    model = type(obj)
    subject = {"deposit": obj} if model is Deposit else {"withdrawal": obj}
    with transaction.atomic():
        locked = model.objects.select_for_update(no_key=True).filter(pk=obj.pk, **_waiting(model)).first()
        if locked is None:
            return "settled_meanwhile"
        model.objects.filter(pk=obj.pk).update(answer_due_at=None)
        open_item = AttentionItem.objects.filter(resolved_at__isnull=True, **subject).first()
        if open_item is not None:
            return "flagged"
        try:
            with transaction.atomic():
                item = AttentionItem.objects.create(reason=reason[:300], **subject)
        except IntegrityError:  # flagged by a concurrent query
            return "flagged"
        audit_record(actor=actor, integration="" if actor else "cashier", action="cashier.attention_open",
                     target=item, after={"subject": str(obj), "reason": item.reason})
    return "flagged"


def attention_requery(*, item_id: int, actor) -> str:
    """Staff ask the gateway again now about an open item. Returns the outcome (``paid``, ``failed``: settled and
    closed; ``flagged`` / ``pending`` / ``no_answer``: still open)."""
    item = AttentionItem.objects.get(pk=item_id)
    if not item.is_open:
        raise ApplicationError("This item is already resolved.", code="invalid_state")
    subject = item.subject
    model = type(subject)
    model.objects.filter(pk=subject.pk).update(status_queries=F("status_queries") + 1)
    return _check(model, subject.pk, now=timezone.now(), actor=actor)


@transaction.atomic
def attention_resolve(*, item_id: int, outcome: str, reason: str, actor) -> AttentionItem:
    """Resolve an open item by hand: the deposit is confirmed or failed, the payout paid or failed, through the
    services the webhook uses. Above the currency's four-eyes threshold (``WithdrawalPolicy``) the first person
    proposes and another person confirms the same outcome; a different outcome replaces the proposal."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("A reason is required.", code="invalid_reason")
    if outcome not in AttentionOutcome.values:
        raise ApplicationError("Choose paid or failed.", code="invalid_outcome")
    item = AttentionItem.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "deposit", "withdrawal").get(pk=item_id)
    if not item.is_open:
        raise ApplicationError("This item is already resolved.", code="invalid_state")
    subject = item.subject
    policy = WithdrawalPolicy.objects.filter(currency=subject.currency).first()
    if policy is not None and subject.amount > policy.four_eyes_above:
        if item.proposed_by_id == actor.pk:
            raise ApplicationError("Four-eyes: another person must confirm this resolution.", code="four_eyes")
        if not item.proposed_outcome or item.proposed_outcome != outcome:
            before = {"proposed_outcome": item.proposed_outcome, "proposed_by": item.proposed_by_id}
            item.proposed_outcome, item.proposed_reason, item.proposed_by = outcome, reason[:300], actor
            item.save(update_fields=["proposed_outcome", "proposed_reason", "proposed_by"])
            audit_record(actor=actor, action="cashier.attention_propose", target=item, before=before,
                         after={"proposed_outcome": outcome}, reason=reason)
            return item
    verb = "paid" if outcome == AttentionOutcome.PAID else "failed"
    item.resolved_at, item.resolved_by = timezone.now(), actor
    item.resolution = f"Marked {verb} by {actor.get_username()}: {reason}"[:300]
    item.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    paid = outcome == AttentionOutcome.PAID
    if isinstance(subject, Withdrawal):
        withdrawal_payout_result(withdrawal_id=subject.pk, paid=paid, reason=f"resolved by staff: {reason}",
                                 actor=actor)
    elif paid:
        deposit_confirm(deposit_id=subject.pk, amount=subject.amount, currency=subject.currency, actor=actor)
    else:
        deposit_fail(deposit_id=subject.pk, reason=f"resolved by staff: {reason}"[:200], actor=actor)
    audit_record(actor=actor, action="cashier.attention_resolve", target=item, before={"open": True},
                 after={"open": False, "outcome": outcome, "second_approver": bool(item.proposed_by_id)},
                 reason=reason)
    return item
