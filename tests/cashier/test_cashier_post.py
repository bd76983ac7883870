"""``cashier_post()`` and the deferred entry check (cashier/sql/), through ``ledger_post`` and directly.

The SQL function is also called from SQL by other modules (the wallet's fast path), so its refusal messages
are a contract: ``cashier:conflict:<tx>``, ``cashier:insufficient:<account>:<balance>:<limit>``,
``cashier:currency:<account>``, ``cashier:unknown_account:``.
"""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cashier.choices import AccountKind
from cashier.models import Account, Entry, LedgerTransaction
from cashier.services import (
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPosting,
    house_account,
    ledger_post,
    player_account,
    player_balances,
)
from tests.cashier.conftest import fund, ledger_ok
from tests.factories import PlayerFactory

pytestmark = pytest.mark.django_db


def cash(player):
    return player_account(player=player, kind=AccountKind.PLAYER_CASH)


def _sql_post(key, accounts, amounts, currencies, digest="h"):
    with connection.cursor() as cur:
        cur.execute("SELECT tx_id, status FROM cashier_post(%s, 'test.sql', %s, '', NULL, 'test', '{}'::jsonb, NULL,"
                    " %s::bigint[], %s::numeric[], %s::text[], now())",
                    [key, digest, accounts, amounts, currencies])
        return cur.fetchone()


def _sql_refusal(*args, **kw) -> str:
    with pytest.raises(DatabaseError) as exc, transaction.atomic():
        _sql_post(*args, **kw)
    return str(exc.value).split("\n", 1)[0]


# --- through ledger_post ---------------------------------------------------------------------------------

def test_replay_returns_the_original_and_a_different_payload_is_refused(funded_player):
    house = house_account(currency="EUR")
    lines = [(cash(funded_player), Decimal("-12.34")), (house, Decimal("12.34"))]
    first = ledger_post(idempotency_key="k1", kind="test.bet", lines=lines, reference="r1", metadata={"a": 1})
    again = ledger_post(idempotency_key="k1", kind="test.bet", lines=lines, reference="r1", metadata={"a": 1})
    assert first.created and not again.created
    assert again.transaction.pk == first.transaction.pk and again.transaction.metadata == {"a": 1}
    with pytest.raises(IdempotencyConflict) as exc:
        ledger_post(idempotency_key="k1", kind="test.bet",
                    lines=[(cash(funded_player), Decimal("-12.35")), (house, Decimal("12.35"))])
    assert exc.value.extra["transaction_id"] == first.transaction.pk
    assert player_balances(player=funded_player)["cash"] == Decimal("87.66")
    ledger_ok()


def test_insufficient_funds_reports_the_account_and_its_locked_balance(funded_player):
    a = cash(funded_player)
    with pytest.raises(InsufficientFunds) as exc:
        ledger_post(idempotency_key="big", kind="test.bet",
                    lines=[(a, Decimal("-100.01")), (house_account(currency="EUR"), Decimal("100.01"))])
    assert exc.value.extra == {"balance": Decimal("100.00"), "account_id": a.pk, "available": Decimal("100.00")}
    assert not LedgerTransaction.objects.filter(idempotency_key="big").exists()


def test_a_line_in_another_currency_than_its_account_is_refused(funded_player):
    stale = cash(funded_player)
    stale.currency = "USD"  # what a caller holding a wrong Account object would send
    usd_house = house_account(currency="USD")
    with pytest.raises(InvalidPosting, match="currency"):
        ledger_post(idempotency_key="cur", kind="test.bet", lines=[(stale, Decimal("-1")), (usd_house, Decimal("1"))])
    assert not LedgerTransaction.objects.filter(idempotency_key="cur").exists()
    assert player_balances(player=funded_player)["cash"] == Decimal("100.00")


def test_a_line_on_an_account_that_does_not_exist_is_refused(funded_player):
    ghost = Account(pk=10**12, kind=AccountKind.HOUSE, currency="EUR")
    with pytest.raises(InvalidPosting, match="does not exist"):
        ledger_post(idempotency_key="ghost", kind="test.bet",
                    lines=[(cash(funded_player), Decimal("-1")), (ghost, Decimal("1"))])
    assert not LedgerTransaction.objects.filter(idempotency_key="ghost").exists()


def test_a_refusal_inside_a_callers_transaction_leaves_it_usable(funded_player):
    house = house_account(currency="EUR")
    with transaction.atomic():
        with pytest.raises(InsufficientFunds):
            ledger_post(idempotency_key="in-1", kind="test.bet",
                        lines=[(cash(funded_player), Decimal("-500")), (house, Decimal("500"))])
        ok = ledger_post(idempotency_key="in-2", kind="test.bet",
                         lines=[(cash(funded_player), Decimal("-5")), (house, Decimal("5"))])
    assert ok.created and player_balances(player=funded_player)["cash"] == Decimal("95.00")
    ledger_ok()


def test_the_same_account_on_several_lines_gets_running_balances(funded_player):
    a, house = cash(funded_player), house_account(currency="EUR")
    result = ledger_post(idempotency_key="multi", kind="test.multi", lines=[
        (a, Decimal("-10")), (house, Decimal("10")), (a, Decimal("-2.50")), (house, Decimal("2.50")),
        (a, Decimal("1")), (house, Decimal("-1"))])
    mine = list(Entry.objects.filter(transaction=result.transaction, account=a).order_by("id")
                .values_list("amount", "balance_after"))
    assert mine == [(Decimal("-10"), Decimal("90")), (Decimal("-2.5"), Decimal("87.5")),
                    (Decimal("1"), Decimal("88.5"))]
    assert Account.objects.get(pk=a.pk).balance == Decimal("88.50")
    ledger_ok()


def test_a_debit_within_the_limit_only_after_a_credit_on_the_same_account_is_checked_on_the_net(funded_player):
    # The limit is checked on each account's net delta against its locked balance, as before.
    a, house = cash(funded_player), house_account(currency="EUR")
    ledger_post(idempotency_key="net", kind="test.net",
                lines=[(a, Decimal("50")), (house, Decimal("-50")), (a, Decimal("-140")), (house, Decimal("140"))])
    assert player_balances(player=funded_player)["cash"] == Decimal("10.00")


def test_the_posting_is_one_logged_statement(funded_player):
    house = house_account(currency="EUR")
    with CaptureQueriesContext(connection) as ctx:
        ledger_post(idempotency_key="one", kind="test.bet",
                    lines=[(cash(funded_player), Decimal("-1")), (house, Decimal("1"))])
    posts = [q["sql"] for q in ctx.captured_queries if "cashier_post(" in q["sql"]]
    assert len(posts) == 1


# --- the function called from SQL: its messages are a contract --------------------------------------------

def test_sql_refusal_messages(funded_player):
    a, house = cash(funded_player), house_account(currency="EUR")
    assert _sql_refusal("s-ins", [a.pk, house.pk], [Decimal("-100.01"), Decimal("100.01")], ["EUR", "EUR"]) \
        == f"cashier:insufficient:{a.pk}:100.0000:0.0000"
    assert _sql_refusal("s-cur", [a.pk, house.pk], [Decimal("-1"), Decimal("1")], ["USD", "EUR"]) \
        == f"cashier:currency:{a.pk}"
    assert _sql_refusal("s-unk", [a.pk, 10**12], [Decimal("-1"), Decimal("1")], ["EUR", "EUR"]) \
        == "cashier:unknown_account:"
    tx_id, status = _sql_post("s-ok", [a.pk, house.pk], [Decimal("-1"), Decimal("1")], ["EUR", "EUR"])
    assert status == "created"
    assert _sql_post("s-ok", [a.pk, house.pk], [Decimal("-1"), Decimal("1")], ["EUR", "EUR"]) == (tx_id, "replay")
    assert _sql_refusal("s-ok", [a.pk, house.pk], [Decimal("-1"), Decimal("1")], ["EUR", "EUR"], digest="other") \
        == f"cashier:conflict:{tx_id}"


def test_sql_refusals_are_reported_in_account_order_and_an_unknown_account_last(db):
    p1, p2 = PlayerFactory(currency="EUR"), PlayerFactory(currency="EUR")
    fund(p1, "1")
    fund(p2, "1")
    a1, a2 = sorted([cash(p1), cash(p2)], key=lambda a: a.pk)
    house = house_account(currency="EUR")
    assert _sql_refusal("o1", [a2.pk, a1.pk, house.pk], [Decimal("-2"), Decimal("-2"), Decimal("4")],
                        ["EUR", "EUR", "EUR"]) == f"cashier:insufficient:{a1.pk}:1.0000:0.0000"
    assert _sql_refusal("o2", [10**12, a2.pk, house.pk], [Decimal("1"), Decimal("-2"), Decimal("1")],
                        ["EUR", "EUR", "EUR"]) == f"cashier:insufficient:{a2.pk}:1.0000:0.0000"


# --- the deferred zero-sum check: once per transaction, never skipped for a later entry ------------------

def _raw(sql, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_an_entry_added_after_its_transaction_was_checked_is_checked_again(funded_player):
    a, house = cash(funded_player), house_account(currency="EUR")
    tx = ledger_post(idempotency_key="chk", kind="test.bet",
                     lines=[(a, Decimal("-5")), (house, Decimal("5"))]).transaction
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        _raw("SET CONSTRAINTS ALL IMMEDIATE")  # checks (and marks) the pending transactions now
        _raw("INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after, created_at)"
             " VALUES (%s, %s, 5, 'EUR', 100, %s)", [tx.pk, house.pk, timezone.now()])


def test_a_balanced_posting_passes_the_immediate_check(funded_player):
    a, house = cash(funded_player), house_account(currency="EUR")
    with transaction.atomic():
        _raw("SET CONSTRAINTS ALL IMMEDIATE")
        ledger_post(idempotency_key="imm", kind="test.bet", lines=[(a, Decimal("-5")), (house, Decimal("5"))])
    ledger_ok()


def test_the_posting_statement_is_prepared_on_the_connection(funded_player):
    # psycopg ignores prepare=True unless the connection has a prepare_threshold (settings.DATABASES).
    house = house_account(currency="EUR")
    for key in ("p1", "p2"):
        ledger_post(idempotency_key=key, kind="test.bet",
                    lines=[(cash(funded_player), Decimal("-1")), (house, Decimal("1"))])
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%cashier_post(%"])
        assert cur.fetchone()[0] == 1


# --- cashier_post.sql, cashier_entry_check_balanced.sql: per-line balance_after from the locked balances;
# the one-currency shortcut

def test_an_account_on_several_lines_gets_a_running_balance_after(funded_player):
    a, house = cash(funded_player), house_account(currency="EUR")
    result = ledger_post(idempotency_key="run", kind="test.split", lines=[
        (a, Decimal("-5")), (house, Decimal("5")), (a, Decimal("-2.50")), (house, Decimal("2.50"))])
    assert result.transaction_id == result.transaction.pk
    entries = list(Entry.objects.filter(transaction_id=result.transaction_id).order_by("id"))
    assert [(e.account_id, e.amount) for e in entries] == [
        (a.pk, Decimal("-5")), (house.pk, Decimal("5")), (a.pk, Decimal("-2.5")), (house.pk, Decimal("2.5"))]
    assert [e.balance_after for e in entries if e.account_id == a.pk] == [Decimal("95"), Decimal("92.5")]
    assert player_balances(player=funded_player)["cash"] == Decimal("92.50")
    ledger_ok()


def test_a_line_in_another_currency_than_its_repeated_account_is_refused():
    p = PlayerFactory(currency="EUR")
    fund(p, "10")
    house = house_account(currency="EUR")
    assert _sql_refusal("cur2", [cash(p).pk, cash(p).pk, house.pk], [Decimal("-1"), Decimal("-1"), Decimal("2")],
                        ["EUR", "USD", "EUR"]) == f"cashier:currency:{cash(p).pk}"


def test_the_deferred_check_names_the_unbalanced_currency_of_a_multi_currency_transaction(funded_player):
    eur, usd = cash(funded_player), house_account(currency="USD")
    tx = LedgerTransaction.objects.first()
    with pytest.raises(IntegrityError, match="does not balance in USD: 5"), transaction.atomic():
        _raw("INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after, created_at)"
             " VALUES (%s, %s, 5, 'USD', 5, now())", [tx.pk, usd.pk])
        _raw("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError, match="an entry in EUR differs"), transaction.atomic():
        _raw("INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after, created_at)"
             " VALUES (%s, %s, 5, 'EUR', 5, now()), (%s, %s, -5, 'USD', 100, now())", [tx.pk, usd.pk, tx.pk, eur.pk])
        _raw("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.django_db(transaction=True)
def test_the_deferred_check_is_not_planned_per_posting(planner_notices):
    """The deferred zero-sum check runs an aggregate per posting when it commits. Left to plpgsql, that statement
    was planned again at every commit (5.6% of the wallet's server CPU; the SET clauses of
    cashier/sql/cashier_entry_check_balanced.sql). Committed postings, warmed up past plpgsql's five custom
    plans: a further posting and its commit must plan nothing (the posting's
    own statement is prepared; each planner run reaches this client as a LOG notice)."""
    p = PlayerFactory(currency="EUR")
    fund(p, "100")
    a, house = cash(p), house_account(currency="EUR")
    for n in range(5):  # statistics like a live ledger's: some transactions with many entries (batch postings)
        ledger_post(idempotency_key=f"batch-{n}", kind="test.batch",
                    lines=[(a, Decimal("1"))] * 200 + [(house, Decimal("-1"))] * 200)
    _raw("ANALYZE cashier_entry")

    def post(n):  # autocommit: one transaction each, its deferred check at its commit
        ledger_post(idempotency_key=f"plan-{n}", kind="test.bet", lines=[(a, Decimal("-1")), (house, Decimal("1"))])

    for n in range(8):
        post(n)
    with planner_notices() as notices:
        post(8)
    assert notices.count("PLANNER STATISTICS") == 0, notices
