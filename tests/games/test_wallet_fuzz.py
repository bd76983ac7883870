"""Property-based fuzzing of the wallet API (hypothesis): whatever arrives, a JSON answer, never a 500,
money conserved. Bodies are built from the OpenAPI field list, mixing valid values with hostile ones."""

import json
from decimal import Decimal

from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from games.api import FIELDS
from games.openapi import ERROR_CODES
from tests.games import factories as gf

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

hostile_text = st.one_of(st.text(max_size=40), st.text(min_size=120, max_size=300), st.just("\x00"),
                         st.sampled_from(["", " ", "null", "☃", "\U0001f4a5" * 50, "../../etc", "' OR 1=1 --"]))
amounts = st.one_of(
    st.decimals(min_value=0, max_value=200, places=2).map(str),
    st.sampled_from(["-1", "1e3", "NaN", "0.001", "1,5", "", "99999999999999999999", "0", "0.00"]),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-5, max_value=10**20), st.booleans(),
    st.none())
any_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
                        max_leaves=8)


def ledger_balanced() -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(SUM(amount), 0) FROM cashier_entry")
        return cur.fetchone()[0] == 0


@st.composite
def bodies(draw, token: str):
    op = draw(st.sampled_from(sorted(FIELDS)))
    body = {}
    for name, kind in FIELDS[op].items():
        if draw(st.integers(0, 9)) == 0:
            continue  # a missing field now and then
        if name == "token":
            body[name] = draw(st.one_of(st.just(token), st.just(token), hostile_text))
        elif kind.startswith("amount"):
            body[name] = draw(amounts)
        elif kind.startswith("currency"):
            body[name] = draw(st.sampled_from(["EUR", "EUR", "USD", "eur", "EURO", ""]))
        elif kind.startswith("bool"):
            body[name] = draw(st.one_of(st.booleans(), any_json))
        elif name == "game_id":
            body[name] = draw(st.one_of(st.just("slot-1"), st.just("slot-1"), hostile_text))
        else:
            body[name] = draw(st.one_of(st.sampled_from(["t1", "t2", "r1", "r2", "b1"]), hostile_text, any_json))
    if draw(st.integers(0, 9)) == 0:
        body[draw(st.text(max_size=8))] = draw(any_json)
    return op, body


def _check(response):
    assert response.status_code in (200, 400), (response.status_code, response.content[:300])
    data = response.json()
    assert data["status"] in ("OK", "ERROR")
    if data["status"] == "ERROR":
        assert data["code"] in ERROR_CODES
    else:
        assert Decimal(data["balance"]) >= 0


def test_fuzz_signed_bodies(wallet, world_games):
    token = world_games["session"].token

    @FUZZ
    @given(case=bodies(token))
    def run(case):
        op, body = case
        raw = json.dumps(body, default=str, allow_nan=True).encode()
        _check(wallet.raw(op, raw))

    run()
    assert ledger_balanced()


def test_fuzz_raw_bytes(wallet, world_games):
    @FUZZ
    @given(raw=st.binary(max_size=400), op=st.sampled_from(sorted(FIELDS)),
           ctype=st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""]))
    def run(raw, op, ctype):
        r = wallet.raw(op, raw, content_type=ctype)
        assert r.status_code == 400 or (r.status_code == 200 and ctype.startswith("application/json")), r.content
        r.json()

    run()
    assert ledger_balanced()


def test_fuzz_headers_never_500(wallet, world_games):
    body = json.dumps({"token": world_games["session"].token}).encode()

    @FUZZ
    @given(ts=st.one_of(st.text(max_size=20), st.integers(-(10**15), 10**15).map(str)),
           sig=st.one_of(st.text(max_size=70), st.just("0" * 64)))
    def run(ts, sig):
        try:
            r = wallet.raw("balance", body, ts=ts, signature=sig)
        except ValueError:  # header values the test client itself refuses to send (newlines)
            return
        assert r.status_code == 401 and r.json()["code"] == "INVALID_SIGNATURE"

    run()
    assert gf.SECRET
