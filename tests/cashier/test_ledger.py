"""The posting service: zero-sum, idempotency, limits, bad amounts, database-side rules."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cashier.choices import AccountKind
from cashier.models import Account, Entry, LedgerTransaction
from cashier.services import (
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPosting,
    accounts_lock,
    house_account,
    ledger_post,
    ledger_reverse,
    player_account,
    player_balances,
    system_balance,
)
from tests.cashier.conftest import fund, ledger_ok
from tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db


def cash(player):
    return player_account(player=player, kind=AccountKind.PLAYER_CASH)


def bet(player, amount, key):
    house = house_account(currency=player.currency)
    lines = [(cash(player), -Decimal(amount)), (house, Decimal(amount))]
    return ledger_post(idempotency_key=key, kind="test.bet", lines=lines)


def test_posting_moves_money_and_records_balance_after(funded_player):
    result = bet(funded_player, "30.50", "bet-1")
    assert result.created
    assert player_balances(player=funded_player) == {"cash": Decimal("69.50"), "bonus": 0, "credit": 0}
    entries = {e.account.kind: e for e in result.transaction.entries.select_related("account")}
    assert entries["player_cash"].balance_after == Decimal("69.50")
    assert entries["player_cash"].balance_before == Decimal("100.00")
    assert system_balance(currency="EUR") == Decimal("30.50")
    assert system_balance(currency="EUR", kind=AccountKind.GATEWAY_CLEARING) == Decimal("-100.00")
    ledger_ok()


def test_accounts_are_per_player_and_kind_in_player_currency(db):
    player = PlayerFactory(currency="USD")
    a = cash(player)
    assert a.currency == "USD" and a.credit_limit == 0
    assert cash(player).pk == a.pk
    assert player_account(player=player, kind=AccountKind.PLAYER_BONUS).pk != a.pk
    with pytest.raises(InvalidPosting):
        player_account(player=player, kind=AccountKind.HOUSE)
    with pytest.raises(InvalidPosting):
        house_account(currency="USD", kind=AccountKind.PLAYER_CASH)
    with pytest.raises(ValueError):
        house_account(currency="XXX")


def test_house_is_sharded_and_pending_withdrawals_is_not(db, settings):
    settings.CASHIER_SYSTEM_SHARDS = 4
    shards = {house_account(currency="EUR").shard for _ in range(200)}
    assert shards == {0, 1, 2, 3}
    pending = {house_account(currency="EUR", kind=AccountKind.PENDING_WITHDRAWALS).pk for _ in range(20)}
    assert len(pending) == 1


def test_replayed_key_returns_original_and_moves_nothing(funded_player):
    first = bet(funded_player, "10", "bet-r")
    again = bet(funded_player, "10", "bet-r")
    assert not again.created and again.transaction.pk == first.transaction.pk
    assert player_balances(player=funded_player)["cash"] == Decimal("90.00")
    assert Entry.objects.filter(transaction_id=first.transaction.pk).count() == 2


def test_same_key_different_payload_is_refused(funded_player):
    bet(funded_player, "10", "bet-c")
    with pytest.raises(IdempotencyConflict) as exc:
        bet(funded_player, "11", "bet-c")
    assert exc.value.code == "idempotency_conflict"
    with pytest.raises(IdempotencyConflict):
        ledger_post(idempotency_key="bet-c", kind="test.other",
                    lines=[(cash(funded_player), Decimal("-10")), (house_account(currency="EUR"), Decimal("10"))])
    assert player_balances(player=funded_player)["cash"] == Decimal("90.00")


def test_insufficient_funds_writes_nothing(funded_player):
    before = LedgerTransaction.objects.count()
    with pytest.raises(InsufficientFunds) as exc:
        bet(funded_player, "100.01", "bet-big")
    assert exc.value.code == "insufficient_funds"
    assert exc.value.extra["balance"] == Decimal("100.00")
    assert LedgerTransaction.objects.count() == before
    assert not LedgerTransaction.objects.filter(idempotency_key="bet-big").exists()
    # the whole balance is fine
    bet(funded_player, "100.00", "bet-all")
    assert player_balances(player=funded_player)["cash"] == 0
    ledger_ok()


def test_credit_line_may_go_negative_within_its_limit(db):
    player = PlayerFactory(currency="USD")
    credit = player_account(player=player, kind=AccountKind.PLAYER_CREDIT)
    Account.objects.filter(pk=credit.pk).update(credit_limit=Decimal("50"))
    house = house_account(currency="USD")
    ledger_post(idempotency_key="c1", kind="test.bet", lines=[(credit, Decimal("-50")), (house, Decimal("50"))])
    with pytest.raises(InsufficientFunds):
        ledger_post(idempotency_key="c2", kind="test.bet", lines=[(credit, Decimal("-1")), (house, Decimal("1"))])
    assert player_balances(player=player)["credit"] == Decimal("-50")


@pytest.mark.parametrize("amount", [0, 0.5, "NaN", "Infinity", "-Infinity", "1.001", "abc", "1e30"])
def test_bad_amounts_are_refused(funded_player, amount):
    house = house_account(currency="EUR")
    value = amount if isinstance(amount, float) else (Decimal(str(amount)) if amount != "abc" else amount)
    with pytest.raises(InvalidPosting):
        ledger_post(idempotency_key="bad", kind="test.bad", lines=[(cash(funded_player), value), (house, value)])
    assert not LedgerTransaction.objects.filter(idempotency_key="bad").exists()


def test_unbalanced_lines_and_mixed_currencies_are_refused(funded_player):
    house_eur = house_account(currency="EUR")
    house_usd = house_account(currency="USD")
    with pytest.raises(InvalidPosting, match="sum to zero"):
        ledger_post(idempotency_key="u1", kind="t", lines=[(cash(funded_player), Decimal("-5")),
                                                           (house_eur, Decimal("4"))])
    with pytest.raises(InvalidPosting, match="sum to zero"):
        ledger_post(idempotency_key="u2", kind="t", lines=[(cash(funded_player), Decimal("-5")),
                                                           (house_usd, Decimal("5"))])
    with pytest.raises(InvalidPosting):
        ledger_post(idempotency_key="u3", kind="t", lines=[(cash(funded_player), Decimal("-5"))])
    with pytest.raises(InvalidPosting):
        ledger_post(idempotency_key="", kind="t", lines=[(cash(funded_player), Decimal("-5")),
                                                         (house_eur, Decimal("5"))])


def test_multi_currency_transaction_balances_per_currency(db):
    eur, usd = PlayerFactory(currency="EUR"), PlayerFactory(currency="USD")
    fund(eur, "100")
    result = ledger_post(idempotency_key="fx", kind="test.fx", lines=[
        (cash(eur), Decimal("-10")), (house_account(currency="EUR"), Decimal("10")),
        (house_account(currency="USD"), Decimal("-11")), (cash(usd), Decimal("11"))])
    assert result.transaction.entries.count() == 4
    ledger_ok()


def test_reversal_mirrors_the_original_once(funded_player):
    original = bet(funded_player, "25", "bet-rev").transaction
    first = ledger_reverse(transaction_id=original.pk, reason="wrong bet")
    second = ledger_reverse(transaction_id=original.pk, reason="wrong bet")
    assert first.created and not second.created
    assert player_balances(player=funded_player)["cash"] == Decimal("100.00")
    assert first.transaction.reverses_id == original.pk
    ledger_ok()


def test_accounts_lock_returns_locked_balances(funded_player):
    a = cash(funded_player)
    with transaction.atomic():
        assert accounts_lock(accounts=[a, a.pk]) == {a.pk: Decimal("100.0000")}
    assert accounts_lock(accounts=[]) == {}


# --- the database refuses what the service would refuse --------------------------------------------

def _raw(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_db_refuses_an_unbalanced_transaction(funded_player):
    a = cash(funded_player)
    tx = LedgerTransaction.objects.first()
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        _raw("INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after, created_at)"
             " VALUES (%s, %s, 5, 'EUR', 105, now())", [tx.pk, a.pk])
        _raw("SET CONSTRAINTS ALL IMMEDIATE")


def test_db_refuses_a_balance_beyond_the_limit(funded_player):
    with pytest.raises(IntegrityError, match="account_balance_within_limit"), transaction.atomic():
        _raw("UPDATE cashier_account SET balance = -0.01 WHERE id = %s", [cash(funded_player).pk])


def test_db_refuses_edits_and_deletes_of_posted_rows(funded_player):
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _raw("UPDATE cashier_entry SET amount = amount * 2")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM cashier_entry")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        _raw("DELETE FROM cashier_ledgertransaction")


def test_db_refuses_an_entry_in_another_currency(funded_player):
    tx = LedgerTransaction.objects.first()
    with pytest.raises(IntegrityError, match="differs"), transaction.atomic():
        _raw("INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after, created_at)"
             " VALUES (%s, %s, 5, 'USD', 105, now())", [tx.pk, cash(funded_player).pk])
        _raw("SET CONSTRAINTS ALL IMMEDIATE")


def test_db_refuses_changing_an_accounts_currency(funded_player):
    with pytest.raises(IntegrityError, match="never change"), transaction.atomic():
        _raw("UPDATE cashier_account SET currency = 'USD' WHERE id = %s", [cash(funded_player).pk])


def test_credit_line_follows_the_players_credit_limit(db):
    player = PlayerFactory(currency="USD")
    player.credit_limit = Decimal("100")
    credit = player_account(player=player, kind=AccountKind.PLAYER_CREDIT)
    assert credit.credit_limit == Decimal("100")
    ledger_post(idempotency_key="cl1", kind="test.bet",
                lines=[(credit, Decimal("-60")), (house_account(currency="USD"), Decimal("60"))])
    player.credit_limit = Decimal("20")  # lowered below what is drawn: held at the drawn amount
    assert player_account(player=player, kind=AccountKind.PLAYER_CREDIT).credit_limit == Decimal("60")
    player.credit_limit = Decimal("500")
    assert player_account(player=player, kind=AccountKind.PLAYER_CREDIT).credit_limit == Decimal("500")


def test_a_transaction_is_reversed_at_most_once_in_the_database_too(db):
    """The partial unique constraint on ``reverses`` (ordinary postings, reverses NULL, take no index entry)."""
    original = LedgerTransaction.objects.create(idempotency_key="orig", kind="test", payload_hash="x",
                                                created_at=timezone.now())
    LedgerTransaction.objects.create(idempotency_key="rev-1", kind="test", payload_hash="x", reverses=original,
                                     created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerTransaction.objects.create(idempotency_key="rev-2", kind="test", payload_hash="x", reverses=original,
                                         created_at=timezone.now())
    LedgerTransaction.objects.create(idempotency_key="plain-2", kind="test", payload_hash="x",
                                     created_at=timezone.now())  # any number of NULLs
