"""Celery tasks: the simulated gateway confirming through its webhook from a real worker; payouts once."""

import time
from decimal import Decimal

import pytest

from cashier.models import Deposit, LedgerTransaction, WebhookEvent
from cashier.services import player_balances


@pytest.mark.django_db(transaction=True)
def test_simulated_gateway_confirms_through_a_real_worker(celery_worker, gateway, method):
    from cashier.services import deposit_initiate
    from tests.cashier.conftest import ledger_ok
    from tests.factories import PlayerFactory

    gateway.simulation = {"delay_seconds": 0, "duplicate_rate": 1}
    gateway.save()
    player = PlayerFactory(currency="EUR", country="MT")
    d = deposit_initiate(player=player, method=method, amount="35.00")  # autocommit: the task is sent at once
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and Deposit.objects.get(pk=d.pk).status != "confirmed":
        time.sleep(0.2)
    assert Deposit.objects.get(pk=d.pk).status == "confirmed"
    time.sleep(0.5)
    assert WebhookEvent.objects.filter(reference=d.reference).count() == 1  # the duplicate was recognised
    assert player_balances(player=player)["cash"] == Decimal("35.00")
    ledger_ok()


@pytest.mark.django_db
def test_payout_task_run_twice_pays_once(gateway, method, no_simulator):
    from cashier.services import deposit_confirm, deposit_initiate, withdrawal_approve, withdrawal_request
    from cashier.simulator import payout_deliver
    from cashier.tasks import payout_send_task
    from tests.factories import OperatorFactory, PlayerFactory

    player = PlayerFactory(currency="EUR", country="MT")
    d = deposit_initiate(player=player, method=method, amount="100")
    deposit_confirm(deposit_id=d.pk, amount=Decimal("100"), currency="EUR")
    w = withdrawal_request(player=player, method=method, amount="40")
    # deposit-then-withdraw flags the player: the AML hold is Risk & Compliance's to release
    withdrawal_approve(withdrawal_id=w.pk, actor=OperatorFactory(role="Risk & Compliance"))
    payout_send_task.apply(args=[w.pk])
    payout_send_task.apply(args=[w.pk])
    from backoffice.models import AuditEvent

    assert AuditEvent.objects.filter(action="cashier.payout_send", object_id=str(w.pk)).count() == 1
    assert payout_deliver(withdrawal_id=w.pk, outcome="ok") == "ok"
    assert payout_deliver(withdrawal_id=w.pk, outcome="ok") == "ok"  # the gateway's duplicate
    assert LedgerTransaction.objects.filter(kind="cashier.withdrawal_payout").count() == 1
    w.refresh_from_db()
    assert w.status == "paid"
