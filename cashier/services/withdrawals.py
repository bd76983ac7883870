"""Withdrawals: request (reserve) > automatic approval or review (four-eyes above a threshold) > payout.

Ledger: request ``player_cash -x, pending_withdrawals +x``; payout ``pending_withdrawals -x,
gateway_clearing +x``; rejection or a failed payout ``pending_withdrawals -x, player_cash +x``.
Withdrawals are never refused for RG reasons (excluded players can withdraw).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.money import format_money
from backoffice.services import audit_record
from cashier.choices import AccountKind, DepositStatus, TransactionKind, WithdrawalStatus
from cashier.constants import HOLD_OPEN_AML_FLAGS
from cashier.models import AutoApprovalRule, Deposit, PaymentMethod, Withdrawal, WithdrawalPolicy
from cashier.services import aml
from cashier.services.deposits import clean_amount
from cashier.services.ledger import InsufficientFunds, house_account, ledger_post, player_account
from cashier.services.waiting import answer_due, wait_end
from players.services import timeline_record


def _timeline(w: Withdrawal, kind: str, summary: str, actor=None, integration: str = "",
              staff_summary: str = "") -> None:
    timeline_record(player_id=w.player_id, kind=kind, amount=w.amount, currency=w.currency, summary=summary[:300],
                    actor=actor, integration=integration, ref_type="cashier.withdrawal", ref_id=str(w.pk),
                    staff_summary=staff_summary)


def auto_approval_holds(w: Withdrawal) -> list[str]:
    """Why ``w`` cannot be approved automatically (empty: it can)."""
    player = w.player
    holds = []
    if aml.player_open_flags(player_id=player.pk):
        holds.append(HOLD_OPEN_AML_FLAGS)
    policy = WithdrawalPolicy.objects.filter(currency=w.currency).first()
    if policy is not None and w.amount > policy.four_eyes_above:
        holds.append(f"Above the four-eyes threshold ({format_money(policy.four_eyes_above, w.currency)}).")
    rules = list(AutoApprovalRule.objects.filter(currency=w.currency, is_active=True))
    if not rules:
        holds.append(f"No automatic approval rule for {w.currency}.")
    else:
        age_days = (timezone.now() - player.created_at).days
        matching = [r for r in rules if player.vip_level >= r.min_vip_level and w.amount <= r.max_amount
                    and (not r.require_kyc_verified or player.kyc_status == "verified")
                    and age_days >= r.min_account_age_days]
        if not matching:
            holds.append("No automatic approval rule matches (amount, VIP level, KYC, account age).")
    return holds


def withdrawal_request(*, player, method: PaymentMethod, amount, actor=None, integration: str = "",
                       idempotency_key: str = "") -> Withdrawal:
    """Reserve the funds and open the withdrawal; approve it at once when a rule allows."""
    if idempotency_key:
        existing = Withdrawal.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.player_id != player.pk or existing.method_id != method.pk or existing.amount != clean_amount(
                    amount, player.currency):
                raise ApplicationError("This idempotency key was used for another withdrawal.",
                                       code="idempotency_conflict")
            return existing
    amount = clean_amount(amount, player.currency)
    if method.currency != player.currency:
        raise ApplicationError(f"{method} is in {method.currency}; the player's wallet is in {player.currency}.",
                               code="wrong_currency")
    if not (method.is_active and method.supports_payouts and method.gateway.is_active):
        raise ApplicationError(f"{method} does not take payouts.", code="method_unavailable")
    if not Deposit.objects.filter(player=player, method=method, status=DepositStatus.CONFIRMED).exists():
        raise ApplicationError("Payouts go only to a method the player has deposited with.", code="method_not_used")
    if amount < method.min_amount or amount > method.max_amount:
        raise ApplicationError(f"The amount must be between {format_money(method.min_amount, method.currency)} and "
                               f"{format_money(method.max_amount, method.currency)}.", code="amount_out_of_range")
    with transaction.atomic():
        reference = f"W-{timezone.now():%y%m%d}-{secrets.token_hex(5).upper()}"
        cash = player_account(player=player, kind=AccountKind.PLAYER_CASH)
        pending = house_account(currency=player.currency, kind=AccountKind.PENDING_WITHDRAWALS)
        try:
            reserve = ledger_post(idempotency_key=f"withdrawal-reserve:{reference}",
                                  kind=TransactionKind.WITHDRAWAL_RESERVE, lines=[(cash, -amount), (pending, amount)],
                                  actor=actor, integration=integration, reference=reference).transaction
        except InsufficientFunds as exc:
            raise ApplicationError(f"The cash balance ({format_money(exc.extra['balance'], player.currency)}) is "
                                   f"less than {format_money(amount, player.currency)}.", code="insufficient_funds",
                                   extra=exc.extra) from None
        w = Withdrawal.objects.create(
            reference=reference, idempotency_key=idempotency_key or f"withdrawal:{reference}", player=player,
            method=method, gateway=method.gateway, amount=amount, currency=player.currency,
            reserve_transaction=reserve)
        aml.withdrawal_checks(withdrawal=w)
        policy = WithdrawalPolicy.objects.filter(currency=w.currency).first()
        w.needs_second_approval = policy is not None and amount > policy.four_eyes_above
        w.hold_reasons = auto_approval_holds(w)
        fields = ["needs_second_approval", "hold_reasons"]
        if not w.hold_reasons:
            w.status, w.auto_approved = WithdrawalStatus.APPROVED, True
            fields += ["status", "auto_approved"]
        w.save(update_fields=[*fields, "updated_at"])
        _timeline(w, "cashier.withdrawal_requested", f"Withdrawal {reference} requested"
                  + (" and approved automatically" if w.auto_approved else ""), actor, integration)
        audit_record(actor=actor, integration=integration, action="cashier.withdrawal_request", target=w,
                     after={"amount": str(amount), "currency": w.currency, "auto_approved": w.auto_approved,
                            "holds": w.hold_reasons})
        if w.auto_approved:
            _queue_payout(w)
    return w


def _queue_payout(w: Withdrawal) -> None:
    # Imported here: cashier.tasks imports the services its tasks run.
    from cashier.tasks import payout_send_task  # noqa: PLC0415

    payout_send_task.delay_on_commit(w.pk)


def withdrawal_held_for_aml(w: Withdrawal) -> bool:
    """Whether ``w`` was held for open AML flags, or its player has some now: releasing it is Risk &
    Compliance's (``cashier.release_aml_hold``)."""
    return HOLD_OPEN_AML_FLAGS in (w.hold_reasons or []) or bool(aml.player_open_flags(player_id=w.player_id))


@transaction.atomic
def withdrawal_approve(*, withdrawal_id: int, actor) -> Withdrawal:
    """Approve a withdrawal under review. Above the four-eyes threshold the first approval is recorded and
    a different person must give the second. A withdrawal held for AML needs ``cashier.release_aml_hold``
    (Risk & Compliance) for every approval."""
    w = Withdrawal.objects.select_for_update(no_key=True).select_related("player").get(pk=withdrawal_id)
    if w.status != WithdrawalStatus.REQUESTED:
        raise ApplicationError("The withdrawal is not awaiting review.", code="invalid_state")
    if withdrawal_held_for_aml(w) and not actor.has_perm("cashier.release_aml_hold"):
        raise ApplicationError("This withdrawal is held for open AML flags: only Risk & Compliance (permission "
                               "to release AML holds) may approve it. Reject it, or ask Risk & Compliance to "
                               "review the flags.", code="aml_hold")
    if w.needs_second_approval and w.first_approved_by_id is None:
        w.first_approved_by = actor
        w.save(update_fields=["first_approved_by", "updated_at"])
        audit_record(actor=actor, action="cashier.withdrawal_first_approval", target=w)
        return w
    if w.needs_second_approval and w.first_approved_by_id == actor.pk:
        raise ApplicationError("Four-eyes: the second approval must come from another person.", code="four_eyes")
    w.status, w.approved_by = WithdrawalStatus.APPROVED, actor
    w.save(update_fields=["status", "approved_by", "updated_at"])
    _timeline(w, "cashier.withdrawal_approved", f"Withdrawal {w.reference} approved", actor)
    audit_record(actor=actor, action="cashier.withdrawal_approve", target=w, before={"status": "requested"},
                 after={"status": w.status})
    _queue_payout(w)
    return w


def _release(w: Withdrawal, *, actor=None, integration: str = "") -> None:
    cash = player_account(player=w.player, kind=AccountKind.PLAYER_CASH)
    pending = house_account(currency=w.currency, kind=AccountKind.PENDING_WITHDRAWALS)
    w.settle_transaction = ledger_post(idempotency_key=f"withdrawal-release:{w.reference}",
                                       kind=TransactionKind.WITHDRAWAL_RELEASE,
                                       lines=[(pending, -w.amount), (cash, w.amount)], actor=actor,
                                       integration=integration, reference=w.reference).transaction


@transaction.atomic
def withdrawal_reject(*, withdrawal_id: int, actor, reason: str) -> Withdrawal:
    """Reject a withdrawal under review: the reserved funds go back to the player's cash wallet."""
    if not reason.strip():
        raise ApplicationError("A reason is required.", code="invalid_reason")
    w = Withdrawal.objects.select_for_update(no_key=True).select_related("player").get(pk=withdrawal_id)
    if w.status != WithdrawalStatus.REQUESTED:
        raise ApplicationError("Only a withdrawal awaiting review can be rejected.", code="invalid_state")
    _release(w, actor=actor)
    w.status, w.rejected_by, w.rejection_reason = WithdrawalStatus.REJECTED, actor, reason.strip()[:300]
    w.save(update_fields=["status", "rejected_by", "rejection_reason", "settle_transaction", "updated_at"])
    # The reason staff typed is staff-only, on the timeline as on the withdrawal's page (it may name AML).
    _timeline(w, "cashier.withdrawal_rejected", f"Withdrawal {w.reference} rejected", actor,
              staff_summary=f"Withdrawal {w.reference} rejected: {w.rejection_reason}")
    audit_record(actor=actor, action="cashier.withdrawal_reject", target=w, before={"status": "requested"},
                 after={"status": w.status}, reason=reason)
    return w


def payout_send(*, withdrawal_id: int) -> bool:
    """Send an approved withdrawal to its gateway, once (the task may run twice: the second run finds the
    payout reference set and does nothing). Returns whether it sent."""
    with transaction.atomic():
        w = Withdrawal.objects.select_for_update(no_key=True).select_related("gateway").get(pk=withdrawal_id)
        if w.status != WithdrawalStatus.APPROVED or w.payout_reference:
            return False
        w.payout_reference = f"PO-{w.reference}"  # our idempotency key at the gateway
        w.payout_sent_at = timezone.now()
        w.answer_due_at = answer_due("payout", now=w.payout_sent_at)  # then the gateway is asked (gateway_status)
        w.save(update_fields=["payout_reference", "payout_sent_at", "answer_due_at", "updated_at"])
        audit_record(integration=f"gateway:{w.gateway.code}", action="cashier.payout_send", target=w,
                     after={"payout_reference": w.payout_reference, "answer_due_at": w.answer_due_at})
        if w.gateway.is_simulated:
            # Imported here: the simulator calls the webhook services, which import this module.
            from cashier.simulator import payout_accept  # noqa: PLC0415

            pk = w.pk
            transaction.on_commit(lambda: payout_accept(withdrawal_id=pk))
    return True


def withdrawal_payout_result(*, withdrawal_id: int, paid: bool, gateway_reference: str = "", reason: str = "",
                             integration: str = "", actor=None) -> bool:
    """The gateway's answer (its webhook or a status query; ``actor``: staff resolving it by hand): paid (funds
    leave pending withdrawals for clearing) or failed (funds return to the player). Idempotent; returns whether
    anything changed."""
    with transaction.atomic():
        w = Withdrawal.objects.select_for_update(no_key=True).select_related("player").get(pk=withdrawal_id)
        target = WithdrawalStatus.PAID if paid else WithdrawalStatus.FAILED
        if w.status == target:
            return False
        if w.status != WithdrawalStatus.APPROVED:
            raise ApplicationError(f"The withdrawal is {w.get_status_display().lower()}.", code="invalid_state")
        if paid:
            pending = house_account(currency=w.currency, kind=AccountKind.PENDING_WITHDRAWALS)
            clearing = house_account(currency=w.currency, kind=AccountKind.GATEWAY_CLEARING)
            w.settle_transaction = ledger_post(
                idempotency_key=f"withdrawal-payout:{w.reference}", kind=TransactionKind.WITHDRAWAL_PAYOUT,
                lines=[(pending, -w.amount), (clearing, w.amount)], actor=actor, integration=integration,
                reference=w.reference, metadata={"gateway_reference": gateway_reference}).transaction
            w.paid_at = timezone.now()
        else:
            _release(w, actor=actor, integration=integration)
            w.rejection_reason = f"Payout failed: {reason}"[:300]
        w.status = target
        waited = wait_end(w, resolution=f"Settled: {w.get_status_display().lower()} ({integration or 'staff'})",
                          actor=actor, integration=integration)
        w.save(update_fields=["status", "settle_transaction", "paid_at", "rejection_reason", *waited, "updated_at"])
        _timeline(w, "cashier.withdrawal_paid" if paid else "cashier.withdrawal_failed",
                  f"Withdrawal {w.reference} " + ("paid out" if paid else f"payout failed: {reason}"),
                  actor=actor, integration=integration)
        audit_record(actor=actor, integration=integration, action="cashier.withdrawal_payout_result", target=w,
                     before={"status": "approved"}, after={"status": w.status}, reason=reason)
    return True


def withdrawals_stuck(*, older_than: dt.timedelta = dt.timedelta(minutes=10)):
    """Approved withdrawals whose payout was never sent (e.g. the broker lost the task): re-queued by beat."""
    cutoff = timezone.now() - older_than
    return list(Withdrawal.objects.filter(status=WithdrawalStatus.APPROVED, payout_reference="",
                                          updated_at__lt=cutoff).values_list("pk", flat=True)[:500])
