"""The ops drill of docs/operations.md ("Nothing waits forever"), through real Celery workers and the real broker:
payouts are sent, the worker holding the gateway's answers is stopped and the broker's queue flushed, so the
answers never come; the sweep, run by a new worker at a later clock, asks the gateway and settles them, or puts
them in the needs-attention queue, which the dashboard announces. The ledger stays balanced throughout."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from cashier.models import AttentionItem, PaymentGateway, PaymentMethod, Withdrawal
from cashier.services import deposit_confirm, deposit_initiate, withdrawal_approve, withdrawal_request
from cashier.tasks import gateway_status_sweep
from tests.cashier.conftest import ledger_ok
from tests.factories import OperatorFactory, PlayerFactory

DELIVERY_DELAY = 12  # seconds the simulated gateway takes before its webhook


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _statuses(ids):
    return sorted(Withdrawal.objects.filter(pk__in=ids).values_list("status", flat=True))


@pytest.mark.django_db(transaction=True)
def test_answers_lost_with_the_worker_and_the_broker_are_asked_for_or_flagged(celery_app, gateway, method, login):
    gateway.simulation = {"delay_seconds": DELIVERY_DELAY}
    gateway.save()
    # A second gateway whose status API never answers (an outage on its side).
    dark = PaymentGateway.objects.create(code="darkpay", name="DarkPay", is_simulated=True,
                                         simulation={"delay_seconds": DELIVERY_DELAY, "status_query_fail_rate": 1})
    dark_method = PaymentMethod.objects.create(gateway=dark, code="card", name="Dark card", currency="EUR",
                                               min_amount=Decimal("10"), max_amount=Decimal("1000"))
    finance, risk = OperatorFactory(role="Finance"), OperatorFactory(role="Risk & Compliance")
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.flushdb()
    ids = []
    with start_worker(celery_app, perform_ping_check=False, queues=("celery",), shutdown_timeout=20):
        for i in range(6):
            m = method if i < 4 else dark_method
            player = PlayerFactory(currency="EUR", country="MT")
            d = deposit_initiate(player=player, method=m, amount="200")
            deposit_confirm(deposit_id=d.pk, amount=Decimal("200"), currency="EUR")
            w = withdrawal_request(player=player, method=m, amount="50")
            # deposit-then-withdraw holds it for AML: Risk & Compliance releases it; the payout task goes to
            # the broker on commit
            withdrawal_approve(withdrawal_id=w.pk, actor=risk)
            ids.append(w.pk)
        sent = Withdrawal.objects.filter(pk__in=ids).exclude(payout_reference="")
        assert _wait(lambda: sent.count() == 6), "the worker did not send the payouts"
    # The worker is gone before the gateway's answers were due; they were still in the broker, now lost with it.
    sent_at = max(Withdrawal.objects.filter(pk__in=ids).values_list("payout_sent_at", flat=True))
    assert timezone.now() - sent_at < timedelta(seconds=DELIVERY_DELAY), "too slow to stop before the answers"
    assert broker.llen("celery") >= 6  # the six webhook deliveries, back in the queue from the stopped worker
    broker.flushdb()
    ledger_ok()

    with start_worker(celery_app, perform_ping_check=False, queues=("celery",)):
        time.sleep(max(0.0, (sent_at + timedelta(seconds=DELIVERY_DELAY + 1) - timezone.now()).total_seconds()))
        assert _statuses(ids) == ["approved"] * 6  # the answers were due by now: nothing will come by itself
        ledger_ok()
        start = timezone.now()
        gateway_status_sweep.delay(now=(start + timedelta(minutes=16)).isoformat())
        assert _wait(lambda: _statuses(ids).count("paid") == 4), _statuses(ids)
        ledger_ok()
        for minutes in (22, 28):  # DarkPay never answers: the third query puts its two payouts in the queue
            gateway_status_sweep.delay(now=(start + timedelta(minutes=minutes)).isoformat())
            assert _wait(lambda m=minutes: set(Withdrawal.objects.filter(pk__in=ids[4:]).values_list(
                "status_queries", flat=True)) == {(m - 16) // 6 + 1}
                and not Withdrawal.objects.filter(pk__in=ids[4:], answer_due_at__lt=start + timedelta(minutes=m))
                .exists()), minutes
    flagged = AttentionItem.objects.filter(resolved_at__isnull=True)
    assert sorted(flagged.values_list("withdrawal_id", flat=True)) == sorted(ids[4:])
    assert all("did not answer 3 status queries" in item.reason for item in flagged)
    assert _statuses(ids) == ["approved", "approved", "paid", "paid", "paid", "paid"]
    ledger_ok()

    page = login(finance).get("/").content.decode()
    assert "2 payments need attention" in page and 'href="/cashier/attention/"' in page
    queue = login(finance).get("/cashier/attention/").content.decode()
    assert all(Withdrawal.objects.get(pk=pk).reference in queue for pk in ids[4:])
    assert "no answer: the simulated gateway timed out" in queue
