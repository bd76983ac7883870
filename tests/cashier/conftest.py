"""Fixtures of the cashier tests and the permission-matrix registrations of cashier objects."""

from decimal import Decimal

import pytest

from tests.factories import PlayerFactory


def fund(player, amount, *, key=None):
    """Credit a player's cash wallet from gateway clearing (a deposit without the deposit machinery)."""
    from cashier.choices import AccountKind
    from cashier.services import house_account, ledger_post, player_account

    cash = player_account(player=player, kind=AccountKind.PLAYER_CASH)
    clearing = house_account(currency=player.currency, kind=AccountKind.GATEWAY_CLEARING)
    amount = Decimal(amount)
    return ledger_post(idempotency_key=key or f"fund:{player.pk}:{cash.balance}:{amount}:{id(object())}",
                       kind="test.fund", lines=[(cash, amount), (clearing, -amount)]).transaction


@pytest.fixture
def funded_player(db):
    player = PlayerFactory(currency="EUR")
    fund(player, "100.00")
    return player


def ledger_ok():
    from cashier.verify import ledger_verify

    report = ledger_verify()
    assert report.ok, report.problems
    return report


@pytest.fixture
def gateway(db):
    from cashier.models import PaymentGateway

    return PaymentGateway.objects.create(code="simpay", name="SimPay", webhook_secret="s3cret", is_simulated=True,
                                         simulation={"delay_seconds": 0})


@pytest.fixture
def method(gateway):
    from cashier.models import PaymentMethod

    return PaymentMethod.objects.create(gateway=gateway, code="card", name="Card", currency="EUR",
                                        min_amount=Decimal("10"), max_amount=Decimal("1000"))


@pytest.fixture
def no_simulator(monkeypatch):
    """Deposits handed to the simulated gateway stay pending (the test plays the gateway)."""
    from cashier import tasks

    calls = []
    monkeypatch.setattr(tasks.simulated_gateway_deliver, "apply_async", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setattr(tasks.simulated_payout_deliver, "apply_async", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setattr(tasks.payout_send_task, "delay_on_commit", lambda *a, **k: calls.append((a, k)))
    return calls


def signed_post(client, gateway, payload, *, secret=None, ts=None, raw=None):
    import json
    import time

    from cashier.services import webhook_sign

    raw = raw if raw is not None else json.dumps(payload).encode()
    ts = int(time.time()) if ts is None else ts
    sig = webhook_sign(secret or gateway.webhook_secret, ts, raw)
    return client.post(f"/api/payments/v1/{gateway.code}/webhook", data=raw, content_type="application/json",
                       HTTP_X_PAYMENT_TIMESTAMP=str(ts), HTTP_X_PAYMENT_SIGNATURE=sig)
