"""The wallet's one-statement fast path (games/sql/games_wallet_*.sql) against the general Python path.

test_wallet_api.py runs every contract test through both paths; here: the fast path really answers the
common cases in one statement, hands everything else over, and writes exactly the rows the general path
writes.
"""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cashier.services.ledger import _payload_hash
from games.models import Round, WalletTransaction
from players.models import RgUsage, TimelineEvent
from tests.games import factories as gf


@pytest.fixture(autouse=True)
def _house(settings, db):
    """One house row, opened up front (the fast path leaves a posting to a shard not yet opened to ledger_post)."""
    from cashier.services import house_account

    settings.CASHIER_SYSTEM_SHARDS = 1
    house_account(currency="EUR")


def _calls(ctx, name):
    return sum(1 for q in ctx.captured_queries if name in q["sql"])


def _statements(ctx):
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_common_bet_and_win_are_one_statement_each(wallet, world_games, settings):
    settings.WALLET_FAST_PATH = True
    s = world_games["session"]
    wallet.call("balance", token=s.token)  # the provider is cached after the first call
    with CaptureQueriesContext(connection) as ctx:
        status, body = wallet.call("bet", token=s.token, transaction_id="b1", round_id="r1", game_id="slot-1",
                                   amount="10.00", currency="EUR")
    assert status == 200 and body["status"] == "OK" and body["balance"] == "90.00"
    assert _calls(ctx, "games_wallet_bet(") == 1 and len(_statements(ctx)) == 1, _statements(ctx)
    with CaptureQueriesContext(connection) as ctx:
        status, body = wallet.call("win", token=s.token, transaction_id="w1", round_id="r1", game_id="slot-1",
                                   amount="4.00", currency="EUR", bet_transaction_id="b1", round_closed=True)
    assert body["status"] == "OK" and body["balance"] == "94.00"
    assert len(_statements(ctx)) == 1, _statements(ctx)
    with CaptureQueriesContext(connection) as ctx:  # a replay is answered by the same call
        status, body = wallet.call("win", token=s.token, transaction_id="w1", round_id="r1", game_id="slot-1",
                                   amount="4.00", currency="EUR", bet_transaction_id="b1", round_closed=True)
    assert body["status"] == "OK" and len(_statements(ctx)) == 1
    with CaptureQueriesContext(connection) as ctx:  # and a rollback
        wallet.call("bet", token=s.token, transaction_id="b3", round_id="r3", game_id="slot-1", amount="1.00",
                    currency="EUR")
        _, body = wallet.call("rollback", token=s.token, transaction_id="rb3", rollback_transaction_id="b3",
                              round_id="r3", game_id="slot-1")
    assert body["status"] == "OK" and body["balance"] == "94.00" and len(_statements(ctx)) == 2
    with CaptureQueriesContext(connection) as ctx:  # so is a refusal for funds
        status, body = wallet.call("bet", token=s.token, transaction_id="b2", round_id="r2", game_id="slot-1",
                                   amount="95.00", currency="EUR")
    assert body["code"] == "INSUFFICIENT_FUNDS" and body["balance"] == "94.00" and len(_statements(ctx)) == 1


def test_uncommon_cases_take_the_general_path(wallet, world_games, settings):
    settings.WALLET_FAST_PATH = True
    s = world_games["session"]
    wallet.call("balance", token=s.token)
    with CaptureQueriesContext(connection) as ctx:  # a different payload under a known id
        wallet.call("bet", token=s.token, transaction_id="b1", round_id="r1", game_id="slot-1", amount="1.00",
                    currency="EUR")
        _, body = wallet.call("bet", token=s.token, transaction_id="b1", round_id="r1", game_id="slot-1",
                              amount="2.00", currency="EUR")
    assert body["code"] == "DUPLICATE_TRANSACTION"
    assert len(_statements(ctx)) > 2  # the second call fell back to the general path


def _snapshot(player):
    """What a wallet call leaves behind, without ids and times."""
    rounds = list(Round.objects.filter(player=player).order_by("round_ref").values(
        "round_ref", "status", "bet_total", "bet_cash", "bet_bonus", "win_total", "win_cash", "win_bonus",
        "rolled_back", "game_version", "currency", "session_id"))
    txs = list(WalletTransaction.objects.filter(player=player).order_by("tx_ref").values(
        "tx_ref", "kind", "status", "ref_tx", "round__round_ref", "currency", "amount", "cash_amount",
        "bonus_amount", "balance_before", "balance_after", "cash_after", "bonus_after"))
    ledger = sorted((t.kind, t.reference, t.integration, tuple(sorted(
        (e.account.kind, e.amount, e.balance_after if e.account.player_id else None)
        for e in t.entries.select_related("account"))))
        for t in _ledger_transactions(player))
    timeline = sorted((e.kind, e.summary, e.amount, e.currency, e.integration, e.ref_type,
                       Round.objects.get(pk=e.ref_id).round_ref if e.ref_id else "", repr(sorted(e.data.items())))
                      for e in TimelineEvent.objects.filter(player=player, module="games"))
    usage = list(RgUsage.objects.filter(player=player).values("deposits", "wagers", "wins"))
    return {"rounds": rounds, "txs": txs, "ledger": ledger, "timeline": timeline, "usage": usage}


def _ledger_transactions(player):
    from cashier.models import LedgerTransaction

    return LedgerTransaction.objects.filter(kind__startswith="games.", entries__account__player=player).distinct()


def _play(wallet, s, prefix):
    answers = []
    for op, fields in (
        ("bet", {"transaction_id": "b1", "round_id": "r1", "amount": "10.00"}),
        ("bet", {"transaction_id": "b2", "round_id": "r1", "amount": "0.50"}),
        ("win", {"transaction_id": "w1", "round_id": "r1", "amount": "20.00", "bet_transaction_id": "b1"}),
        ("win", {"transaction_id": "w2", "round_id": "r1", "amount": "0.00", "round_closed": True}),
        ("bet", {"transaction_id": "b3", "round_id": "r2", "amount": "3.00", "round_closed": True}),
        ("bet", {"transaction_id": "b3", "round_id": "r2", "amount": "3.00", "round_closed": True}),  # replay
        ("bet", {"transaction_id": "b4", "round_id": "r3", "amount": "0.00"}),  # a free round
        ("bet", {"transaction_id": "b5", "round_id": "r4", "amount": "500.00"}),  # insufficient
        ("bet", {"transaction_id": "b6", "round_id": "r5", "amount": "2.00"}),
        ("rollback", {"transaction_id": "rb6", "rollback_transaction_id": "b6", "round_id": "r5"}),  # cancels r5
        ("rollback", {"transaction_id": "rb2", "rollback_transaction_id": "b2", "round_id": "r1"}),  # r1 has a win
        ("rollback", {"transaction_id": "rb2", "rollback_transaction_id": "b2", "round_id": "r1"}),  # replay
    ):
        fields = {k: f"{prefix}{v}" if k.endswith(("transaction_id", "round_id")) else v
                  for k, v in fields.items()}
        status, body = wallet.call(op, token=s.token, game_id="slot-1", currency="EUR", **fields)
        body.pop("transaction_id", None)
        body.pop("player_id", None)
        answers.append((status, body))
    return answers


@pytest.mark.parametrize("fast", [True, False])
def test_both_paths_write_the_same_rows(wallet, world_games, settings, player_factory, fast):
    """The same calls through each path leave identical rounds, wallet transactions, ledger postings,
    timeline events and RG usage (compared between two players, one per path)."""
    other = player_factory(country="MT", currency="EUR")
    gf.fund(other, cash="100.00")
    other_session = gf.session(other, world_games["game"])
    settings.WALLET_FAST_PATH = fast
    first = _play(wallet, world_games["session"], "a-")
    settings.WALLET_FAST_PATH = not fast
    second = _play(wallet, other_session, "b-")
    assert first == second
    a, b = _snapshot(world_games["player"]), _snapshot(other)
    for rnd in a["rounds"] + b["rounds"]:
        rnd.pop("session_id")
    assert repr(a).replace("a-", "") == repr(b).replace("b-", "")
    for t in _ledger_transactions(world_games["player"]):  # the same idempotency payload hash as ledger_post's
        lines = [(e.account, e.amount) for e in t.entries.select_related("account")]
        assert t.payload_hash == _payload_hash(t.kind, lines), t.kind
    assert len(a["txs"]) == 9 and len(a["ledger"]) == 7
    assert [r["status"] for r in a["rounds"]] == ["complete", "complete", "open", "cancelled"]
    assert a["usage"][0]["wagers"] == Decimal("13.00") and a["usage"][0]["wins"] == Decimal("20.00")


@pytest.mark.parametrize("lines", [
    [("7", "-10.00"), ("house:EUR", "10.00")],
    [("12", "-0.50"), ("9", "-9.50"), ("house:EUR", "10.00")],
    [("9", "-1.00"), ("9", "-1.00"), ("house:EUR", "2.00")],       # one account twice: merged
    [("9", "-1.00"), ("9", "1.00"), ("3", "-5"), ("house:EUR", "5")],  # a zero total is left out
    [("100", "-1000000.0000"), ("house:JPY", "1000000")],
])
def test_sql_payload_hash_is_the_ledgers(db, lines):
    """games_ledger_payload_hash() (what the fast path passes to cashier_post) equals ledger_post's own hash."""
    from types import SimpleNamespace

    accounts = {key: SimpleNamespace(pk=int(key), player_id=1) if key.isdigit()
                else SimpleNamespace(pk=None, player_id=None, kind=key.split(":")[0], currency=key.split(":")[1])
                for key, _ in lines}
    expected = _payload_hash("games.bet", [(accounts[key], Decimal(amount)) for key, amount in lines])
    with connection.cursor() as cur:
        cur.execute("SELECT games_ledger_payload_hash(%s, %s::text[], %s::numeric[])",
                    ["games.bet", [k for k, _ in lines], [Decimal(a) for _, a in lines]])
        assert cur.fetchone()[0] == expected


def test_the_fast_path_statement_is_prepared_on_the_connection(wallet, world_games, settings):
    """Outside a query log the call goes through backoffice.db.prepared_cursor: parsed and planned once."""
    settings.WALLET_FAST_PATH = True
    s = world_games["session"]
    for n in (1, 2):
        _, body = wallet.call("bet", token=s.token, transaction_id=f"p{n}", round_id=f"p{n}", game_id="slot-1",
                              amount="1.00", currency="EUR")
        assert body["status"] == "OK"
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%games_wallet_bet(%"])
        assert cur.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_costs_one_retried_call(settings):
    """No per-request health check on the fast path: after the server drops the connection, one call answers
    INTERNAL_RETRY (500, nothing moved), the connection is replaced at the end of that request, and the
    provider's retry succeeds. Through the real WSGI entry point (its plain lane), with the end-of-request
    connection housekeeping a server does."""
    import psycopg

    from backoffice.handlers import dispatching_application
    from cashier.services import house_account
    from tests.wsgi import WsgiClient

    settings.CASHIER_SYSTEM_SHARDS = 1
    prov = gf.provider("drop")
    slot = gf.game(prov, "slot-1", jurisdictions=[gf.jurisdiction("mga", ("MT",))])
    house_account(currency="EUR")
    token = gf.funded_session(slot, cash="100.00").token
    wallet = gf.WalletClient(WsgiClient(dispatching_application(), expect_lane=True, housekeeping=True), prov.code)

    def bet(tx):
        return wallet.call("bet", token=token, transaction_id=tx, round_id=tx, game_id="slot-1", amount="1.00",
                           currency="EUR")

    assert bet("d1")[1]["status"] == "OK"
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**{k: v for k, v in connection.get_connection_params().items()
                            if k in ("dbname", "user", "host", "port")}, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    status, body = bet("d2")
    assert (status, body["code"]) == (500, "INTERNAL_RETRY")
    status, body = bet("d2")  # the provider retries the same request
    assert status == 200 and body["status"] == "OK" and body["balance"] == "98.00"


def _round_trips(wallet, token, n):
    """A bet and its win, a bet and its rollback."""
    for op, fields in [
            ("bet", {"transaction_id": f"g{n}", "round_id": f"g{n}", "amount": "1.00", "currency": "EUR"}),
            ("win", {"transaction_id": f"g{n}w", "round_id": f"g{n}", "amount": "1.00", "currency": "EUR",
                     "bet_transaction_id": f"g{n}", "round_closed": True}),
            ("bet", {"transaction_id": f"h{n}", "round_id": f"h{n}", "amount": "1.00", "currency": "EUR"}),
            ("rollback", {"transaction_id": f"h{n}r", "rollback_transaction_id": f"h{n}", "round_id": f"h{n}"})]:
        _, body = wallet.call(op, token=token, game_id="slot-1", **fields)
        assert body["status"] == "OK", (op, body)


def _history(cur, world_games, n):
    """``n`` earlier transactions of the provider on record (one statement, no ledger: only their ids matter)."""
    cur.execute("""
        INSERT INTO games_wallettransaction (provider_id, tx_ref, kind, status, ref_tx, round_id, player_id,
            currency, amount, cash_amount, bonus_amount, balance_before, balance_after, cash_after, bonus_after,
            request_hash, ledger_transaction_id, created_at)
        SELECT %s, 'old-' || g, 'bet', 'ok', '', NULL, %s, 'EUR', 0, 0, 0, 0, 0, 0, 0, '', NULL, now()
          FROM generate_series(1, %s) g""", [world_games["provider"].pk, world_games["player"].pk, n])


def test_no_statement_of_the_fast_path_is_planned_per_call(wallet, world_games, settings, planner_notices):
    """plpgsql keeps a statement's generic plan only when it is not costlier than planning each call. A
    condition whose generic plan must scan many rows (games_wallet_bet.sql: a partial index a parameter cannot prove
    usable) makes PostgreSQL plan that statement again on every call. With 20,000 wallet transactions of the
    provider on record and the plans warmed up, a bet, a win and a rollback must plan nothing: each planner
    run would be logged (``log_planner_stats``) and reach this client as a LOG notice."""
    settings.WALLET_FAST_PATH = True
    s = world_games["session"]
    with connection.cursor() as cur:
        _history(cur, world_games, 20000)
        cur.execute("ANALYZE games_wallettransaction")

    for n in range(8):  # past plpgsql's five custom plans and psycopg's prepare threshold
        _round_trips(wallet, s.token, n)
    with planner_notices() as notices:
        _round_trips(wallet, s.token, 8)
    assert notices.count("PLANNER STATISTICS") == 0, notices


HOT_TABLES = ("games_wallettransaction", "games_round", "games_gamesession", "games_game", "cashier_account",
              "cashier_ledgertransaction", "cashier_entry", "players_rgusage", "players_player")


def _seq_scans(cur) -> dict[str, int]:
    """Sequential scans of the hot tables in this transaction so far (the statistics not yet reported)."""
    cur.execute("SELECT relname, seq_scan FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)", [list(HOT_TABLES)])
    return dict(cur.fetchall())


def test_fast_path_plans_do_not_depend_on_table_statistics(wallet, world_games, settings):
    """A new installation analyzes its hot tables while they are (nearly) empty (with autovacuum off, never again),
    and plpgsql keeps a statement's plan for the connection's life. Plans made on such statistics scanned the
    wallet transactions and rounds sequentially while the tables grew (before the SET clauses of games/sql/:
    3.3 ms of server CPU per call on a fresh benchmark database instead of ~1). With every hot table analyzed
    empty or nearly so, no statement of the fast-path functions may scan one of them sequentially. (The
    foreign-key checks run at commit, which this test's transaction never reaches; those depend on autovacuum
    re-analyzing: docs/operations.md.)"""
    settings.WALLET_FAST_PATH = True
    s = world_games["session"]
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {', '.join(HOT_TABLES)}")  # empty or a few rows: a new installation's statistics
        before = _seq_scans(cur)
    for n in range(8):
        _round_trips(wallet, s.token, n)
    with connection.cursor() as cur:
        after = _seq_scans(cur)
    scans = {t: after.get(t, 0) - before.get(t, 0) for t in HOT_TABLES}
    assert not any(scans.values()), scans


def test_a_bet_looks_its_transaction_id_up_by_full_keys_whatever_the_statistics(wallet, world_games, settings):
    """games_wallet_bet.sql: with the wallet transactions analyzed empty (a new installation), the bet's "is this id
    known?" check read every wallet transaction of the provider (through the unique index's first column) once the table
    had grown. Checked here by the rows index scans fetch from that table: 500 of the provider's transactions on
    record, four bets may fetch a few of them, not 4 x 500."""
    settings.WALLET_FAST_PATH = True
    s = world_games["session"]
    with connection.cursor() as cur:
        cur.execute("ANALYZE games_wallettransaction")  # empty: a new installation's statistics
        _history(cur, world_games, 500)
        cur.execute("SELECT idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relname = 'games_wallettransaction'")
        before = cur.fetchone()[0]
    for n in range(4):
        _, body = wallet.call("bet", token=s.token, transaction_id=f"k{n}", round_id=f"k{n}", game_id="slot-1",
                                 amount="1.00", currency="EUR")
        assert body["status"] == "OK", body
    with connection.cursor() as cur:
        cur.execute("SELECT idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relname = 'games_wallettransaction'")
        assert cur.fetchone()[0] - before < 50


PLANNED_WITHOUT_STATISTICS = ("games_wallet_bet", "games_wallet_win", "games_wallet_rollback", "cashier_post",
                              "cashier_entry_check_balanced")


def test_the_hot_functions_keep_their_plan_settings(db):
    """The SET clauses in games/sql/ and cashier/sql/ give the hot functions ``force_generic_plan`` and
    ``enable_seqscan = off``. A ``CREATE OR REPLACE FUNCTION`` without the SET clauses silently drops them (and
    brings back plans that depend on statistics): the function's file must keep them."""
    with connection.cursor() as cur:
        cur.execute("SELECT proname, proconfig FROM pg_proc WHERE proname = ANY(%s)",
                    [list(PLANNED_WITHOUT_STATISTICS)])
        found = dict(cur.fetchall())
    assert set(found) == set(PLANNED_WITHOUT_STATISTICS)
    for name, config in found.items():
        assert {"plan_cache_mode=force_generic_plan", "enable_seqscan=off"} <= set(config or []), (name, config)


# --- The contract with the bonuses app (docs/architecture.md, "Contract for the bonuses app") ---------------

class FakeBonuses:
    """A test-only bonuses app: what the real one must do. It flags a player under wagering rules through
    ``bonus_wagering_set`` and registers its max-bet rule on the ``games.bet_rules`` hook."""

    def __init__(self, max_bet: str):
        self.max_bet, self.calls = Decimal(max_bet), []

    def activate(self, player):
        from games.services import bonus_wagering_set

        bonus_wagering_set(player_id=player.pk, active=True)

    def end(self, player):
        from games.services import bonus_wagering_set

        bonus_wagering_set(player_id=player.pk, active=False)

    def max_bet_rule(self, *, player, game, amount, cash_part, bonus_part):
        self.calls.append((player.pk, game.external_id, amount, cash_part, bonus_part))
        return "" if amount <= self.max_bet else f"Max bet while wagering a bonus is {self.max_bet} EUR."


@pytest.fixture
def bonuses():
    from games.hooks import bet_rules

    fake = FakeBonuses("5.00")
    with bet_rules.registered(fake.max_bet_rule):
        yield fake


def test_only_players_under_bonus_rules_leave_the_fast_path(wallet, world_games, settings, bonuses):
    settings.WALLET_FAST_PATH = True
    s, player = world_games["session"], world_games["player"]
    other = gf.funded_session(world_games["game"], cash="100.00")
    gf.fund(player, bonus="20.00")
    bonuses.activate(player)
    bonuses.activate(player)  # idempotent
    wallet.call("balance", token=s.token)

    with CaptureQueriesContext(connection) as ctx:  # a player without a bonus: one call, the hook untouched
        _, body = wallet.call("bet", token=other.token, transaction_id="o1", round_id="or1", game_id="slot-1",
                              amount="10.00", currency="EUR")
    assert body["status"] == "OK" and len(_statements(ctx)) == 1 and bonuses.calls == []

    with CaptureQueriesContext(connection) as ctx:  # the flagged player: the general path asks the bonus rules
        _, body = wallet.call("bet", token=s.token, transaction_id="b1", round_id="r1", game_id="slot-1",
                              amount="110.00", currency="EUR")
    assert body["code"] == "LIMIT_REACHED" and "Max bet" in body["message"] and len(_statements(ctx)) > 1
    assert bonuses.calls == [(player.pk, "slot-1", Decimal("110.00"), Decimal("100.00"), Decimal("10.00"))]
    _, body = wallet.call("bet", token=s.token, transaction_id="b2", round_id="r2", game_id="slot-1",
                          amount="5.00", currency="EUR")
    assert body["status"] == "OK" and len(bonuses.calls) == 2

    bonuses.end(player)  # the bonus ended: back on the fast path
    with CaptureQueriesContext(connection) as ctx:
        _, body = wallet.call("bet", token=s.token, transaction_id="b3", round_id="r3", game_id="slot-1",
                              amount="50.00", currency="EUR")
    assert body["status"] == "OK" and len(_statements(ctx)) == 1 and len(bonuses.calls) == 2


def _fast_bet_outcome(session, tx):
    """Call games_wallet_bet directly, waiting at most 0.3 s for a lock: its outcome, or "lock wait"."""
    from django.db import OperationalError
    from django.utils import timezone

    from games.services.wallet.common import _FAST_SQL

    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL lock_timeout = '300ms'")
            cur.execute(_FAST_SQL["games_wallet_bet"], [
                session.provider_id, session.provider.code, session.token, tx, f"r-{tx}", "slot-1",
                Decimal("1.00"), "EUR", False, "hash", timezone.now(), 1800, 1, 2])
            return cur.fetchone()[0]
    except OperationalError as exc:
        assert "lock timeout" in str(exc)
        return "lock wait"


@pytest.mark.django_db(transaction=True)
def test_the_bonus_decision_is_taken_before_any_lock(settings, bonuses):
    """Another connection holds the accounts of two players: the fast path waits for the lock of a player without
    a bonus, and answers a player under bonus rules at once (its decision comes before the lock)."""
    import psycopg

    from cashier.services import house_account

    settings.CASHIER_SYSTEM_SHARDS = 1
    prov = gf.provider("lock")
    slot = gf.game(prov, "slot-1", jurisdictions=[gf.jurisdiction("mga", ("MT",))])
    house_account(currency="EUR")
    plain, flagged = gf.funded_session(slot, cash="100.00"), gf.funded_session(slot, cash="100.00")
    bonuses.activate(flagged.player)
    with psycopg.connect(**{k: v for k, v in connection.get_connection_params().items()
                            if k in ("dbname", "user", "host", "port")}) as other:
        other.execute("SELECT id FROM cashier_account WHERE player_id IN (%s, %s) FOR UPDATE",
                      [plain.player_id, flagged.player_id])
        assert _fast_bet_outcome(plain, "x1") == "lock wait"
        assert _fast_bet_outcome(flagged, "x2") == "fallback"
        other.rollback()
