"""ledger_verify and adjust_balance: the clean case, every kind of tampering, bad input."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from backoffice.models import AuditEvent
from cashier.models import Account, LedgerTransaction
from cashier.services import player_balances
from players.models import TimelineEvent
from tests.cashier.conftest import fund
from tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = StringIO()
    call_command("ledger_verify", stdout=out)
    return out.getvalue()


def verify_fails(match: str):
    out = StringIO()
    with pytest.raises(CommandError, match="Ledger verification failed"):
        call_command("ledger_verify", stdout=out)
    assert match in out.getvalue(), out.getvalue()


def tamper(sql, params=()):
    """Change rows behind the ledger's back (triggers off for this session only, as an attacker with DB access)."""
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the honest postings' deferred checks run now, not at teardown
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(sql, params)
        cur.execute("SET LOCAL session_replication_role = origin")


@pytest.fixture
def player(db):
    p = PlayerFactory(username="alice", currency="EUR")
    fund(p, "50.00")
    return p


def test_clean_ledger_verifies(player):
    out = verify()
    assert "Ledger OK." in out and "transactions balance per currency" in out


def test_edited_entry_amount_is_caught(player):
    tamper("UPDATE cashier_entry SET amount = amount + 1 WHERE id = (SELECT MIN(id) FROM cashier_entry)")
    verify_fails("does not balance")


def test_cached_balance_drift_is_caught(player):
    tamper("UPDATE cashier_account SET balance = balance + 5 WHERE player_id = %s", [player.pk])
    verify_fails("cached balance")


def test_broken_balance_after_chain_is_caught(player):
    tamper("UPDATE cashier_entry SET balance_after = balance_after + 1 WHERE id = (SELECT MIN(id) FROM cashier_entry)")
    verify_fails("balance_after")


def test_deleted_entries_are_caught(player):
    tamper("DELETE FROM cashier_entry")
    verify_fails("has no entries")


def test_balance_beyond_limit_is_caught(player):
    tamper("ALTER TABLE cashier_account DROP CONSTRAINT account_balance_within_limit")
    tamper("UPDATE cashier_account SET credit_limit = 0, balance = -1 WHERE player_id = %s", [player.pk])
    verify_fails("beyond its credit limit")


def test_adjust_balance_credits_and_debits(player):
    out = StringIO()
    call_command("adjust_balance", "alice", "12.50", "--reason", "goodwill for outage", stdout=out)
    assert "cash: 62.50 EUR" in out.getvalue()
    call_command("adjust_balance", "alice", "-62.50", "--reason", "test reset", stdout=out)
    assert player_balances(player=player)["cash"] == 0
    tx = LedgerTransaction.objects.filter(kind="cashier.adjustment").order_by("id").first()
    assert tx.metadata["reason_code"] == "testing" and tx.integration.startswith("ops:")
    assert AuditEvent.objects.filter(action="cashier.adjustment").count() == 2
    assert TimelineEvent.objects.filter(player=player, kind="cashier.adjustment").count() == 2
    assert "Ledger OK." in verify()


@pytest.mark.parametrize("args,message", [
    (["nobody", "5", "--reason", "x"], "No player"),
    (["alice", "-50.01", "--reason", "x"], "below zero"),
    (["alice", "0", "--reason", "x"], "must not be zero"),
    (["alice", "1.001", "--reason", "x"], "not a valid EUR amount"),
    (["alice", "NaN", "--reason", "x"], "finite"),
    (["alice", "ten", "--reason", "x"], "not a decimal"),
    (["alice", "5", "--reason", "  "], "reason is required"),
])
def test_adjust_balance_bad_input(player, args, message):
    before = LedgerTransaction.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("adjust_balance", *args, stdout=StringIO())
    assert LedgerTransaction.objects.count() == before
    assert Account.objects.get(player=player, kind="player_cash").balance == Decimal("50")


def test_adjust_balance_with_key_posts_once(player):
    for _ in range(2):
        call_command("adjust_balance", "alice", "5", "--reason", "retry", "--key", "ops-1", stdout=StringIO())
    assert player_balances(player=player)["cash"] == Decimal("55")


def test_entry_in_another_currency_is_caught(player):
    tamper("UPDATE cashier_entry SET currency = 'USD' WHERE id = (SELECT MIN(id) FROM cashier_entry)")
    verify_fails("its account in EUR")
