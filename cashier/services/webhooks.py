"""Gateway webhooks: ``POST /api/payments/v1/<gateway>/webhook``.

Headers ``X-Payment-Timestamp: <unix seconds>`` and ``X-Payment-Signature: <hex HMAC-SHA256(secret,
timestamp + "." + raw_body)>``, checked over the raw bytes before parsing; a timestamp more than
``SIGNATURE_MAX_SKEW_SECONDS`` away is refused. Body: ``{"event_id", "type", "reference", "amount",
"currency", "gateway_reference", "reason"}`` with ``type`` one of ``payment.confirmed``,
``payment.failed``, ``payout.paid``, ``payout.failed``. Idempotent by ``event_id`` per gateway: a replay
gets the first answer; the same id with another body is ``DUPLICATE_EVENT``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction

from backoffice.exceptions import ApplicationError
from cashier.models import Deposit, PaymentGateway, WebhookEvent, Withdrawal
from cashier.services.deposits import deposit_confirm, deposit_fail
from cashier.services.withdrawals import withdrawal_payout_result

EVENT_TYPES = ("payment.confirmed", "payment.failed", "payout.paid", "payout.failed")


def webhook_sign(secret: str, timestamp: int | str, raw: bytes) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + raw, hashlib.sha256).hexdigest()


def _error(status: int, code: str, message: str) -> tuple[int, dict]:
    return status, {"status": "ERROR", "code": code, "message": message}


def webhook_handle(*, gateway_code: str, raw: bytes, timestamp: str, signature: str) -> tuple[int, dict]:
    """Verify, de-duplicate and apply one webhook call. Returns (HTTP status, JSON body); never raises
    for bad input."""
    gateway = PaymentGateway.objects.filter(code=gateway_code, is_active=True).first()
    if gateway is None:
        return _error(404, "UNKNOWN_GATEWAY", "No such gateway.")
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return _error(401, "INVALID_SIGNATURE", "Missing or malformed timestamp.")
    if abs(time.time() - ts) > getattr(settings, "SIGNATURE_MAX_SKEW_SECONDS", 300):
        return _error(401, "INVALID_SIGNATURE", "Stale timestamp.")
    if not signature or not hmac.compare_digest(webhook_sign(gateway.webhook_secret, ts, raw), signature.lower()):
        return _error(401, "INVALID_SIGNATURE", "Bad signature.")
    try:
        body = json.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError):
        return _error(400, "WRONG_SYNTAX", "The body is not UTF-8 JSON.")
    if not isinstance(body, dict):
        return _error(400, "WRONG_SYNTAX", "The body must be a JSON object.")
    event_id, event_type, reference = body.get("event_id"), body.get("type"), body.get("reference")
    if not all(isinstance(v, str) and 0 < len(v) <= 100 for v in (event_id, event_type, reference)):
        return _error(400, "WRONG_SYNTAX", "event_id, type and reference are required strings.")
    if event_type not in EVENT_TYPES:
        return _error(400, "WRONG_SYNTAX", f"Unknown event type {event_type!r}.")
    digest = hashlib.sha256(raw).hexdigest()
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    event = WebhookEvent.objects.create(gateway=gateway, event_id=event_id, body_hash=digest,
                                                        event_type=event_type, reference=reference,
                                                        payload=json.loads(raw), outcome="processing")
            except IntegrityError:
                first = WebhookEvent.objects.get(gateway=gateway, event_id=event_id)
                if first.body_hash != digest:
                    return _error(409, "DUPLICATE_EVENT", "This event id was sent before with another body.")
                return 200, {"status": "OK", "duplicate": True, "outcome": first.outcome}
            outcome = _apply(gateway, event_type, reference, body)
            event.outcome = outcome
            event.save(update_fields=["outcome"])
    except _Refused as exc:
        return _error(exc.status, exc.code, exc.message)
    return 200, {"status": "OK", "outcome": outcome}


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _amount(body) -> tuple[Decimal, str]:
    raw, currency = body.get("amount"), body.get("currency")
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)) or not isinstance(currency, str):
        raise _Refused(400, "WRONG_SYNTAX", "amount (decimal string) and currency are required.")
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise _Refused(400, "WRONG_SYNTAX", "amount is not a decimal.") from None
    if not amount.is_finite() or amount <= 0:
        raise _Refused(400, "WRONG_SYNTAX", "amount must be a positive finite decimal.")
    return amount, currency


def _apply(gateway, event_type: str, reference: str, body: dict) -> str:
    integration = f"gateway:{gateway.code}"
    gateway_reference = str(body.get("gateway_reference", ""))[:100]
    try:
        if event_type.startswith("payment."):
            deposit = Deposit.objects.filter(gateway=gateway, reference=reference).first()
            if deposit is None:
                raise _Refused(404, "UNKNOWN_REFERENCE", "No deposit with this reference at this gateway.")
            if event_type == "payment.confirmed":
                amount, currency = _amount(body)
                _, changed = deposit_confirm(deposit_id=deposit.pk, amount=amount, currency=currency,
                                             gateway_reference=gateway_reference, integration=integration)
                return "confirmed" if changed else "already_confirmed"
            _, changed = deposit_fail(deposit_id=deposit.pk, reason=str(body.get("reason", "declined"))[:200],
                                      integration=integration)
            return "failed" if changed else "already_failed"
        withdrawal = Withdrawal.objects.filter(gateway=gateway, reference=reference).first()
        if withdrawal is None:
            raise _Refused(404, "UNKNOWN_REFERENCE", "No withdrawal with this reference at this gateway.")
        if event_type == "payout.paid":
            amount, currency = _amount(body)
            if amount != withdrawal.amount or currency != withdrawal.currency:
                raise _Refused(409, "AMOUNT_MISMATCH", "The payout amount differs from the withdrawal.")
        ok = event_type == "payout.paid"
        changed = withdrawal_payout_result(withdrawal_id=withdrawal.pk, paid=ok, gateway_reference=gateway_reference,
                                           reason=str(body.get("reason", ""))[:200], integration=integration)
        return ("paid" if ok else "payout_failed") if changed else "unchanged"
    except ApplicationError as exc:
        raise _Refused(409, exc.code.upper(), exc.message) from None
