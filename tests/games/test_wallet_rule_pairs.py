"""Each rule the SQL fast path repeats from Python, run through both paths: the answers must be the same.

The rules are named in games/services/wallet/rules.py (``WALLET_SQL_RULES``) and marked ``rule: <name>`` in the
Python that implements them and in the SQL that repeats them (games/sql/). Every case below runs twice from the
same database state (a savepoint rolled back in between): once with the fast path on, once on the Python path
alone. A Python rule that changes while the SQL does not (say, a deposit limit that now also limits bets, or a
new player status that may bet) makes the fast path answer differently, and the case fails. Cases the fast path
must answer on its own (``fast=True``) also check that it did, in one statement.

The pairs (rule -> cases): see ``CASES``; ``test_every_named_rule_is_paired_and_marked`` holds the list, the
markers and the cases to each other.
"""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from games.hooks import bet_rules
from games.models import Game, GameSession, Round
from games.services import bonus_wagering_set
from games.services.wallet import WALLET_SQL_RULES
from players.choices import LimitKind, PlayerStatus
from players.models import Player, RgExclusion
from tests.games import factories as gf


@pytest.fixture(autouse=True)
def _house(settings, db):
    from cashier.services import house_account

    settings.CASHIER_SYSTEM_SHARDS = 1
    house_account(currency="EUR")


@pytest.fixture
def world(world_games, client):
    world_games["client"] = gf.WalletClient(client, world_games["provider"].code)
    world_games["client"].call("balance", token=world_games["session"].token)  # the provider cache, warmed
    return world_games


def _bet(**kw):
    return {"op": "bet", "transaction_id": "p-b1", "round_id": "p-r1", "game_id": "slot-1", "amount": "10.00",
            "currency": "EUR", **kw}


def _win(**kw):
    return {"op": "win", "transaction_id": "p-w1", "round_id": "r0", "game_id": "slot-1", "amount": "4.00",
            "currency": "EUR", **kw}


def _place(w, tx="b0", round_id="r0", amount="10.00", **kw):
    """A bet placed before the case (part of the shared state)."""
    _status, body = w["client"].call("bet", token=w["session"].token, transaction_id=tx, round_id=round_id,
                                     game_id="slot-1", amount=amount, currency="EUR", **kw)
    assert body["status"] == "OK", body


def _session(w, **fields):
    GameSession.objects.filter(pk=w["session"].pk).update(**fields)


def _player(w, **fields):
    Player.objects.filter(pk=w["player"].pk).update(**fields)


def _exclusion(w, starts, ends):
    now = timezone.now()
    RgExclusion.objects.create(player=w["player"], kind="timeout", starts_at=now + starts,
                               ends_at=None if ends is None else now + ends)


def _limit(w, kind):
    from players.services import rg_limit_set

    rg_limit_set(player=w["player"], kind=kind, period="day", amount=Decimal("5"), source="operator", reason="t")


def _flag(w, refusal):
    bonus_wagering_set(player_id=w["player"].pk, active=True)
    return refusal


def _refuse(**kw):
    return "Max bet while wagering a bonus is 5.00 EUR."


def _allow(**kw):
    return ""


def _touched(w):
    return GameSession.objects.get(pk=w["session"].pk).expires_at > w["touch_before"] + timedelta(seconds=1)


def _near_expiry(w):
    w["touch_before"] = timezone.now() + timedelta(seconds=60)
    _session(w, expires_at=w["touch_before"])


def _fresh_expiry(w):
    w["touch_before"] = timezone.now() + timedelta(seconds=django_settings.GAME_SESSION_IDLE_SECONDS - 5)
    _session(w, expires_at=w["touch_before"])


H = timedelta(hours=1)
S = timedelta(seconds=1)

# (rule, case id, setup(world) -> a bet_rules receiver or None, the call, expected code, fast path answers alone,
#  an observation of the state after the call, compared between the paths)
CASES = [
    ("replay", "same payload", lambda w: _place(w, tx="p-b1", round_id="p-r1"), _bet(), "OK", True, None),
    ("replay", "other payload", lambda w: _place(w, tx="p-b1", round_id="p-r1"), _bet(amount="2.00"),
     "DUPLICATE_TRANSACTION", False, None),
    ("session.live", "live", None, _bet(), "OK", True, None),
    ("session.live", "expired", lambda w: _session(w, expires_at=timezone.now() - S), _bet(), "TOKEN_EXPIRED",
     False, None),
    ("session.live", "closed", lambda w: _session(w, closed_at=timezone.now()), _bet(), "TOKEN_EXPIRED", False,
     None),
    ("session.live", "win after expiry", lambda w: (_place(w), _session(w, expires_at=timezone.now() - S)),
     _win(), "OK", True, None),
    ("session.touch", "near expiry: moved", _near_expiry, _bet(), "OK", True, _touched),
    ("session.touch", "fresh: left", _fresh_expiry, _bet(), "OK", True, _touched),
    ("session.currency", "bet", None, _bet(currency="GBP"), "WRONG_CURRENCY", False, None),
    ("session.currency", "win", lambda w: _place(w), _win(currency="GBP"), "WRONG_CURRENCY", False, None),
    ("game.playable", "unknown", None, _bet(game_id="nope"), "INVALID_GAME", False, None),
    ("game.playable", "inactive", lambda w: Game.objects.filter(pk=w["game"].pk).update(is_active=False), _bet(),
     "INVALID_GAME", False, None),
    ("game.playable", "other jurisdiction", None, _bet(game_id="uk-only"), "INVALID_GAME", False, None),
    *[("rg.player_active", status, lambda w, s=status: _player(w, status=s), _bet(),
       "OK" if status == PlayerStatus.ACTIVE else "PLAYER_BLOCKED", status == PlayerStatus.ACTIVE, None)
      for status in PlayerStatus.values],
    ("rg.exclusion_active", "in force", lambda w: _exclusion(w, -H, H), _bet(), "PLAYER_BLOCKED", False, None),
    ("rg.exclusion_active", "indefinite", lambda w: _exclusion(w, -H, None), _bet(), "PLAYER_BLOCKED", False,
     None),
    ("rg.exclusion_active", "ended", lambda w: _exclusion(w, -2 * H, -S), _bet(), "OK", True, None),
    ("rg.exclusion_active", "not yet started", lambda w: _exclusion(w, H, 2 * H), _bet(), "OK", True, None),
    *[("rg.bet_limit_kinds", kind, lambda w, k=kind: _limit(w, k), _bet(),
       "LIMIT_REACHED" if kind in (LimitKind.WAGER, LimitKind.LOSS) else "OK",
       kind not in (LimitKind.WAGER, LimitKind.LOSS), None)
      for kind in LimitKind.values],
    ("bonus.rules", "flagged, refused", lambda w: _flag(w, _refuse), _bet(), "LIMIT_REACHED", False, None),
    ("bonus.rules", "flagged, allowed", lambda w: _flag(w, _allow), _bet(), "OK", False, None),
    ("bonus.rules", "not flagged", lambda w: _refuse, _bet(), "OK", True, None),
    ("stake.split", "cash then bonus", lambda w: gf.fund(w["player"], bonus="20.00"), _bet(amount="110.00"), "OK",
     True, None),
    ("stake.split", "insufficient", None, _bet(amount="100.01"), "INSUFFICIENT_FUNDS", True, None),
    ("round.open", "open round", lambda w: _place(w, round_id="p-r1", tx="b0"), _bet(), "OK", True, None),
    ("round.open", "closed round",
     lambda w: (_place(w, round_id="p-r1", tx="b0"), Round.objects.filter(round_ref="p-r1").update(status="complete")),
     _bet(), "WRONG_SYNTAX", False, None),
    ("round.open", "another game's round", lambda w: _place(w, round_id="p-r1", tx="b0"),
     _bet(game_id="slot-2"), "WRONG_SYNTAX", False, None),
    ("win.split", "cash round", lambda w: _place(w), _win(), "OK", True, None),
    ("win.split", "bonus-funded round", lambda w: (gf.fund(w["player"], bonus="20.00"), _place(w, amount="110.00")),
     _win(amount="11.00"), "OK", False, None),
]


def _run(w, settings, case, fast_path: bool):
    call, observe = case[3], case[6]
    settings.WALLET_FAST_PATH = fast_path
    call = dict(call)
    op = call.pop("op")
    with CaptureQueriesContext(connection) as ctx:
        status, body = w["client"].call(op, token=w["session"].token, **call)
    body.pop("transaction_id", None)
    seen = observe(w) if observe else None
    one_call = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    return (status, body, seen), len(one_call) == 1


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_both_paths_answer_the_same(world, settings, case):
    rule, setup, code, must_be_fast = case[0], case[2], case[4], case[5]
    gf.game(world["provider"], "slot-2")
    receiver = setup(world) if setup else None
    receivers = [receiver] if callable(receiver) else []
    answers, fast = {}, None
    with bet_rules.registered(receivers[0]) if receivers else _nothing():
        for fast_path in (True, False):
            with transaction.atomic():
                answers[fast_path], one = _run(world, settings, case, fast_path)
                transaction.set_rollback(True)
            if fast_path:
                fast = one
    assert answers[True] == answers[False], rule
    assert (answers[False][1].get("code") or answers[False][1]["status"]) == code
    assert fast == must_be_fast, "the fast path answered alone" if fast else "the fast path fell back"


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def test_every_named_rule_is_paired_and_marked():
    """Each rule of WALLET_SQL_RULES has cases above and a ``rule: <name>`` marker in the SQL and in the Python."""
    root = Path(django_settings.BASE_DIR)
    marked = re.compile(r"rule: ([a-z_]+(?:\.[a-z_]+)*)")
    in_sql = {m for p in root.glob("games/sql/*.sql") for m in marked.findall(p.read_text())}
    in_python = {m for app in ("games", "players") for p in (root / app).rglob("*.py")
                 for m in marked.findall(p.read_text())}
    rules = set(WALLET_SQL_RULES)
    assert {c[0] for c in CASES} == rules
    assert in_sql == rules, "SQL markers"
    assert in_python >= rules, "Python markers"
