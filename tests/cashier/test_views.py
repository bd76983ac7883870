"""Cashier pages: wallet panel, lists with filters and export, drill-down, liability, adjustments."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cashier.choices import AccountKind
from cashier.models import Account, Entry, LedgerTransaction
from cashier.services import player_account, player_balances
from tests.cashier.conftest import fund, ledger_ok
from tests.factories import OperatorFactory, PlayerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(login):
    return login(OperatorFactory(role="Finance"))


@pytest.fixture
def player(db):
    p = PlayerFactory(username="walleted", currency="EUR")
    fund(p, "120.00", key="fund-1")
    return p


def test_wallet_panel_partial_for_htmx_and_full_page_otherwise(finance, player):
    url = reverse("cashier:player_wallets", args=[player.pk])
    partial = finance.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    html = partial.content.decode()
    assert "120.00 EUR" in html and "<html" not in html and "test.fund" in html
    full = finance.get(url)
    assert full.status_code == 200 and "<html" in full.content.decode()
    assert "HX-Request" in full["Vary"]


def test_wallet_panel_hides_money_from_roles_without_cashier_view(login, player):
    client = login(OperatorFactory(role="Marketing"))
    html = client.get(reverse("cashier:player_wallets", args=[player.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "120.00" not in html and "cannot see balances" in html


def test_entry_list_filters_and_exports(finance, player):
    other = PlayerFactory(currency="EUR")
    fund(other, "7.00", key="fund-2")
    url = reverse("cashier:entry_list")
    html = finance.get(url, {"player": player.pk}).content.decode()
    assert "walleted" in html and other.username not in html
    csv = finance.get(url, {"player": player.pk, "export": "csv"})
    body = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert csv.status_code == 200 and "120.0000" in body and other.username not in body
    assert finance.get(url, {"direction": "out", "account_kind": "player_cash"}).status_code == 200
    bad = finance.get(url, {"created_after": "not-a-date", "min_amount": "abc"})
    assert bad.status_code == 200


def test_transaction_drill_down_shows_entries(finance, player):
    tx = LedgerTransaction.objects.get(idempotency_key="fund-1")
    html = finance.get(reverse("cashier:ledgertransaction", args=[tx.pk])).content.decode()
    assert "fund-1" in html and "Player cash" in html and "Gateway clearing" in html
    assert finance.get(reverse("cashier:ledgertransaction_list"), {"q": "fund-1"}).status_code == 200


def test_liability_now_and_at_a_past_date(finance, player):
    test_player = PlayerFactory(currency="EUR", is_test=True)
    fund(test_player, "1000", key="fund-test")
    # Back-date the first funding (entries are append-only: bypass the trigger for the fixture only).
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute("UPDATE cashier_entry SET created_at = %s WHERE transaction_id = %s",
                    [timezone.now() - dt.timedelta(days=3),
                     LedgerTransaction.objects.get(idempotency_key="fund-1").pk])
        cur.execute("SET LOCAL session_replication_role = origin")
    fund(player, "30.00", key="fund-3")
    url = reverse("cashier:liability")
    now = finance.get(url)
    assert "150.00 EUR" in now.content.decode()
    assert "1,150.00" not in now.content.decode()
    with_test = finance.get(url, {"include_test": "on"}).content.decode()
    assert "1,150.00 EUR" in with_test
    past = (timezone.now() - dt.timedelta(days=2)).date().isoformat()
    assert "120.00 EUR" in finance.get(url, {"at": past}).content.decode()
    long_ago = (timezone.now() - dt.timedelta(days=30)).date().isoformat()
    assert "No Activity" in finance.get(url, {"at": long_ago}).content.decode()
    assert finance.get(url, {"at": "garbage"}).status_code == 200


def test_adjustment_page_posts_and_refuses_bad_input(finance, player):
    cash = player_account(player=player, kind=AccountKind.PLAYER_CASH)
    url = reverse("cashier:account_adjust", args=[cash.pk])
    assert finance.get(url).status_code == 200
    r = finance.post(url, {"amount": "-20.00", "reason_code": "correction", "reason": "double credit", "confirm": "1"})
    assert r.status_code == 302
    assert player_balances(player=player)["cash"] == Decimal("100.00")
    for data, error in [
        ({"amount": "-100.01", "reason_code": "correction", "reason": "x"}, "below zero"),
        ({"amount": "1.001", "reason_code": "correction", "reason": "x"}, "Too many decimals"),
        ({"amount": "0", "reason_code": "correction", "reason": "x"}, "non-zero"),
        ({"amount": "NaN", "reason_code": "correction", "reason": "x"}, "number"),
        ({"amount": "5", "reason_code": "bogus", "reason": "x"}, "valid choice"),
        ({"amount": "5", "reason_code": "correction", "reason": "   "}, "required"),
    ]:
        r = finance.post(url, data)
        assert r.status_code == 200, data
        assert error in r.content.decode(), (data, r.content.decode()[-3000:])
    assert player_balances(player=player)["cash"] == Decimal("100.00")
    assert Entry.objects.filter(transaction__kind="cashier.adjustment").count() == 2
    ledger_ok()


def test_adjustment_needs_its_own_permission(login, player):
    cash = player_account(player=player, kind=AccountKind.PLAYER_CASH)
    risk = login(OperatorFactory(role="Risk & Compliance"))
    url = reverse("cashier:account_adjust", args=[cash.pk])
    assert risk.get(url).status_code == 403
    assert risk.post(url, {"amount": "5", "reason_code": "goodwill", "reason": "x"}).status_code == 403
    assert Account.objects.get(pk=cash.pk).balance == Decimal("120.00")
