"""The seamless-wallet contract (docs/wallet-api.md), through the HTTP layer."""

import json
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from games.models import GameSession, Round, WalletTransaction
from games.services import game_set_active, provider_secret_rotate
from tests.games import factories as gf


def bet(wallet, s, tx="b1", amount="10.00", round_id="r1", game_id="slot-1", **kw):
    return wallet.call("bet", token=s.token, transaction_id=tx, round_id=round_id, game_id=game_id, amount=amount,
                       currency=kw.pop("currency", "EUR"), **kw)


def win(wallet, s, tx="w1", amount="5.00", round_id="r1", game_id="slot-1", **kw):
    return wallet.call("win", token=s.token, transaction_id=tx, round_id=round_id, game_id=game_id, amount=amount,
                       currency=kw.pop("currency", "EUR"), **kw)


def rollback(wallet, s, tx="rb1", target="b1", round_id="r1", game_id="slot-1"):
    return wallet.call("rollback", token=s.token, transaction_id=tx, rollback_transaction_id=target,
                       round_id=round_id, game_id=game_id)


@pytest.fixture(autouse=True, params=["fast", "general"])
def wallet_path(request, settings):
    """Every contract test runs twice: with the one-statement fast path (the default) and without it."""
    settings.WALLET_FAST_PATH = request.param == "fast"
    return request.param


def ledger_is_balanced():
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(SUM(amount), 0) FROM cashier_entry")
        total = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM cashier_account a WHERE a.balance <> "
                    "(SELECT COALESCE(SUM(e.amount), 0) FROM cashier_entry e WHERE e.account_id = a.id)")
        drift = cur.fetchone()[0]
    return total == 0 and drift == 0


def expire(s):
    GameSession.objects.filter(pk=s.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


# --- Happy paths -----------------------------------------------------------------------------------

def test_authenticate_and_balance(wallet, world_games):
    s, p = world_games["session"], world_games["player"]
    expected = {"status": "OK", "player_id": str(p.pk), "currency": "EUR", "balance": "100.00", "cash": "100.00",
                "bonus": "0.00"}
    assert wallet.call("balance", token=s.token) == (200, expected)
    assert wallet.call("authenticate", token=s.token) == (200, {**expected, "game_id": "slot-1"})


def test_bet_win_round_and_balances(wallet, world_games):
    s = world_games["session"]
    status, body = bet(wallet, s)
    assert status == 200 and body["status"] == "OK" and body["balance"] == "90.00" and body["transaction_id"]
    status, body = win(wallet, s, amount="25.50", bet_transaction_id="b1", round_closed=True)
    assert body["status"] == "OK" and body["balance"] == "115.50"
    r = Round.objects.get(round_ref="r1")
    assert (r.bet_total, r.win_total, r.status, r.game_version) == (Decimal("10"), Decimal("25.5"), "complete", 1)
    txs = list(r.transactions.order_by("id"))
    assert [(t.kind, t.balance_before, t.balance_after) for t in txs] == [
        ("bet", Decimal("100"), Decimal("90")), ("win", Decimal("90"), Decimal("115.5"))]
    assert all(t.ledger_transaction_id for t in txs)
    assert ledger_is_balanced()


def test_cash_first_then_bonus_and_win_split(wallet, world_games):
    s, p = world_games["session"], world_games["player"]
    gf.fund(p, bonus="50.00")
    _, body = bet(wallet, s, amount="120.00")
    assert body["status"] == "OK" and (body["cash"], body["bonus"]) == ("0.00", "30.00")
    t = WalletTransaction.objects.get(tx_ref="b1")
    assert (t.cash_amount, t.bonus_amount) == (Decimal("100"), Decimal("20"))
    _status, body = win(wallet, s, amount="60.00")
    assert body["status"] == "OK"
    w = WalletTransaction.objects.get(tx_ref="w1")
    assert (w.cash_amount, w.bonus_amount) == (Decimal("50.00"), Decimal("10.00"))
    r = Round.objects.get(round_ref="r1")
    assert (r.bet_cash, r.bet_bonus, r.win_cash, r.win_bonus) == (Decimal(100), Decimal(20), Decimal(50), Decimal(10))


def test_free_round_zero_amounts(wallet, world_games):
    s = world_games["session"]
    assert bet(wallet, s, amount="0")[1]["status"] == "OK"
    assert win(wallet, s, amount="0.00")[1]["balance"] == "100.00"


def test_end_round(wallet, world_games):
    s = world_games["session"]
    bet(wallet, s)
    _status, body = wallet.call("end-round", token=s.token, round_id="r1", game_id="slot-1")
    assert body["status"] == "OK"
    assert Round.objects.get(round_ref="r1").status == "complete"
    assert bet(wallet, s, tx="b2")[1]["code"] == "WRONG_SYNTAX"  # no bets on a closed round


def test_timeline_gets_rounds(wallet, world_games):
    from players.models import TimelineEvent

    bet(wallet, world_games["session"])
    event = TimelineEvent.objects.filter(player_id=world_games["player"].pk, kind="games.round").get()
    assert event.ref_type == "games.round" and "Bet 10.00 EUR" in event.summary


# --- Idempotency ------------------------------------------------------------------------------------

def test_replay_returns_original_and_moves_nothing(wallet, world_games):
    s = world_games["session"]
    first = bet(wallet, s)[1]
    again = bet(wallet, s)[1]
    assert again["status"] == "OK" and again["transaction_id"] == first["transaction_id"]
    assert again["balance"] == "90.00"
    assert WalletTransaction.objects.count() == 1


@pytest.mark.parametrize("change", [{"amount": "11.00"}, {"round_id": "r2"}, {"game_id": "other"}])
def test_same_id_different_payload_is_duplicate(wallet, world_games, change):
    s = world_games["session"]
    bet(wallet, s)
    _status, body = bet(wallet, s, **change)
    assert body["code"] == "DUPLICATE_TRANSACTION" and body["balance"] == "90.00"


def test_same_id_as_another_type_is_duplicate(wallet, world_games):
    s = world_games["session"]
    bet(wallet, s)
    assert win(wallet, s, tx="b1")[1]["code"] == "DUPLICATE_TRANSACTION"


def test_same_id_from_another_player_is_duplicate(wallet, world_games, player_factory):
    s = world_games["session"]
    other = player_factory(country="MT", currency="EUR")
    gf.fund(other, cash="50")
    bet(wallet, s)
    assert bet(wallet, gf.session(other, world_games["game"]), round_id="r9")[1]["code"] == "DUPLICATE_TRANSACTION"


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_move_money_once(live_server):
    import urllib.request

    gf.jurisdiction("mga", ("MT",))
    prov = gf.provider("conc")
    s = gf.funded_session(gf.game(prov, "slot-1"), cash="100.00")
    body = json.dumps({"token": s.token, "transaction_id": "same", "round_id": "r1", "game_id": "slot-1",
                       "amount": "10.00", "currency": "EUR"}).encode()
    results = []

    def send():
        ts = str(int(time.time()))
        req = urllib.request.Request(  # noqa: S310 (http to the live server)
            f"{live_server.url}/api/wallet/v1/conc/bet", data=body, method="POST", headers={
            "Content-Type": "application/json", "X-Wallet-Timestamp": ts,
            "X-Wallet-Signature": gf.sign(gf.SECRET, body, ts)})
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
            results.append(json.loads(resp.read()))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r["status"] == "OK" for r in results), results
    assert len({r["transaction_id"] for r in results}) == 1
    from cashier.services import player_balances

    assert player_balances(player=s.player)["cash"] == Decimal("90.00")
    assert WalletTransaction.objects.filter(tx_ref="same").count() == 1
    assert ledger_is_balanced()


# --- Business refusals ------------------------------------------------------------------------------

def test_insufficient_funds(wallet, world_games):
    status, body = bet(wallet, world_games["session"], amount="100.01")
    assert status == 200 and body["code"] == "INSUFFICIENT_FUNDS" and body["balance"] == "100.00"
    assert not Round.objects.exists() and not WalletTransaction.objects.exists()


def test_invalid_token_and_other_providers_token(wallet, world_games, client):
    assert wallet.call("balance", token="nope")[1]["code"] == "INVALID_TOKEN"
    other = gf.provider("other")
    other_wallet = gf.WalletClient(client, other.code)
    assert other_wallet.call("balance", token=world_games["session"].token)[1]["code"] == "INVALID_TOKEN"


def test_expired_token_refuses_bets_but_not_wins_or_rollbacks(wallet, world_games):
    s = world_games["session"]
    bet(wallet, s)
    bet(wallet, s, tx="b2", round_id="r2")
    expire(s)
    assert wallet.call("balance", token=s.token)[1]["code"] == "TOKEN_EXPIRED"
    assert bet(wallet, s, tx="b3", round_id="r3")[1]["code"] == "TOKEN_EXPIRED"
    assert win(wallet, s)[1]["status"] == "OK"
    assert rollback(wallet, s, target="b2", round_id="r2")[1]["status"] == "OK"


def test_idle_expiry_slides(wallet, world_games, settings):
    s = world_games["session"]
    GameSession.objects.filter(pk=s.pk).update(expires_at=timezone.now() + timedelta(seconds=5))
    assert wallet.call("balance", token=s.token)[1]["status"] == "OK"
    s.refresh_from_db()
    assert s.expires_at > timezone.now() + timedelta(seconds=settings.GAME_SESSION_IDLE_SECONDS - 60)


def test_wrong_currency(wallet, world_games):
    assert bet(wallet, world_games["session"], currency="USD")[1]["code"] == "WRONG_CURRENCY"


def test_invalid_game_unknown_inactive_and_jurisdiction(wallet, world_games):
    s = world_games["session"]
    assert bet(wallet, s, game_id="nope")[1]["code"] == "INVALID_GAME"
    assert bet(wallet, s, game_id="uk-only")[1]["code"] == "INVALID_GAME"
    game_set_active(game_ids=[world_games["game"].pk], active=False, reason="test")
    assert bet(wallet, s)[1]["code"] == "INVALID_GAME"


def test_player_blocked_and_excluded(wallet, world_games):
    from players.services import rg_exclusion_start

    s, p = world_games["session"], world_games["player"]
    bet(wallet, s, tx="b0", round_id="r0")
    rg_exclusion_start(player=p, kind="timeout", duration=timedelta(days=1), reason="test")
    s.refresh_from_db()
    assert s.closed_at is not None  # the games exclusion hook ended the session
    assert bet(wallet, s)[1]["code"] == "PLAYER_BLOCKED"
    assert wallet.call("balance", token=s.token)[1]["code"] == "TOKEN_EXPIRED"
    assert win(wallet, s, tx="w0", round_id="r0")[1]["status"] == "OK"  # open rounds still settle


def test_player_suspended_is_blocked(wallet, world_games):
    from players.models import Player

    Player.objects.filter(pk=world_games["player"].pk).update(status="suspended")
    assert bet(wallet, world_games["session"])[1]["code"] == "PLAYER_BLOCKED"


def test_limit_reached(wallet, world_games):
    from players.services import rg_limit_set

    s, p = world_games["session"], world_games["player"]
    rg_limit_set(player=p, kind="wager", period="day", amount=Decimal("15"), source="operator", reason="test")
    assert bet(wallet, s)[1]["status"] == "OK"
    assert bet(wallet, s, tx="b2")[1]["code"] == "LIMIT_REACHED"


def test_bonus_max_bet_hook(wallet, world_games):
    from games.hooks import bet_rules
    from games.services import bonus_wagering_set

    bonus_wagering_set(player_id=world_games["player"].pk, active=True)  # the fast path leaves such bets to the rules
    with bet_rules.registered(lambda **kw: "Max bet while wagering a bonus is 5.00 EUR."):
        assert bet(wallet, world_games["session"])[1]["code"] == "LIMIT_REACHED"


# --- Wins and rollbacks -----------------------------------------------------------------------------

def test_win_for_unknown_bet_or_round(wallet, world_games):
    s = world_games["session"]
    assert win(wallet, s, bet_transaction_id="ghost")[1]["code"] == "TRANSACTION_NOT_FOUND"
    assert win(wallet, s, round_id="ghost-round")[1]["code"] == "TRANSACTION_NOT_FOUND"


def test_rollback_refunds_and_win_after_rollback_refused(wallet, world_games):
    s = world_games["session"]
    bet(wallet, s)
    _status, body = rollback(wallet, s)
    assert body["status"] == "OK" and body["balance"] == "100.00"
    assert Round.objects.get(round_ref="r1").status == "cancelled"
    assert WalletTransaction.objects.get(tx_ref="b1").status == "rolled_back"
    assert win(wallet, s, bet_transaction_id="b1")[1]["code"] == "BET_ROLLED_BACK"
    assert win(wallet, s, tx="w2")[1]["code"] == "BET_ROLLED_BACK"
    # rolling back again (new id): a no-op success; replaying the first rollback: the original answer
    assert rollback(wallet, s, tx="rb2")[1]["balance"] == "100.00"
    assert rollback(wallet, s)[1]["transaction_id"] == body["transaction_id"]
    assert ledger_is_balanced()


def test_rollback_of_unknown_is_remembered(wallet, world_games):
    s = world_games["session"]
    _, body = rollback(wallet, s, target="late")
    assert body["status"] == "OK" and body["balance"] == "100.00"
    _status, body = bet(wallet, s, tx="late")
    assert body["status"] == "ERROR" and body["code"] == "BET_ROLLED_BACK"
    assert body["balance"] == "100.00"


def test_wins_are_not_rolled_back(wallet, world_games):
    s = world_games["session"]
    bet(wallet, s)
    win(wallet, s)
    assert rollback(wallet, s, target="w1")[1]["code"] == "TRANSACTION_NOT_FOUND"


# --- Protocol failures ------------------------------------------------------------------------------

def test_bad_signature_stale_timestamp_unknown_provider(wallet, world_games):
    body = json.dumps({"token": world_games["session"].token}).encode()
    assert wallet.raw("balance", body, signature="0" * 64).status_code == 401
    assert wallet.raw("balance", body, signature="not-hex").status_code == 401
    assert wallet.raw("balance", body, ts=int(time.time()) - 301).status_code == 401
    assert wallet.raw("balance", body, ts=int(time.time()) + 301).status_code == 401
    assert wallet.raw("balance", body, ts="abc").status_code == 401
    r = wallet.raw("balance", body, code="unknown")
    assert r.status_code == 401 and r.json()["code"] == "INVALID_SIGNATURE"
    # the signature is over the raw bytes: re-serialising the same JSON differently breaks it
    ts = str(int(time.time()))
    r = wallet.raw("balance", body + b" ", ts=ts, signature=gf.sign(gf.SECRET, body, ts))
    assert r.status_code == 401


def test_rotation_grace_period(wallet, world_games):
    prov = world_games["provider"]
    body = json.dumps({"token": world_games["session"].token}).encode()
    provider_secret_rotate(provider_id=prov.pk, grace_hours=1, secret="new-secret-0123456789abcdef")
    assert wallet.raw("balance", body).status_code == 200  # the old secret, during the grace period
    provider_secret_rotate(provider_id=prov.pk, grace_hours=0, secret="newer-secret-0123456789abcdef")
    assert wallet.raw("balance", body).status_code == 401
    wallet.secret = "newer-secret-0123456789abcdef"
    assert wallet.raw("balance", body).status_code == 200


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b'{"token": 5}', b"{}", b'{"token": "x", "token": ',
    "{\"token\": \"\u00e9\"}".encode("latin-1"),
    b'{"token": "' + b"x" * 129 + b'"}', b'{"token": "a\\u0000b"}',
])
def test_wrong_syntax_bodies(wallet, world_games, body):
    r = wallet.raw("balance", body)
    assert r.status_code == 400 and r.json()["code"] == "WRONG_SYNTAX"


@pytest.mark.parametrize("amount", ["-1.00", "1.001", "1e2", "NaN", "Infinity", " 1", "1,00", "", "0x10", True,
                                    None, "99999999999999999999"])
def test_bad_amounts(wallet, world_games, amount):
    r = wallet.raw("bet", json.dumps({"token": world_games["session"].token, "transaction_id": "t", "round_id": "r",
                                      "game_id": "slot-1", "amount": amount, "currency": "EUR"}).encode())
    assert r.status_code == 400 and r.json()["code"] == "WRONG_SYNTAX"
    assert not WalletTransaction.objects.exists()


def test_json_number_amount_parsed_exactly(wallet, world_games):
    s = world_games["session"]
    body = (f'{{"token": "{s.token}", "transaction_id": "n1", "round_id": "r", "game_id": "slot-1", "amount": 0.10, '
            '"currency": "EUR"}').encode()
    r = wallet.raw("bet", body)
    assert r.json()["balance"] == "99.90"
    body = body.replace(b"0.10", b"0.105").replace(b"n1", b"n2")
    assert wallet.raw("bet", body).status_code == 400


def test_jpy_has_no_decimals(client, world_games, player_factory):
    p = player_factory(country="MT", currency="JPY")
    gf.fund(p, cash="1000")
    s = gf.session(p, world_games["game"])
    w = gf.WalletClient(client, world_games["provider"].code)
    assert bet(w, s, amount="10.5", currency="JPY")[1]["code"] == "WRONG_SYNTAX"
    assert bet(w, s, amount="10", currency="JPY")[1]["balance"] == "990"


def test_content_type_size_method_and_operation(wallet, world_games, client, settings):
    body = json.dumps({"token": world_games["session"].token}).encode()
    assert wallet.raw("balance", body, content_type="text/plain").status_code == 400
    assert wallet.raw("balance", body, content_type="application/json; charset=latin-1").status_code == 400
    big = json.dumps({"token": "x" * (settings.WALLET_MAX_BODY_BYTES + 10)}).encode()
    assert wallet.raw("balance", big).json()["code"] == "WRONG_SYNTAX"
    assert wallet.raw("unknown-op", body).json()["code"] == "WRONG_SYNTAX"
    assert client.get("/api/wallet/v1/acme/balance").status_code == 405


def test_unicode_and_long_ids(wallet, world_games):
    s = world_games["session"]
    assert bet(wallet, s, tx="τ-ü-💥", round_id="\u03c1-1")[1]["status"] == "OK"
    assert bet(wallet, s, tx="x" * 129)[1]["code"] == "WRONG_SYNTAX"
    assert bet(wallet, s, tx="x" * 128, round_id="\u03c1-1")[1]["status"] == "OK"


def test_openapi_document(client, db):
    r = client.get("/api/wallet/v1/openapi.json")
    doc = r.json()
    assert r.status_code == 200 and doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {f"/api/wallet/v1/{{provider_code}}/{op}" for op in
                                 ("authenticate", "balance", "bet", "win", "rollback", "end-round")}


def test_replay_is_answered_even_when_the_bet_would_now_be_refused(wallet, world_games):
    s = world_games["session"]
    first = bet(wallet, s)[1]
    game_set_active(game_ids=[world_games["game"].pk], active=False, reason="test")
    assert bet(wallet, s)[1]["transaction_id"] == first["transaction_id"]
    expire(s)
    assert bet(wallet, s)[1]["transaction_id"] == first["transaction_id"]
    assert bet(wallet, s, currency="USD")[1]["code"] == "DUPLICATE_TRANSACTION"


def test_stale_rounds_are_interrupted_and_can_still_be_finished(wallet, world_games):
    from games.services import rounds_interrupt_stale
    from games.tasks import rounds_interrupt_stale as task

    s = world_games["session"]
    bet(wallet, s)
    Round.objects.update(opened_at=timezone.now() - timedelta(hours=25))
    assert rounds_interrupt_stale() == 1
    task()  # idempotent
    assert Round.objects.get().status == "interrupted"
    assert bet(wallet, s, tx="b2")[1]["code"] == "WRONG_SYNTAX"
    assert win(wallet, s, round_closed=True)[1]["status"] == "OK"
    assert Round.objects.get().status == "complete"
