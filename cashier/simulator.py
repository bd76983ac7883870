"""The built-in simulated payment gateway: it behaves like a real one, for demo and tests.

When a deposit or a payout is handed to it (``deposit_accept``, ``payout_accept``), it decides the outcome from
the gateway's ``simulation`` settings (``fail_rate``, ``timeout_rate``, ``payout_fail_rate``) and keeps its own
record of it, by our reference, for ``delay_seconds`` of processing. A Celery task then tells us through the same
signed webhook a real gateway uses: confirmed, failed, nothing at all (the player never finishes paying: the deposit
expires), the same event twice (``duplicate_rate``) or, with ``webhook_loss_rate``, a webhook that never arrives.
The signed bytes go through :func:`cashier.services.webhooks.webhook_handle`, the function behind the HTTP
endpoint (signature, timestamp, de-duplication and all), in the worker's process.

Like a real gateway it answers status queries from its record (:func:`status_query`): paid, failed, pending
(still processing, or a payer who never finished) or unknown (it was never handed that reference: the hand-over
was lost); ``status_query_fail_rate`` of the queries get no answer. The record lives in the cache (Redis), the
simulated gateway's own storage, for ``RECORD_TTL`` seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError

from cashier.choices import GatewayAnswer
from cashier.models import Deposit, PaymentGateway, Withdrawal
from cashier.services.gateway_status import GatewayUnavailable, StatusAnswer
from cashier.services.webhooks import webhook_handle, webhook_sign

RECORD_TTL = 30 * 24 * 3600

# What the simulator reads from ``PaymentGateway.simulation``: each setting optional, a number in [low, high].
SIMULATION_SETTINGS: dict[str, tuple[float, float]] = {
    "fail_rate": (0, 1),  # share of deposits the gateway declines
    "timeout_rate": (0, 1),  # share of deposits it never answers (they expire)
    "duplicate_rate": (0, 1),  # share of webhooks it sends twice
    "payout_fail_rate": (0, 1),  # share of payouts that fail
    "delay_seconds": (0, 3600),  # how long it takes to answer
    "webhook_loss_rate": (0, 1),  # share of results whose webhook never arrives (status queries still answer)
    "status_query_fail_rate": (0, 1),  # share of status queries left unanswered
}


def simulation_validate(value) -> None:
    """Raise ``ValidationError`` unless ``value`` has the shape of :data:`SIMULATION_SETTINGS`."""
    if not isinstance(value, dict):
        raise ValidationError('An object of settings, e.g. {"fail_rate": 0.1}.', code="shape")
    problems = []
    for key, number in value.items():
        if key not in SIMULATION_SETTINGS:
            problems.append(f"Unknown setting “{key}” (known: {', '.join(SIMULATION_SETTINGS)}).")
            continue
        low, high = SIMULATION_SETTINGS[key]
        if isinstance(number, bool) or not isinstance(number, int | float) or not low <= number <= high:
            problems.append(f"“{key}” must be a number from {low} to {high}.")
    if problems:
        raise ValidationError(problems, code="shape")


def _send(gateway, payload: dict) -> tuple[int, dict]:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    ts = int(time.time())
    signature = webhook_sign(gateway.webhook_secret, ts, raw)
    return webhook_handle(gateway_code=gateway.code, raw=raw, timestamp=str(ts), signature=signature)


def _outcome(gateway, rng: random.Random) -> str:
    sim = gateway.simulation or {}
    roll = rng.random()
    if roll < float(sim.get("timeout_rate", 0)):
        return "timeout"
    if roll < float(sim.get("timeout_rate", 0)) + float(sim.get("fail_rate", 0)):
        return "fail"
    return "ok"


def _key(gateway, reference: str) -> str:
    return f"cashier:simulated-gateway:{gateway.code}:{reference}"


def _epoch(now: dt.datetime | None) -> float:
    return now.timestamp() if now is not None else time.time()


def _record(gateway, reference: str, *, kind: str, amount: Decimal, currency: str, outcome: str,
            gateway_reference: str, reason: str = "") -> dict:
    """The gateway takes a payment: its own record, settled ``delay_seconds`` from now (outcome decided now)."""
    record = {"kind": kind, "amount": str(amount), "currency": currency, "outcome": outcome,
              "gateway_reference": gateway_reference, "reason": reason,
              "settles_at": time.time() + float((gateway.simulation or {}).get("delay_seconds", 2))}
    cache.set(_key(gateway, reference), record, RECORD_TTL)
    return record


def forget(gateway, reference: str) -> None:
    """The gateway loses (or never got) a payment: its status queries answer "unknown" (tests, demos)."""
    cache.delete(_key(gateway, reference))


def _deposit_record(deposit: Deposit, outcome: str | None = None) -> dict:
    record = cache.get(_key(deposit.gateway, deposit.reference))
    if record is None or (outcome and record["outcome"] != outcome):
        rng = random.Random()
        outcome = outcome or _outcome(deposit.gateway, rng)
        reason = rng.choice(["card declined", "3-D Secure failed", "insufficient funds at issuer"])
        record = _record(deposit.gateway, deposit.reference, kind="deposit", amount=deposit.amount,
                         currency=deposit.currency, outcome=outcome, gateway_reference=f"SIM-{deposit.pk}",
                         reason=reason if outcome == "fail" else "")
    return record


def _payout_record(w: Withdrawal, outcome: str | None = None) -> dict:
    record = cache.get(_key(w.gateway, w.payout_reference))
    if record is None or (outcome and record["outcome"] != outcome):
        outcome = outcome or ("fail" if random.random() < float(w.gateway.simulation.get("payout_fail_rate", 0))
                              else "ok")
        record = _record(w.gateway, w.payout_reference, kind="payout", amount=w.amount, currency=w.currency,
                         outcome=outcome, gateway_reference=f"SIMPO-{w.pk}",
                         reason="account closed" if outcome == "fail" else "")
    return record


def _lost(gateway) -> bool:
    return random.random() < float((gateway.simulation or {}).get("webhook_loss_rate", 0))


def deposit_accept(*, deposit_id: int) -> None:
    """Hand a deposit to the simulated gateway (our side's API call): it records the payment and its webhook
    follows after ``delay_seconds`` (a Celery task)."""
    # Imported here: cashier.tasks imports this module.
    from cashier.tasks import simulated_gateway_deliver  # noqa: PLC0415

    deposit = Deposit.objects.select_related("gateway").get(pk=deposit_id)
    _deposit_record(deposit)
    delay = float(deposit.gateway.simulation.get("delay_seconds", 2))
    simulated_gateway_deliver.apply_async(args=[deposit_id], countdown=delay)


def payout_accept(*, withdrawal_id: int) -> None:
    """Send a payout to the simulated gateway: it records the payout and its webhook follows after
    ``delay_seconds`` (a Celery task)."""
    # Imported here: cashier.tasks imports this module.
    from cashier.tasks import simulated_payout_deliver  # noqa: PLC0415

    w = Withdrawal.objects.select_related("gateway").get(pk=withdrawal_id)
    _payout_record(w)
    delay = float(w.gateway.simulation.get("delay_seconds", 2))
    simulated_payout_deliver.apply_async(args=[withdrawal_id], countdown=delay)


def deposit_deliver(*, deposit_id: int, outcome: str | None = None) -> str:
    """The gateway's webhook about a deposit, as its record says (``outcome`` forces one: tests)."""
    deposit = Deposit.objects.select_related("gateway").filter(pk=deposit_id).first()
    if deposit is None or not deposit.gateway.is_simulated:
        return "skipped"
    record = _deposit_record(deposit, outcome)
    outcome = record["outcome"]
    if outcome == "timeout":
        return "timeout"
    if _lost(deposit.gateway):
        return f"{outcome}+lost"
    payload = {"event_id": f"evt-{deposit.reference}-{outcome}", "reference": deposit.reference,
               "gateway_reference": record["gateway_reference"], "amount": str(deposit.amount),
               "currency": deposit.currency}
    if outcome == "ok":
        payload["type"] = "payment.confirmed"
    else:
        payload.update(type="payment.failed", reason=record["reason"])
    _send(deposit.gateway, payload)
    if random.random() < float(deposit.gateway.simulation.get("duplicate_rate", 0)):
        _send(deposit.gateway, payload)  # real gateways retry and duplicate
        return f"{outcome}+duplicate"
    return outcome


def payout_deliver(*, withdrawal_id: int, outcome: str | None = None) -> str:
    """The gateway's webhook about a payout, as its record says (``outcome`` forces one: tests)."""
    w = Withdrawal.objects.select_related("gateway").filter(pk=withdrawal_id).first()
    if w is None or not w.gateway.is_simulated or not w.payout_reference:
        return "skipped"
    record = _payout_record(w, outcome)
    outcome = record["outcome"]
    if _lost(w.gateway):
        return f"{outcome}+lost"
    payload = {"event_id": f"evt-{w.payout_reference}-{outcome}", "reference": w.reference,
               "type": "payout.paid" if outcome == "ok" else "payout.failed", "amount": str(w.amount),
               "currency": w.currency, "gateway_reference": record["gateway_reference"],
               "reason": record["reason"] or "account closed"}
    _send(w.gateway, payload)
    return outcome


def status_query(*, gateway: PaymentGateway, kind: str, reference: str, now: dt.datetime | None = None
                 ) -> StatusAnswer:
    """Answer a status query as a real gateway would: from its own record of the payment, by our reference
    (a deposit's reference, a payout's payout reference). ``now`` stands for the gateway's clock (tests)."""
    if random.random() < float((gateway.simulation or {}).get("status_query_fail_rate", 0)):
        raise GatewayUnavailable("the simulated gateway timed out")
    record = cache.get(_key(gateway, reference))
    if record is None or record["kind"] != kind:
        return StatusAnswer(GatewayAnswer.UNKNOWN)
    if record["outcome"] == "timeout" or _epoch(now) < record["settles_at"]:
        return StatusAnswer(GatewayAnswer.PENDING)
    state = GatewayAnswer.PAID if record["outcome"] == "ok" else GatewayAnswer.FAILED
    return StatusAnswer(state, amount=Decimal(record["amount"]), currency=record["currency"],
                        gateway_reference=record["gateway_reference"], reason=record["reason"])
