"""Deposits: initiated > pending > confirmed | failed | expired, confirmed through signed gateway webhooks.

RG rules come from the players module (``rg_check`` at initiation, with the player's other open deposits
counted; ``rg_usage_record`` when the money lands). The ledger credit happens once, on confirmation,
under the idempotency key ``deposit:<id>``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.money import format_money, has_valid_precision, to_decimal
from backoffice.services import audit_record
from cashier.choices import AccountKind, DepositStatus, TransactionKind
from cashier.models import AttentionItem, Deposit, PaymentMethod
from cashier.services import aml
from cashier.services.ledger import accounts_lock, house_account, ledger_post, player_account
from cashier.services.waiting import answer_due, wait_end
from players.services import rg_check, rg_usage_record, timeline_record

OPEN_STATUSES = (DepositStatus.INITIATED, DepositStatus.PENDING)


def _reference(prefix: str) -> str:
    return f"{prefix}-{timezone.now():%y%m%d}-{secrets.token_hex(5).upper()}"


def clean_amount(raw, currency: str) -> Decimal:
    """A positive amount in ``currency``'s precision, or ApplicationError(code="invalid_amount")."""
    try:
        amount = to_decimal(raw)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(str(exc), code="invalid_amount") from None
    if amount <= 0:
        raise ApplicationError("The amount must be greater than zero.", code="invalid_amount")
    if amount >= Decimal(10) ** 12 or not has_valid_precision(amount, currency):
        raise ApplicationError(f"{amount} is not a valid {currency} amount.", code="invalid_amount")
    return amount


def deposit_initiate(*, player, method: PaymentMethod, amount, actor=None, integration: str = "",
                     idempotency_key: str = "") -> Deposit:
    """Open a deposit after every check (method, country, currency, limits, RG, blocks) and hand it to the
    gateway. A retried request with the same idempotency key returns the same deposit."""

    amount = clean_amount(amount, player.currency)
    if idempotency_key:
        existing = Deposit.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if (existing.player_id, existing.method_id, existing.amount) != (player.pk, method.pk, amount):
                raise ApplicationError("This idempotency key was used for another deposit.",
                                       code="idempotency_conflict")
            return existing
    if method.currency != player.currency:
        raise ApplicationError(f"{method} is in {method.currency}; the player's wallet is in {player.currency}.",
                               code="wrong_currency")
    if not (method.is_active and method.gateway.is_active):
        raise ApplicationError(f"{method} is not available.", code="method_unavailable")
    if not method.allows_country(player.country):
        raise ApplicationError(f"{method} is not offered in {player.country}.", code="method_unavailable")
    if amount < method.min_amount or amount > method.max_amount:
        raise ApplicationError(f"The amount must be between {format_money(method.min_amount, method.currency)} and "
                               f"{format_money(method.max_amount, method.currency)}.", code="amount_out_of_range")
    with transaction.atomic():
        cash = player_account(player=player, kind=AccountKind.PLAYER_CASH)
        accounts_lock(accounts=[cash])  # serializes this player's deposit checks (RG contract)
        if aml.player_deposits_blocked(player_id=player.pk):
            # Worded without the reason: agents and the player's site read this message, and an AML hold must
            # never be disclosed to them (tipping off). Operator staff see the open case on the AML pages.
            raise ApplicationError("Deposits are not available for this player at the moment.",
                                   code="deposits_blocked")
        open_amount = (Deposit.objects.filter(player=player, status__in=OPEN_STATUSES,
                                              created_at__gte=timezone.now() - dt.timedelta(days=1))
                       .aggregate(s=Sum("amount"))["s"] or Decimal(0))
        decision = rg_check(player=player, action="deposit", amount=amount + open_amount)
        if not decision.allowed:
            raise ApplicationError(decision.message, code=decision.code or "rg_refused",
                                   extra={"remaining": decision.remaining})
        try:
            with transaction.atomic():
                deposit = Deposit.objects.create(
                    reference=_reference("D"), idempotency_key=idempotency_key or f"deposit:{secrets.token_hex(16)}",
                    player=player, method=method, gateway=method.gateway, amount=amount, currency=player.currency,
                    actor=actor if getattr(actor, "is_authenticated", False) else None)
        except IntegrityError:  # the same key raced
            return Deposit.objects.get(idempotency_key=idempotency_key)
        timeline_record(player_id=player.pk, kind="cashier.deposit_initiated", amount=amount, currency=player.currency,
                        summary=f"Deposit {deposit.reference} initiated via {method.name}", actor=actor,
                        integration=integration, ref_type="cashier.deposit", ref_id=str(deposit.pk))
        audit_record(actor=actor, integration=integration, action="cashier.deposit_initiate", target=deposit,
                     after={"amount": str(amount), "currency": deposit.currency, "method": method.code})
        _gateway_submit(deposit)
    return deposit


def _gateway_submit(deposit: Deposit) -> None:
    """Hand the deposit to its gateway: the simulator answers later through its own webhook. Past
    ``answer_due_at`` without an answer, the gateway is asked for the status (``gateway_status``)."""
    deposit.status = DepositStatus.PENDING
    deposit.answer_due_at = answer_due("deposit")
    deposit.save(update_fields=["status", "answer_due_at", "updated_at"])
    if deposit.gateway.is_simulated:
        # Imported here: the simulator calls the webhook services, which import this module.
        from cashier.simulator import deposit_accept  # noqa: PLC0415

        pk = deposit.pk
        transaction.on_commit(lambda: deposit_accept(deposit_id=pk))


def deposit_confirm(*, deposit_id: int, amount: Decimal, currency: str, gateway_reference: str = "",
                    integration: str = "", actor=None) -> tuple[Deposit, bool]:
    """Credit a deposit once (the gateway's webhook or a status query; ``actor``: staff resolving it by hand).
    Returns (deposit, changed). A replay is a no-op; a different amount or currency, or a deposit that already
    failed, is refused. A late confirmation of an expired deposit is accepted (the gateway took the money)."""

    with transaction.atomic():
        deposit = Deposit.objects.select_for_update(no_key=True).select_related("player", "method").get(pk=deposit_id)
        if deposit.status == DepositStatus.CONFIRMED:
            return deposit, False
        if deposit.status == DepositStatus.FAILED:
            raise ApplicationError("The deposit has failed; it cannot be confirmed.", code="invalid_state")
        if amount != deposit.amount or currency != deposit.currency:
            raise ApplicationError(f"The confirmation is for {amount} {currency}; the deposit is for "
                                   f"{deposit.amount} {deposit.currency}.", code="amount_mismatch")
        player = deposit.player
        cash = player_account(player=player, kind=AccountKind.PLAYER_CASH)
        clearing = house_account(currency=deposit.currency, kind=AccountKind.GATEWAY_CLEARING)
        accounts_lock(accounts=[cash])
        result = ledger_post(idempotency_key=f"deposit:{deposit.pk}", kind=TransactionKind.DEPOSIT,
                             lines=[(cash, deposit.amount), (clearing, -deposit.amount)], actor=actor,
                             integration=integration, reference=deposit.reference,
                             metadata={"gateway": deposit.gateway.code, "method": deposit.method.code,
                                       "gateway_reference": gateway_reference})
        was = deposit.status
        deposit.is_ftd = not Deposit.objects.filter(player=player, is_ftd=True).exists()
        deposit.status, deposit.confirmed_at = DepositStatus.CONFIRMED, timezone.now()
        deposit.ledger_transaction = result.transaction
        deposit.gateway_reference = gateway_reference[:100] or deposit.gateway_reference
        waited = wait_end(deposit, resolution=f"Settled: confirmed ({integration or 'staff'})", actor=actor,
                          integration=integration)
        deposit.save(update_fields=["status", "confirmed_at", "ledger_transaction", "is_ftd", "gateway_reference",
                                    *waited, "updated_at"])
        rg_usage_record(player_id=player.pk, kind="deposit", amount=deposit.amount)
        summary = f"Deposit {deposit.reference} confirmed" + (" (first-time deposit)" if deposit.is_ftd else "")
        timeline_record(player_id=player.pk, kind="cashier.deposit_confirmed", amount=deposit.amount,
                        currency=deposit.currency, summary=summary, actor=actor, integration=integration,
                        ref_type="cashier.deposit", ref_id=str(deposit.pk), data={"ftd": deposit.is_ftd})
        aml.deposit_checks(deposit=deposit)
        audit_record(actor=actor, integration=integration, action="cashier.deposit_confirm", target=deposit,
                     before={"status": was}, after={"status": deposit.status, "transaction_id": result.transaction.pk,
                                                    "ftd": deposit.is_ftd})
    return deposit, True


def deposit_fail(*, deposit_id: int, reason: str, integration: str = "", actor=None) -> tuple[Deposit, bool]:
    """Mark an open deposit failed (nothing was credited; ``actor``: staff resolving it by hand). A replay is a
    no-op; failing a confirmed deposit is refused (out-of-order event)."""

    with transaction.atomic():
        deposit = Deposit.objects.select_for_update(no_key=True).select_related("player").get(pk=deposit_id)
        if deposit.status == DepositStatus.FAILED:
            return deposit, False
        if deposit.status == DepositStatus.CONFIRMED:
            raise ApplicationError("The deposit is already confirmed.", code="invalid_state")
        was = deposit.status
        deposit.status, deposit.failure_reason = DepositStatus.FAILED, reason[:200]
        waited = wait_end(deposit, resolution=f"Settled: failed ({integration or 'staff'})", actor=actor,
                          integration=integration)
        deposit.save(update_fields=["status", "failure_reason", *waited, "updated_at"])
        timeline_record(player_id=deposit.player_id, kind="cashier.deposit_failed", amount=deposit.amount,
                        currency=deposit.currency, summary=f"Deposit {deposit.reference} failed: {reason}"[:300],
                        actor=actor, integration=integration, ref_type="cashier.deposit", ref_id=str(deposit.pk))
        audit_record(actor=actor, integration=integration, action="cashier.deposit_fail", target=deposit,
                     before={"status": was}, after={"status": deposit.status}, reason=reason)
        aml.failed_deposits_check(deposit=deposit)
    return deposit, True


def deposits_expire(*, older_than_minutes: int | None = None, batch: int = 500) -> int:
    """Expire deposits the gateway never answered (periodic task). Returns how many expired. A deposit in
    the needs-attention queue is left to staff: the gateway could not say whether the money moved."""

    minutes = older_than_minutes or getattr(settings, "CASHIER_DEPOSIT_EXPIRY_MINUTES", 30)
    cutoff = timezone.now() - dt.timedelta(minutes=minutes)
    done = 0
    with transaction.atomic():
        flagged = AttentionItem.objects.filter(resolved_at__isnull=True, deposit__isnull=False).values("deposit_id")
        stale = list(Deposit.objects.select_for_update(skip_locked=True)
                     .filter(status__in=OPEN_STATUSES, created_at__lt=cutoff).exclude(pk__in=flagged)
                     .order_by("id")[:batch])
        for deposit in stale:
            Deposit.objects.filter(pk=deposit.pk).update(status=DepositStatus.EXPIRED, answer_due_at=None,
                                                         updated_at=timezone.now())
            timeline_record(player_id=deposit.player_id, kind="cashier.deposit_expired", amount=deposit.amount,
                            currency=deposit.currency, summary=f"Deposit {deposit.reference} expired",
                            integration="cashier", ref_type="cashier.deposit", ref_id=str(deposit.pk))
            done += 1
        if done:
            audit_record(integration="cashier", action="cashier.deposits_expire",
                         after={"deposit_ids": [d.pk for d in stale]})
    return done
