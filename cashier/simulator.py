"""The built-in simulated payment gateway: it behaves like a real one, for demo and tests.

After a deposit is handed to it, a Celery task decides the outcome from the gateway's ``simulation``
settings (``fail_rate``, ``timeout_rate``, ``duplicate_rate``) and answers through the same signed webhook
a real gateway uses: confirmed, failed, nothing at all (the deposit expires) or the same event twice.
The signed bytes go through :func:`cashier.services.webhooks.webhook_handle`, the function behind the HTTP
endpoint (signature, timestamp, de-duplication and all), in the worker's process.
"""

from __future__ import annotations

import json
import random
import time

from django.core.exceptions import ValidationError

from cashier.models import Deposit, Withdrawal
from cashier.services.webhooks import webhook_handle, webhook_sign

# What the simulator reads from ``PaymentGateway.simulation``: each setting optional, a number in [low, high].
SIMULATION_SETTINGS: dict[str, tuple[float, float]] = {
    "fail_rate": (0, 1),  # share of deposits the gateway declines
    "timeout_rate": (0, 1),  # share of deposits it never answers (they expire)
    "duplicate_rate": (0, 1),  # share of webhooks it sends twice
    "payout_fail_rate": (0, 1),  # share of payouts that fail
    "delay_seconds": (0, 3600),  # how long it takes to answer
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


def deposit_deliver(*, deposit_id: int, outcome: str | None = None) -> str:
    deposit = Deposit.objects.select_related("gateway").filter(pk=deposit_id).first()
    if deposit is None or not deposit.gateway.is_simulated:
        return "skipped"
    rng = random.Random()
    outcome = outcome or _outcome(deposit.gateway, rng)
    if outcome == "timeout":
        return "timeout"
    payload = {"event_id": f"evt-{deposit.reference}-{outcome}", "reference": deposit.reference,
               "gateway_reference": f"SIM-{deposit.pk}", "amount": str(deposit.amount), "currency": deposit.currency}
    if outcome == "ok":
        payload["type"] = "payment.confirmed"
    else:
        payload.update(type="payment.failed", reason=rng.choice(["card declined", "3-D Secure failed",
                                                                  "insufficient funds at issuer"]))
    _send(deposit.gateway, payload)
    if rng.random() < float(deposit.gateway.simulation.get("duplicate_rate", 0)):
        _send(deposit.gateway, payload)  # real gateways retry and duplicate
        return f"{outcome}+duplicate"
    return outcome


def payout_deliver(*, withdrawal_id: int, outcome: str | None = None) -> str:
    w = Withdrawal.objects.select_related("gateway").filter(pk=withdrawal_id).first()
    if w is None or not w.gateway.is_simulated or not w.payout_reference:
        return "skipped"
    outcome = outcome or ("fail" if random.random() < float(w.gateway.simulation.get("payout_fail_rate", 0))
                          else "ok")
    payload = {"event_id": f"evt-{w.payout_reference}-{outcome}", "reference": w.reference,
               "type": "payout.paid" if outcome == "ok" else "payout.failed", "amount": str(w.amount),
               "currency": w.currency, "gateway_reference": f"SIMPO-{w.pk}", "reason": "account closed"}
    _send(w.gateway, payload)
    return outcome
