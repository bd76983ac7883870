"""Deposits, the signed webhook, the simulated gateway, withdrawals and AML flags."""

import json
import time
from decimal import Decimal

import pytest
from django.test import Client

from backoffice.exceptions import ApplicationError
from cashier.choices import DepositStatus, FlagKind, WithdrawalStatus
from cashier.models import AmlFlag, AutoApprovalRule, Deposit, LedgerTransaction, WebhookEvent, WithdrawalPolicy
from cashier.services import (
    aml_case_resolve,
    deposit_confirm,
    deposit_fail,
    deposit_initiate,
    deposits_expire,
    payout_send,
    player_balances,
    withdrawal_approve,
    withdrawal_payout_result,
    withdrawal_reject,
    withdrawal_request,
)
from players.models import TimelineEvent
from tests.cashier.conftest import ledger_ok, signed_post
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def player(db):
    return PlayerFactory(currency="EUR", country="MT")


def confirmed_deposit(player, method, amount="100.00"):
    d = deposit_initiate(player=player, method=method, amount=amount)
    deposit_confirm(deposit_id=d.pk, amount=Decimal(amount), currency="EUR", integration="test")
    return d


# --- deposits ------------------------------------------------------------------------------------

def test_deposit_lifecycle_credits_once_and_records_ftd(player, method, no_simulator):
    d = deposit_initiate(player=player, method=method, amount="50.00")
    assert d.status == DepositStatus.PENDING and player_balances(player=player)["cash"] == 0
    d, changed = deposit_confirm(deposit_id=d.pk, amount=Decimal("50.00"), currency="EUR")
    assert changed and d.is_ftd and d.status == DepositStatus.CONFIRMED
    _, changed = deposit_confirm(deposit_id=d.pk, amount=Decimal("50.00"), currency="EUR")
    assert not changed
    assert player_balances(player=player)["cash"] == Decimal("50.00")
    second = confirmed_deposit(player, method, "20.00")
    second.refresh_from_db()
    assert not second.is_ftd
    kinds = set(TimelineEvent.objects.filter(player=player).values_list("kind", flat=True))
    assert {"cashier.deposit_initiated", "cashier.deposit_confirmed"} <= kinds
    ledger_ok()


@pytest.mark.parametrize("amount,code", [
    ("0", "invalid_amount"), ("-5", "invalid_amount"), ("10.001", "invalid_amount"), ("NaN", "invalid_amount"),
    ("Infinity", "invalid_amount"), ("abc", "invalid_amount"), (1.5, "invalid_amount"),
    ("9.99", "amount_out_of_range"), ("1000.01", "amount_out_of_range"),
])
def test_bad_deposit_amounts(player, method, no_simulator, amount, code):
    with pytest.raises(ApplicationError) as exc:
        deposit_initiate(player=player, method=method, amount=amount)
    assert exc.value.code == code
    assert not Deposit.objects.exists()


def test_deposit_method_rules(player, method, no_simulator):
    from cashier.models import PaymentMethod

    usd = PaymentMethod.objects.create(gateway=method.gateway, code="card", name="Card", currency="USD")
    with pytest.raises(ApplicationError, match="USD"):
        deposit_initiate(player=player, method=usd, amount="20")
    method.countries = "GB,SE"
    with pytest.raises(ApplicationError, match="not offered in MT"):
        deposit_initiate(player=player, method=method, amount="20")
    method.countries, method.is_active = "", False
    with pytest.raises(ApplicationError, match="not available"):
        deposit_initiate(player=player, method=method, amount="20")


def test_deposit_refused_for_excluded_player(player, method, no_simulator):
    from players.services import rg_check  # noqa: F401  (the contract exists)

    player.status = "suspended"
    player.save(update_fields=["status"])
    with pytest.raises(ApplicationError) as exc:
        deposit_initiate(player=player, method=method, amount="20")
    assert exc.value.code == "blocked"


def test_deposit_idempotency_key(player, method, no_simulator):
    a = deposit_initiate(player=player, method=method, amount="20", idempotency_key="client-1")
    b = deposit_initiate(player=player, method=method, amount="20", idempotency_key="client-1")
    assert a.pk == b.pk
    with pytest.raises(ApplicationError) as exc:
        deposit_initiate(player=player, method=method, amount="21", idempotency_key="client-1")
    assert exc.value.code == "idempotency_conflict"


def test_five_failed_deposits_in_ten_minutes_block_and_flag(player, method, no_simulator):
    for _ in range(5):
        d = deposit_initiate(player=player, method=method, amount="20")
        deposit_fail(deposit_id=d.pk, reason="declined")
    flag = AmlFlag.objects.get(player=player, kind=FlagKind.FAILED_DEPOSITS)
    assert flag.blocks_deposits
    with pytest.raises(ApplicationError) as exc:
        deposit_initiate(player=player, method=method, amount="20")
    assert exc.value.code == "deposits_blocked"
    # Agents and the player's site read this message: it must not disclose a compliance hold (tipping off).
    assert not any(word in exc.value.message.lower() for word in ("aml", "compliance", "review", "flag", "launder"))
    risk = OperatorFactory(role="Risk & Compliance")
    aml_case_resolve(case_id=flag.case_id, resolution="customer's card expired", actor=risk)
    deposit_initiate(player=player, method=method, amount="20")


def test_out_of_order_and_mismatched_events(player, method, no_simulator):
    d = deposit_initiate(player=player, method=method, amount="20")
    with pytest.raises(ApplicationError) as exc:
        deposit_confirm(deposit_id=d.pk, amount=Decimal("21"), currency="EUR")
    assert exc.value.code == "amount_mismatch"
    with pytest.raises(ApplicationError):
        deposit_confirm(deposit_id=d.pk, amount=Decimal("20"), currency="USD")
    deposit_confirm(deposit_id=d.pk, amount=Decimal("20"), currency="EUR")
    with pytest.raises(ApplicationError) as exc:
        deposit_fail(deposit_id=d.pk, reason="late failure")
    assert exc.value.code == "invalid_state"
    other = deposit_initiate(player=player, method=method, amount="30")
    deposit_fail(deposit_id=other.pk, reason="declined")
    with pytest.raises(ApplicationError):
        deposit_confirm(deposit_id=other.pk, amount=Decimal("30"), currency="EUR")
    assert player_balances(player=player)["cash"] == Decimal("20")


def test_pending_deposits_expire(player, method, no_simulator):
    d = deposit_initiate(player=player, method=method, amount="20")
    Deposit.objects.filter(pk=d.pk).update(created_at=d.created_at.replace(year=2020))
    assert deposits_expire(older_than_minutes=30) == 1
    d.refresh_from_db()
    assert d.status == DepositStatus.EXPIRED
    # a late confirmation still credits: the gateway took the money
    deposit_confirm(deposit_id=d.pk, amount=Decimal("20"), currency="EUR")
    assert player_balances(player=player)["cash"] == Decimal("20")


# --- webhook --------------------------------------------------------------------------------------

def payload(d, **kw):
    return {"event_id": f"e-{d.reference}", "type": "payment.confirmed", "reference": d.reference,
            "amount": str(d.amount), "currency": d.currency, "gateway_reference": "G1", **kw}


def test_webhook_confirms_once_and_replays(player, method, gateway, no_simulator):
    d = deposit_initiate(player=player, method=method, amount="40.00")
    client = Client(enforce_csrf_checks=True)
    r = signed_post(client, gateway, payload(d))
    assert r.status_code == 200 and r.json()["outcome"] == "confirmed"
    r = signed_post(client, gateway, payload(d))
    assert r.status_code == 200 and r.json()["duplicate"] is True
    r = signed_post(client, gateway, payload(d, event_id="e-other"))
    assert r.json()["outcome"] == "already_confirmed"
    r = signed_post(client, gateway, payload(d, amount="41.00"))
    assert r.status_code == 409 and r.json()["code"] == "DUPLICATE_EVENT"
    assert player_balances(player=player)["cash"] == Decimal("40.00")
    assert LedgerTransaction.objects.filter(kind="cashier.deposit").count() == 1


def test_webhook_bad_input(player, method, gateway, no_simulator):
    d = deposit_initiate(player=player, method=method, amount="40.00")
    client = Client()
    cases = [
        (signed_post(client, gateway, payload(d), secret="wrong"), 401, "INVALID_SIGNATURE"),
        (signed_post(client, gateway, payload(d), ts=int(time.time()) - 3600), 401, "INVALID_SIGNATURE"),
        (signed_post(client, gateway, None, raw=b"{not json"), 400, "WRONG_SYNTAX"),
        (signed_post(client, gateway, None, raw=b"\xff\xfe"), 400, "WRONG_SYNTAX"),
        (signed_post(client, gateway, None, raw=b"[]"), 400, "WRONG_SYNTAX"),
        (signed_post(client, gateway, payload(d, type="payment.refunded")), 400, "WRONG_SYNTAX"),
        (signed_post(client, gateway, payload(d, reference="D-NOPE", event_id="x1")), 404, "UNKNOWN_REFERENCE"),
        (signed_post(client, gateway, payload(d, amount="NaN", event_id="x2")), 400, "WRONG_SYNTAX"),
        (signed_post(client, gateway, payload(d, amount="-40", event_id="x3")), 400, "WRONG_SYNTAX"),
        (signed_post(client, gateway, payload(d, amount="39.99", event_id="x4")), 409, "AMOUNT_MISMATCH"),
        (signed_post(client, gateway, payload(d, currency="USD", event_id="x5")), 409, "AMOUNT_MISMATCH"),
    ]
    for response, status, code in cases:
        assert (response.status_code, response.json()["code"]) == (status, code)
    unsigned = client.post(f"/api/payments/v1/{gateway.code}/webhook", data=json.dumps(payload(d)),
                           content_type="application/json")
    assert unsigned.status_code == 401
    assert client.post("/api/payments/v1/nogateway/webhook", data=b"{}", content_type="application/json",
                       HTTP_X_PAYMENT_TIMESTAMP="1", HTTP_X_PAYMENT_SIGNATURE="x").status_code == 404
    assert client.get(f"/api/payments/v1/{gateway.code}/webhook").status_code == 405
    assert player_balances(player=player)["cash"] == 0
    assert not WebhookEvent.objects.exists()


def test_simulated_gateway_confirms_fails_times_out_and_duplicates(player, method, gateway, no_simulator):
    from cashier.simulator import deposit_deliver

    results = {}
    for outcome in ("ok", "fail", "timeout"):
        d = deposit_initiate(player=player, method=method, amount="25")
        results[outcome] = (d, deposit_deliver(deposit_id=d.pk, outcome=outcome))
    for outcome, (d, _) in results.items():
        d.refresh_from_db()
        assert d.status == {"ok": "confirmed", "fail": "failed", "timeout": "pending"}[outcome]
    gateway.simulation = {"duplicate_rate": 1}
    gateway.save()
    d = deposit_initiate(player=player, method=method, amount="25")
    assert deposit_deliver(deposit_id=d.pk, outcome="ok") == "ok+duplicate"
    assert player_balances(player=player)["cash"] == Decimal("50")
    ledger_ok()


# --- withdrawals -------------------------------------------------------------------------------------

@pytest.fixture
def rich(player, method, no_simulator):
    confirmed_deposit(player, method, "500.00")
    from django.db import connection

    with connection.cursor() as cur:  # the player has played enough not to trip deposit-then-withdraw
        cur.execute("INSERT INTO players_rgusage (player_id, hour, deposits, wagers, wins)"
                    " VALUES (%s, now(), 0, 1000, 0) ON CONFLICT (player_id, hour) DO UPDATE SET wagers = 1000",
                    [player.pk])
    return player


def test_withdrawal_reserves_then_review_and_payout(rich, method, no_simulator):
    w = withdrawal_request(player=rich, method=method, amount="200.00")
    assert w.status == WithdrawalStatus.REQUESTED and not w.auto_approved
    assert any("No automatic approval rule" in h for h in w.hold_reasons)
    assert player_balances(player=rich)["cash"] == Decimal("300.00")
    reviewer = OperatorFactory(role="Finance")
    withdrawal_approve(withdrawal_id=w.pk, actor=reviewer)
    assert payout_send(withdrawal_id=w.pk) is True
    assert payout_send(withdrawal_id=w.pk) is False  # the task ran twice: sent once
    assert withdrawal_payout_result(withdrawal_id=w.pk, paid=True) is True
    assert withdrawal_payout_result(withdrawal_id=w.pk, paid=True) is False
    w.refresh_from_db()
    assert w.status == WithdrawalStatus.PAID
    assert LedgerTransaction.objects.filter(kind="cashier.withdrawal_payout").count() == 1
    ledger_ok()


def test_rejection_and_failed_payout_return_funds(rich, method, no_simulator):
    w = withdrawal_request(player=rich, method=method, amount="100")
    with pytest.raises(ApplicationError, match="reason"):
        withdrawal_reject(withdrawal_id=w.pk, actor=OperatorFactory(role="Finance"), reason=" ")
    withdrawal_reject(withdrawal_id=w.pk, actor=OperatorFactory(role="Finance"), reason="documents missing")
    assert player_balances(player=rich)["cash"] == Decimal("500.00")
    w2 = withdrawal_request(player=rich, method=method, amount="100")
    withdrawal_approve(withdrawal_id=w2.pk, actor=OperatorFactory(role="Finance"))
    payout_send(withdrawal_id=w2.pk)
    withdrawal_payout_result(withdrawal_id=w2.pk, paid=False, reason="account closed")
    assert player_balances(player=rich)["cash"] == Decimal("500.00")
    ledger_ok()


def test_auto_approval_and_four_eyes(rich, method, no_simulator):
    rich.kyc_status = "verified"
    rich.save(update_fields=["kyc_status"])
    AutoApprovalRule.objects.create(name="small", currency="EUR", max_amount=Decimal("100"), min_account_age_days=0)
    WithdrawalPolicy.objects.create(currency="EUR", four_eyes_above=Decimal("150"))
    w = withdrawal_request(player=rich, method=method, amount="50")
    assert w.auto_approved and w.status == WithdrawalStatus.APPROVED
    big = withdrawal_request(player=rich, method=method, amount="200")
    assert big.needs_second_approval and big.status == WithdrawalStatus.REQUESTED
    first, second = OperatorFactory(role="Finance"), OperatorFactory(role="Finance")
    withdrawal_approve(withdrawal_id=big.pk, actor=first)
    big.refresh_from_db()
    assert big.status == WithdrawalStatus.REQUESTED and big.first_approved_by == first
    with pytest.raises(ApplicationError) as exc:
        withdrawal_approve(withdrawal_id=big.pk, actor=first)
    assert exc.value.code == "four_eyes"
    withdrawal_approve(withdrawal_id=big.pk, actor=second)
    big.refresh_from_db()
    assert big.status == WithdrawalStatus.APPROVED and big.approved_by == second


def test_open_flag_holds_auto_approval(rich, method, no_simulator):
    from cashier.services import aml_flag_raise

    rich.kyc_status = "verified"
    rich.save(update_fields=["kyc_status"])
    AutoApprovalRule.objects.create(name="small", currency="EUR", max_amount=Decimal("100"), min_account_age_days=0)
    aml_flag_raise(player=rich, kind=FlagKind.DEPOSIT_VELOCITY, summary="test")
    w = withdrawal_request(player=rich, method=method, amount="50")
    assert not w.auto_approved and "The player has open AML flags." in w.hold_reasons


def test_withdrawal_rules(rich, method, no_simulator, gateway):
    from cashier.models import PaymentMethod

    other = PaymentMethod.objects.create(gateway=gateway, code="bank", name="Bank", currency="EUR")
    with pytest.raises(ApplicationError) as exc:
        withdrawal_request(player=rich, method=other, amount="50")
    assert exc.value.code == "method_not_used"
    with pytest.raises(ApplicationError) as exc:
        withdrawal_request(player=rich, method=method, amount="500.01")
    assert exc.value.code == "insufficient_funds"
    for bad in ("0", "-1", "1.234", "NaN"):
        with pytest.raises(ApplicationError):
            withdrawal_request(player=rich, method=method, amount=bad)
    # excluded / suspended players can still withdraw
    rich.status = "suspended"
    rich.save(update_fields=["status"])
    withdrawal_request(player=rich, method=method, amount="50")
    ledger_ok()


def test_deposit_then_withdraw_with_little_play_raises_flag(player, method, no_simulator):
    confirmed_deposit(player, method, "300")
    withdrawal_request(player=player, method=method, amount="290")
    assert AmlFlag.objects.filter(player=player, kind=FlagKind.DEPOSIT_WITHDRAW).exists()


def test_large_transaction_and_velocity_flags(player, method, no_simulator):
    from cashier.models import AmlThreshold

    AmlThreshold.objects.create(currency="EUR", large_transaction=Decimal("200"), velocity_count=3,
                                velocity_minutes=60, max_methods=3)
    confirmed_deposit(player, method, "250")
    confirmed_deposit(player, method, "20")
    confirmed_deposit(player, method, "20")
    kinds = list(AmlFlag.objects.filter(player=player).values_list("kind", flat=True))
    assert FlagKind.LARGE_TRANSACTION in kinds and kinds.count(FlagKind.DEPOSIT_VELOCITY) == 1
