"""Manual balance adjustments: permission-gated, audited, on the player's timeline."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import transaction

from backoffice.exceptions import ApplicationError
from backoffice.money import format_money, has_valid_precision, to_decimal
from backoffice.services import audit_record
from cashier.choices import AccountKind, AdjustmentReason, TransactionKind
from cashier.models import LedgerTransaction
from cashier.services.ledger import InsufficientFunds, house_account, ledger_post, player_account
from players.services import timeline_record


def balance_adjust(*, player, amount, reason_code: str, reason: str, actor=None, actor_label: str = "",
                   idempotency_key: str = "") -> LedgerTransaction:
    """Credit (positive) or debit (negative) a player's cash wallet against the house.

    A debit never takes the wallet below zero (``InsufficientFunds``). The amount is in the player's
    currency. ``idempotency_key``: a retried request with the same key posts once.
    """

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
            balance = format_money(exc.extra.get("balance"), player.currency)
            raise InsufficientFunds(f"A debit of {format_money(-amount, player.currency)} would take the cash "
                                    f"balance ({balance}) below zero.", extra=exc.extra) from None
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
