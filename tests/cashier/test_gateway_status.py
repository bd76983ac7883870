"""Nothing waits forever: deadlines on pending deposits and sent payouts, status queries to the gateway, the
needs-attention queue and its manual resolution (cashier.services.gateway_status)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from backoffice.exceptions import ApplicationError
from backoffice.models import AuditEvent
from cashier import simulator
from cashier.choices import DepositStatus, GatewayAnswer, WithdrawalStatus
from cashier.models import AttentionItem, Deposit, LedgerTransaction, Withdrawal, WithdrawalPolicy
from cashier.services import (
    attention_requery,
    attention_resolve,
    deposit_confirm,
    deposit_initiate,
    deposits_expire,
    gateway_status_sweep,
    payout_send,
    player_balances,
    withdrawal_approve,
    withdrawal_request,
)
from cashier.services import gateway_status as gs
from tests.cashier.conftest import ledger_ok
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(db):
    return OperatorFactory(role="Finance")


@pytest.fixture
def sent_payout(gateway, method, no_simulator, finance, django_capture_on_commit_callbacks):
    """``sent_payout(amount)``: an approved withdrawal whose payout the simulated gateway received."""

    def make(amount="40.00"):
        player = PlayerFactory(currency="EUR", country="MT")
        d = deposit_initiate(player=player, method=method, amount="500")
        deposit_confirm(deposit_id=d.pk, amount=Decimal("500"), currency="EUR")
        w = withdrawal_request(player=player, method=method, amount=amount)
        # deposit-then-withdraw flags the player: the AML hold is Risk & Compliance's to release
        withdrawal_approve(withdrawal_id=w.pk, actor=OperatorFactory(role="Risk & Compliance"))
        if w.needs_second_approval:
            withdrawal_approve(withdrawal_id=w.pk, actor=OperatorFactory(role="Risk & Compliance"))
        with django_capture_on_commit_callbacks(execute=True):
            assert payout_send(withdrawal_id=w.pk)
        return Withdrawal.objects.get(pk=w.pk)

    return make


@pytest.fixture
def pending_deposit(gateway, method, no_simulator, django_capture_on_commit_callbacks):
    """``pending_deposit()``: a deposit handed to the simulated gateway, its webhook not (yet) received."""

    def make(amount="30.00"):
        with django_capture_on_commit_callbacks(execute=True):
            d = deposit_initiate(player=PlayerFactory(currency="EUR", country="MT"), method=method, amount=amount)
        return Deposit.objects.get(pk=d.pk)

    return make


def later(minutes):
    return timezone.now() + timedelta(minutes=minutes)


def simulate(gateway, **settings):
    gateway.simulation = {"delay_seconds": 0, **settings}
    gateway.save(update_fields=["simulation"])


def open_item(obj):
    field = "withdrawal" if isinstance(obj, Withdrawal) else "deposit"
    return AttentionItem.objects.filter(resolved_at__isnull=True, **{field: obj}).first()


# --- deadlines ------------------------------------------------------------------------------------

def test_sending_a_payout_sets_its_deadline(sent_payout, settings):
    w = sent_payout()
    assert w.payout_sent_at is not None and w.status_queries == 0
    assert w.answer_due_at == w.payout_sent_at + timedelta(minutes=settings.CASHIER_PAYOUT_ANSWER_MINUTES)


def test_handing_a_deposit_over_sets_its_deadline(pending_deposit, settings):
    d = pending_deposit()
    expected = d.created_at + timedelta(minutes=settings.CASHIER_DEPOSIT_ANSWER_MINUTES)
    assert d.status == DepositStatus.PENDING and abs(d.answer_due_at - expected) < timedelta(seconds=5)


def test_nothing_is_asked_before_the_deadline(sent_payout, pending_deposit):
    w, d = sent_payout(), pending_deposit()
    assert gateway_status_sweep(now=later(5)) == {}
    w.refresh_from_db(), d.refresh_from_db()
    assert w.status_queries == 0 and d.status_queries == 0 and w.status == WithdrawalStatus.APPROVED


# --- payouts: each answer -------------------------------------------------------------------------

def test_a_lost_payout_answer_is_asked_for_and_applied_once(sent_payout, gateway):
    w = sent_payout()
    assert gateway_status_sweep(now=later(16)) == {"paid": 1}
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.PAID and w.answer_due_at is None and w.status_queries == 1
    assert w.last_query_result.startswith("paid")
    assert AuditEvent.objects.filter(action="cashier.gateway_status_query", object_id=str(w.pk)).count() == 1
    # the webhook arrives after all: nothing changes
    assert simulator.payout_deliver(withdrawal_id=w.pk) == "ok"
    assert LedgerTransaction.objects.filter(kind="cashier.withdrawal_payout", reference=w.reference).count() == 1
    assert gateway_status_sweep(now=later(60)) == {}
    assert not AttentionItem.objects.exists()
    ledger_ok()


def test_a_failed_payout_returns_the_funds(sent_payout, gateway):
    simulate(gateway, payout_fail_rate=1)
    w = sent_payout()
    cash_before = player_balances(player=w.player)["cash"]
    assert gateway_status_sweep(now=later(16)) == {"failed": 1}
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.FAILED and "account closed" in w.rejection_reason
    assert player_balances(player=w.player)["cash"] == cash_before + w.amount
    ledger_ok()


def test_a_payout_still_pending_after_k_queries_needs_attention(sent_payout, gateway, settings):
    settings.CASHIER_STATUS_QUERY_ATTEMPTS = 3
    simulate(gateway, delay_seconds=3600)  # the gateway takes an hour
    w = sent_payout()
    now = later(16)
    assert gateway_status_sweep(now=now) == {"pending": 1}
    w.refresh_from_db()
    assert w.answer_due_at == now + timedelta(minutes=settings.CASHIER_STATUS_QUERY_INTERVAL_MINUTES)
    assert gateway_status_sweep(now=later(22)) == {"pending": 1}
    assert gateway_status_sweep(now=later(28)) == {"flagged": 1}
    w.refresh_from_db()
    item = open_item(w)
    assert w.status == WithdrawalStatus.APPROVED and w.answer_due_at is None and w.status_queries == 3
    assert "still reports the payout pending after 3" in item.reason
    assert AuditEvent.objects.filter(action="cashier.attention_open", object_id=str(item.pk)).exists()
    assert gateway_status_sweep(now=later(90)) == {}  # flagged: no more automatic queries
    ledger_ok()


def test_a_payout_the_gateway_does_not_know_needs_attention_at_once(sent_payout, gateway):
    w = sent_payout()
    simulator.forget(gateway, w.payout_reference)
    assert gateway_status_sweep(now=later(16)) == {"flagged": 1}
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.APPROVED and w.last_query_result == GatewayAnswer.UNKNOWN
    assert open_item(w).reason == "The gateway has no record of this payout (unknown)."


def test_a_gateway_that_does_not_answer_is_asked_k_times(sent_payout, gateway, settings):
    settings.CASHIER_STATUS_QUERY_ATTEMPTS = 2
    w = sent_payout()
    simulate(gateway, status_query_fail_rate=1)
    assert gateway_status_sweep(now=later(16)) == {"no_answer": 1}
    assert open_item(w) is None
    assert gateway_status_sweep(now=later(22)) == {"flagged": 1}
    w.refresh_from_db()
    assert w.last_query_result.startswith("no answer") and "did not answer 2 status queries" in open_item(w).reason


def test_an_answer_the_services_refuse_needs_attention(sent_payout, monkeypatch):
    w = sent_payout("40.00")
    monkeypatch.setattr(gs, "gateway_status_query", lambda **kw: gs.StatusAnswer(
        GatewayAnswer.PAID, amount=Decimal("400.00"), currency="EUR"))
    assert gateway_status_sweep(now=later(16)) == {"flagged": 1}
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.APPROVED and "cannot be applied" in open_item(w).reason
    ledger_ok()


def test_a_gateway_without_a_status_adapter_counts_as_no_answer(sent_payout, gateway, settings):
    settings.CASHIER_STATUS_QUERY_ATTEMPTS = 1
    w = sent_payout()
    gateway.is_simulated = False
    gateway.save(update_fields=["is_simulated"])
    assert gateway_status_sweep(now=later(16)) == {"flagged": 1}
    assert "No status API adapter" in Withdrawal.objects.get(pk=w.pk).last_query_result


def test_a_late_webhook_settles_a_flagged_payout_and_closes_its_item(sent_payout, gateway):
    w = sent_payout()
    simulator.forget(gateway, w.payout_reference)
    gateway_status_sweep(now=later(16))
    item = open_item(w)
    assert simulator.payout_deliver(withdrawal_id=w.pk, outcome="ok") == "ok"
    item.refresh_from_db()
    assert not item.is_open and item.resolution == "Settled: paid (gateway:simpay)" and item.resolved_by is None
    assert Withdrawal.objects.get(pk=w.pk).status == WithdrawalStatus.PAID
    ledger_ok()


def test_two_sweeps_at_once_ask_once(sent_payout):
    w = sent_payout()
    now = later(16)
    assert gateway_status_sweep(now=now) == {"paid": 1}
    assert gateway_status_sweep(now=now) == {}
    assert Withdrawal.objects.get(pk=w.pk).status_queries == 1


# --- deposits: each answer ------------------------------------------------------------------------

def test_a_deposit_whose_webhook_was_lost_is_confirmed_by_the_query(pending_deposit):
    d = pending_deposit("30.00")
    assert gateway_status_sweep(now=later(11)) == {"paid": 1}
    d.refresh_from_db()
    assert d.status == DepositStatus.CONFIRMED and d.answer_due_at is None
    assert player_balances(player=d.player)["cash"] == Decimal("30.00")
    assert simulator.deposit_deliver(deposit_id=d.pk) == "ok"  # the webhook after all: no second credit
    assert player_balances(player=d.player)["cash"] == Decimal("30.00")
    ledger_ok()


def test_a_declined_deposit_is_failed_by_the_query(pending_deposit, gateway):
    simulate(gateway, fail_rate=1)
    d = pending_deposit()
    assert gateway_status_sweep(now=later(11)) == {"failed": 1}
    d.refresh_from_db()
    assert d.status == DepositStatus.FAILED and d.failure_reason


def test_an_unfinished_deposit_is_not_flagged_and_expires(pending_deposit, gateway, settings):
    settings.CASHIER_STATUS_QUERY_ATTEMPTS = 2
    simulate(gateway, timeout_rate=1)  # the player never finishes paying: the gateway says pending
    d = pending_deposit()
    for minutes in (11, 17, 23):
        assert gateway_status_sweep(now=later(minutes)) == {"pending": 1}
    assert open_item(d) is None
    Deposit.objects.filter(pk=d.pk).update(created_at=d.created_at - timedelta(hours=1))
    assert deposits_expire() == 1
    assert Deposit.objects.get(pk=d.pk).status == DepositStatus.EXPIRED
    assert gateway_status_sweep(now=later(60)) == {}


def test_a_deposit_the_gateway_does_not_know_needs_attention_and_does_not_expire(pending_deposit, gateway):
    d = pending_deposit()
    simulator.forget(gateway, d.reference)
    assert gateway_status_sweep(now=later(11)) == {"flagged": 1}
    assert open_item(d) is not None
    Deposit.objects.filter(pk=d.pk).update(created_at=d.created_at - timedelta(hours=1))
    assert deposits_expire() == 0  # left to staff: nobody knows whether the money moved
    assert Deposit.objects.get(pk=d.pk).status == DepositStatus.PENDING


# --- the queue: re-query and manual resolution --------------------------------------------------------

@pytest.fixture
def flagged_payout(sent_payout, gateway, settings):
    def make(amount="40.00"):
        settings.CASHIER_STATUS_QUERY_ATTEMPTS = 1
        simulate(gateway, status_query_fail_rate=1)
        w = sent_payout(amount)
        assert gateway_status_sweep(now=later(16)) == {"flagged": 1}
        simulate(gateway)
        return w, open_item(w)

    return make


def test_requery_settles_when_the_gateway_answers(flagged_payout, finance):
    w, item = flagged_payout()
    assert attention_requery(item_id=item.pk, actor=finance) == "paid"
    item.refresh_from_db()
    assert not item.is_open and item.resolved_by == finance
    assert Withdrawal.objects.get(pk=w.pk).status == WithdrawalStatus.PAID
    assert AuditEvent.objects.filter(action="cashier.gateway_status_query", actor=finance).exists()
    with pytest.raises(ApplicationError, match="already resolved"):
        attention_requery(item_id=item.pk, actor=finance)
    ledger_ok()


def test_requery_without_an_answer_keeps_the_item(flagged_payout, gateway, finance):
    w, item = flagged_payout()
    simulator.forget(gateway, w.payout_reference)
    assert attention_requery(item_id=item.pk, actor=finance) == "flagged"
    assert AttentionItem.objects.filter(withdrawal=w).count() == 1 and open_item(w) == item
    assert Withdrawal.objects.get(pk=w.pk).last_query_result == "unknown"


def test_resolve_needs_a_reason(flagged_payout, finance):
    _, item = flagged_payout()
    with pytest.raises(ApplicationError, match="reason"):
        attention_resolve(item_id=item.pk, outcome="paid", reason="  ", actor=finance)


def test_resolve_paid_and_failed_go_through_the_payout_services(flagged_payout, finance):
    w, item = flagged_payout()
    attention_resolve(item_id=item.pk, outcome="paid", reason="Bank statement shows it", actor=finance)
    item.refresh_from_db()
    assert not item.is_open and item.resolution.startswith(f"Marked paid by {finance.username}")
    assert Withdrawal.objects.get(pk=w.pk).status == WithdrawalStatus.PAID
    audit = AuditEvent.objects.get(action="cashier.withdrawal_payout_result", object_id=str(w.pk))
    assert audit.actor == finance
    w2, item2 = flagged_payout()
    cash = player_balances(player=w2.player)["cash"]
    attention_resolve(item_id=item2.pk, outcome="failed", reason="Gateway support: rejected", actor=finance)
    assert Withdrawal.objects.get(pk=w2.pk).status == WithdrawalStatus.FAILED
    assert player_balances(player=w2.player)["cash"] == cash + w2.amount
    assert AuditEvent.objects.filter(action="cashier.attention_resolve").count() == 2
    ledger_ok()


def test_resolve_above_the_threshold_needs_two_people(flagged_payout, finance):
    WithdrawalPolicy.objects.create(currency="EUR", four_eyes_above=Decimal("100"))
    w, item = flagged_payout("150.00")
    attention_resolve(item_id=item.pk, outcome="paid", reason="Statement", actor=finance)
    item.refresh_from_db()
    assert item.is_open and item.proposed_outcome == "paid" and item.proposed_by == finance
    assert Withdrawal.objects.get(pk=w.pk).status == WithdrawalStatus.APPROVED
    with pytest.raises(ApplicationError, match="Four-eyes"):
        attention_resolve(item_id=item.pk, outcome="paid", reason="Statement", actor=finance)
    second = OperatorFactory(role="Finance")
    attention_resolve(item_id=item.pk, outcome="failed", reason="I disagree", actor=second)
    item.refresh_from_db()
    assert item.is_open and item.proposed_outcome == "failed" and item.proposed_by == second  # a new proposal
    attention_resolve(item_id=item.pk, outcome="failed", reason="Confirmed with the gateway", actor=finance)
    item.refresh_from_db()
    assert not item.is_open and Withdrawal.objects.get(pk=w.pk).status == WithdrawalStatus.FAILED
    ledger_ok()


def test_resolve_a_deposit_by_hand(pending_deposit, gateway, finance):
    d = pending_deposit("25.00")
    simulator.forget(gateway, d.reference)
    gateway_status_sweep(now=later(11))
    attention_resolve(item_id=open_item(d).pk, outcome="paid", reason="Seen on the settlement file", actor=finance)
    d.refresh_from_db()
    assert d.status == DepositStatus.CONFIRMED and player_balances(player=d.player)["cash"] == Decimal("25.00")
    assert AuditEvent.objects.get(action="cashier.deposit_confirm", object_id=str(d.pk)).actor == finance
    ledger_ok()
