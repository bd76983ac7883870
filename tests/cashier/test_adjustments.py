"""Manual adjustments: the per-currency ceiling, four-eyes above a threshold, the confirmation step, the ops
command; approving a withdrawal held for AML (issue 14, "Guards a regulator or an auditor expects")."""

import importlib
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from backoffice.exceptions import ApplicationError
from backoffice.models import AuditEvent
from backoffice.roles import role_permissions
from cashier.choices import AccountKind, AdjustmentStatus
from cashier.constants import ADJUSTMENT_POLICY_CURRENCIES
from cashier.models import Adjustment, AdjustmentPolicy, LedgerTransaction, Withdrawal
from cashier.services import (
    adjustment_approve,
    adjustment_limits,
    adjustment_reject,
    adjustment_request,
    deposit_confirm,
    deposit_initiate,
    player_account,
    player_balances,
    withdrawal_approve,
    withdrawal_request,
)
from tests.cashier.conftest import fund, ledger_ok
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def player(db):
    p = PlayerFactory(username="adj-alice", currency="EUR")
    fund(p, "100.00")
    return p


@pytest.fixture
def finance(db):
    return OperatorFactory(role="Finance")


def _adjustments_posted() -> int:
    return LedgerTransaction.objects.filter(kind="cashier.adjustment").count()


# --- limits as data ----------------------------------------------------------------------------------

def test_documented_defaults_are_rows_and_other_currencies_get_the_same():
    from django.apps import apps

    migration = importlib.import_module("cashier.migrations.0010_adjustment_limits")
    AdjustmentPolicy.objects.all().delete()  # a flushing test before this one may have emptied the table
    migration.add_default_policies(apps, None)
    assert sorted(AdjustmentPolicy.objects.values_list("currency", flat=True)) == sorted(
        ADJUSTMENT_POLICY_CURRENCIES)
    eur = AdjustmentPolicy.objects.get(currency="EUR")
    assert (eur.ceiling, eur.four_eyes_above) == (Decimal("50000"), Decimal("1000"))
    assert not AdjustmentPolicy.objects.filter(currency="SEK").exists()
    sek = adjustment_limits(currency="SEK")
    assert (sek.ceiling, sek.four_eyes_above) == (Decimal("50000"), Decimal("1000"))


def test_ceiling_refuses_a_million_credit(player, finance):
    with pytest.raises(ApplicationError) as exc:
        adjustment_request(player=player, amount="1000000", reason_code="goodwill", reason="fat finger", actor=finance)
    assert exc.value.code == "above_ceiling" and "50,000.00 EUR" in exc.value.message
    with pytest.raises(ApplicationError, match="ceiling"):  # a debit too
        adjustment_request(player=player, amount="-50000.01", reason_code="correction", reason="x", actor=finance)
    assert _adjustments_posted() == 0 and not Adjustment.objects.exists()
    assert player_balances(player=player)["cash"] == Decimal("100.00")


def test_an_edited_policy_applies_and_is_audited(login, player, finance):
    admin = login(OperatorFactory(role="Administrator"))
    policy = AdjustmentPolicy.objects.get_or_create(currency="EUR")[0]
    url = reverse("cashier:adjustmentpolicy_edit", args=[policy.pk])
    r = admin.post(url, {"currency": "EUR", "ceiling": "100", "four_eyes_above": "200"})
    assert r.status_code == 200 and "must not be above the ceiling" in r.content.decode()
    assert admin.post(url, {"currency": "EUR", "ceiling": "500", "four_eyes_above": "50"}).status_code == 302
    assert AuditEvent.objects.filter(action="adjustmentpolicy.change", object_id=str(policy.pk)).exists()
    with pytest.raises(ApplicationError, match="ceiling"):
        adjustment_request(player=player, amount="500.01", reason_code="goodwill", reason="x", actor=finance)
    assert adjustment_request(player=player, amount="60", reason_code="goodwill", reason="x",
                              actor=finance).status == AdjustmentStatus.PENDING


# --- four-eyes ---------------------------------------------------------------------------------------

def test_above_the_threshold_it_waits_for_another_person(player, finance):
    small = adjustment_request(player=player, amount="1000", reason_code="goodwill", reason="at the limit",
                               actor=finance)
    assert small.status == AdjustmentStatus.POSTED and small.transaction_id
    big = adjustment_request(player=player, amount="1000.01", reason_code="goodwill", reason="outage", actor=finance)
    assert big.status == AdjustmentStatus.PENDING and big.transaction_id is None
    assert player_balances(player=player)["cash"] == Decimal("1100.00")
    assert AuditEvent.objects.filter(action="cashier.adjustment_request").count() == 1
    with pytest.raises(ApplicationError) as exc:
        adjustment_approve(adjustment_id=big.pk, actor=finance)
    assert exc.value.code == "four_eyes"
    assert player_balances(player=player)["cash"] == Decimal("1100.00")
    second = OperatorFactory(role="Finance")
    adjustment_approve(adjustment_id=big.pk, actor=second)
    big.refresh_from_db()
    assert big.status == AdjustmentStatus.POSTED and big.decided_by == second and big.transaction_id
    assert player_balances(player=player)["cash"] == Decimal("2100.01")
    with pytest.raises(ApplicationError, match="not pending"):  # approved twice: posted once
        adjustment_approve(adjustment_id=big.pk, actor=OperatorFactory(role="Finance"))
    assert _adjustments_posted() == 2
    assert AuditEvent.objects.filter(action="cashier.adjustment_approve", actor=second).exists()
    ledger_ok()


def test_a_rejected_adjustment_posts_nothing(player, finance):
    fund(player, "5000")
    big = adjustment_request(player=player, amount="-5000", reason_code="correction", reason="chargeback",
                             actor=finance)
    assert big.status == AdjustmentStatus.PENDING
    with pytest.raises(ApplicationError, match="reason"):
        adjustment_reject(adjustment_id=big.pk, actor=OperatorFactory(role="Finance"), reason=" ")
    adjustment_reject(adjustment_id=big.pk, actor=OperatorFactory(role="Finance"), reason="not ours")
    with pytest.raises(ApplicationError, match="rejected"):
        adjustment_approve(adjustment_id=big.pk, actor=OperatorFactory(role="Finance"))
    assert player_balances(player=player)["cash"] == Decimal("5100.00") and _adjustments_posted() == 0


def test_a_pending_debit_beyond_the_balance_is_refused_at_once(player, finance):
    with pytest.raises(ApplicationError, match="below zero"):
        adjustment_request(player=player, amount="-2000", reason_code="correction", reason="x", actor=finance)
    assert not Adjustment.objects.exists()


# --- the pages ---------------------------------------------------------------------------------------

def _adjust_url(player):
    return reverse("cashier:account_adjust", args=[player_account(player=player, kind=AccountKind.PLAYER_CASH).pk])


def test_the_first_post_only_shows_what_will_happen(login, player, finance):
    client, url = login(finance), _adjust_url(player)
    data = {"amount": "1000.00", "reason_code": "goodwill", "reason": "outage"}
    r = client.post(url, data)
    page = r.content.decode()
    assert r.status_code == 200
    assert "You are about to credit 1,000.00 EUR to the cash wallet of" in page and str(player) in page
    assert "100.00 EUR → 1,100.00 EUR" in page and 'name="confirm"' in page
    assert _adjustments_posted() == 0 and not Adjustment.objects.exists()
    token = r.context["token"]
    confirm = {**data, "confirm": "1", "token": token}
    r = client.post(url, confirm)
    assert r.status_code == 302 and r["Location"] == reverse("cashier:player_wallets", args=[player.pk])
    assert client.post(url, confirm).status_code == 302  # a double-clicked confirm posts once
    assert _adjustments_posted() == 1 and player_balances(player=player)["cash"] == Decimal("1100.00")
    r = client.post(url, {**confirm, "amount": "50000"})  # the reviewed amount, changed on the way
    assert r.status_code == 200 and "review it again" in r.content.decode()
    assert _adjustments_posted() == 1


def test_a_debit_confirmation_says_debit_and_change_goes_back_to_the_form(login, player, finance):
    client, url = login(finance), _adjust_url(player)
    data = {"amount": "-20", "reason_code": "correction", "reason": "double credit"}
    page = client.post(url, data).content.decode()
    assert "You are about to debit 20.00 EUR from the cash wallet" in page
    r = client.post(url, {**data, "edit": "1", "confirm": "1"})
    assert r.status_code == 200 and "Review adjustment" in r.content.decode() and _adjustments_posted() == 0


def test_above_the_ceiling_the_form_says_so_and_posts_nothing(login, player, finance):
    client, url = login(finance), _adjust_url(player)
    assert "At most 50,000.00 EUR either way; above 1,000.00 EUR another person" in client.get(url).content.decode()
    for data in ({"amount": "1000000", "reason_code": "goodwill", "reason": "x"},
                 {"amount": "1000000", "reason_code": "goodwill", "reason": "x", "confirm": "1"}):
        r = client.post(url, data)
        assert r.status_code == 200 and "above the ceiling" in r.content.decode()
    assert _adjustments_posted() == 0 and not Adjustment.objects.exists()


def test_four_eyes_through_the_pages(login, player, finance):
    client = login(finance)
    data = {"amount": "2500", "reason_code": "game_dispute", "reason": "round 77 voided"}
    page = client.post(_adjust_url(player), data).content.decode()
    assert "four-eyes threshold (1,000.00 EUR)" in page and "pending" in page
    r = client.post(_adjust_url(player), {**data, "confirm": "1"})
    assert r.status_code == 302
    adjustment = Adjustment.objects.get()
    assert adjustment.status == AdjustmentStatus.PENDING and _adjustments_posted() == 0
    wallet = client.get(reverse("cashier:player_wallets", args=[player.pk])).content.decode()
    assert "awaiting a second approval" in wallet and "Credit 2,500.00 EUR" in wallet
    listing = client.get(reverse("cashier:adjustment_list"), {"status": "pending"}).content.decode()
    assert f"/cashier/adjustments/{adjustment.pk}/" in listing
    approve = reverse("cashier:adjustment_approve", args=[adjustment.pk])
    page = client.get(approve).content.decode()
    assert "2,500.00 EUR" in page and "round 77 voided" in page
    r = client.post(approve, {"confirm": "on"})
    assert r.status_code == 200 and "another person" in r.content.decode() and _adjustments_posted() == 0
    assert login(OperatorFactory(role="Support")).post(approve, {"confirm": "on"}).status_code == 403
    assert login(OperatorFactory(role="Finance")).post(approve, {"confirm": "on"}).status_code == 302
    assert player_balances(player=player)["cash"] == Decimal("2600.00")
    assert "awaiting a second approval" not in client.get(
        reverse("cashier:player_wallets", args=[player.pk])).content.decode()


# --- the ops command ---------------------------------------------------------------------------------

def test_the_command_follows_the_same_rules(player):
    with pytest.raises(CommandError, match="above the ceiling"):
        call_command("adjust_balance", "adj-alice", "1000000", "--reason", "x", stdout=StringIO())
    out = StringIO()
    call_command("adjust_balance", "adj-alice", "1500", "--reason", "migration fix", "--key", "ops-7", stdout=out)
    assert "recorded as pending" in out.getvalue() and _adjustments_posted() == 0
    call_command("adjust_balance", "adj-alice", "1500", "--reason", "migration fix", "--key", "ops-7",
                 stdout=StringIO())
    adjustment = Adjustment.objects.get()
    assert adjustment.requested_label.startswith("ops:") and adjustment.requested_by is None
    adjustment_approve(adjustment_id=adjustment.pk, actor=OperatorFactory(role="Finance"))
    assert player_balances(player=player)["cash"] == Decimal("1600.00")
    ledger_ok()


# --- withdrawals held for AML ------------------------------------------------------------------------

def test_release_aml_hold_is_risk_and_administrator_only():
    perm = "cashier.release_aml_hold"
    assert perm in role_permissions("Risk & Compliance", [perm])
    assert perm in role_permissions("Administrator", [perm])
    assert perm not in role_permissions("Finance", [perm])


@pytest.fixture
def aml_held(method, no_simulator):
    from cashier.services import aml_flag_raise

    player = PlayerFactory(currency="EUR", country="MT")
    d = deposit_initiate(player=player, method=method, amount="500")
    deposit_confirm(deposit_id=d.pk, amount=Decimal("500"), currency="EUR")
    aml_flag_raise(player=player, kind="large_transaction", summary="big one")
    w = withdrawal_request(player=player, method=method, amount="120")
    assert "The player has open AML flags." in w.hold_reasons
    return w


def test_an_aml_hold_is_released_by_risk_not_finance(aml_held):
    with pytest.raises(ApplicationError) as exc:
        withdrawal_approve(withdrawal_id=aml_held.pk, actor=OperatorFactory(role="Finance"))
    assert exc.value.code == "aml_hold"
    assert Withdrawal.objects.get(pk=aml_held.pk).status == "requested"
    withdrawal_approve(withdrawal_id=aml_held.pk, actor=OperatorFactory(role="Risk & Compliance"))
    assert Withdrawal.objects.get(pk=aml_held.pk).status == "approved"


def test_the_approve_page_shows_amount_reasons_and_refuses_finance(login, aml_held):
    url = reverse("cashier:withdrawal_approve", args=[aml_held.pk])
    finance = login(OperatorFactory(role="Finance"))
    page = finance.get(url).content.decode()
    assert "120.00 EUR" in page and str(aml_held.player) in page and aml_held.method.name in page
    assert "The player has open AML flags." in page and "Risk &amp; Compliance" in page
    r = finance.post(url, {"confirm": "on"})
    assert r.status_code == 200 and "only Risk &amp; Compliance" in r.content.decode()
    assert Withdrawal.objects.get(pk=aml_held.pk).status == "requested"
    assert login(OperatorFactory(role="Risk & Compliance")).post(url, {"confirm": "on"}).status_code == 302
    assert Withdrawal.objects.get(pk=aml_held.pk).status == "approved"
