"""The wallet conformance kit: replays every edge case of docs/wallet-api.md against any wallet endpoint.

Used by ``manage.py wallet_conformance`` and by the test suite (against our own API on a live server).
It speaks only HTTP: nothing here touches our database, so it can be pointed at another operator's
implementation of the same contract.
"""

from __future__ import annotations

import http.client
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from games.api import sign

CURRENCY_DECIMALS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "KWD": 3, "BHD": 3}


@dataclass
class Case:
    name: str
    ok: bool
    detail: str = ""
    skipped: bool = False


@dataclass
class Reply:
    status: int
    body: dict

    @property
    def code(self) -> str:
        return self.body.get("code", "") if isinstance(self.body, dict) else ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and isinstance(self.body, dict) and self.body.get("status") == "OK"


class WalletHttp:
    """A keep-alive HTTP client for one wallet endpoint (one connection per instance: not thread-safe)."""

    def __init__(self, base_url: str, provider: str, secret: str, timeout: float = 30):
        parsed = urllib.parse.urlsplit(base_url.rstrip("/"))
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"{base_url!r} is not an http(s) URL.")
        self.scheme, self.host, self.port = parsed.scheme, parsed.hostname, parsed.port
        self.prefix = parsed.path
        self.provider, self.secret, self.timeout = provider, secret, timeout
        self.conn = None

    def _connection(self):
        if self.conn is None:
            cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
            self.conn = cls(self.host, self.port, timeout=self.timeout)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def raw(self, op: str, body: bytes, *, ts: int | None = None, signature: str | None = None,
            content_type: str = "application/json", provider: str | None = None) -> Reply:
        ts = int(time.time()) if ts is None else ts
        sig = sign(self.secret, body, ts) if signature is None else signature
        path = f"{self.prefix}/api/wallet/v1/{urllib.parse.quote(provider or self.provider)}/{op}"
        headers = {"Content-Type": content_type, "X-Wallet-Timestamp": str(ts), "X-Wallet-Signature": sig,
                   "Connection": "keep-alive"}
        for attempt in range(2):  # one reconnect when the server closed an idle keep-alive connection
            try:
                conn = self._connection()
                conn.request("POST", path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.close()
                if attempt:
                    raise
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = {"_raw": data[:200].decode("utf-8", "replace")}
        return Reply(resp.status, parsed)

    def call(self, op: str, **fields) -> Reply:
        return self.raw(op, json.dumps(fields).encode())


@dataclass
class Kit:
    url: str
    provider: str
    secret: str
    token: str
    game: str = ""
    expired_token: str = ""
    results: list[Case] = field(default_factory=list)

    def __post_init__(self):
        self.http = WalletHttp(self.url, self.provider, self.secret)
        self.run_id = secrets.token_hex(4)
        self.currency = "EUR"
        self._n = 0

    # --- helpers ---------------------------------------------------------------------------------
    def tid(self, label: str) -> str:
        self._n += 1
        return f"conf-{self.run_id}-{self._n}-{label}"

    def money(self, units: str) -> str:
        d = CURRENCY_DECIMALS.get(self.currency, 2)
        return str(Decimal(units).quantize(Decimal(1).scaleb(-d)))

    def balance(self) -> Decimal:
        r = self.http.call("balance", token=self.token)
        if not r.ok:
            raise AssertionError(f"balance failed: {r.status} {r.body}")
        return Decimal(r.body["balance"])

    def bet(self, tx: str, round_id: str, amount: str, **extra) -> Reply:
        return self.http.call("bet", **{"token": self.token, "transaction_id": tx, "round_id": round_id,
                                        "game_id": self.game, "amount": amount, "currency": self.currency, **extra})

    def win(self, tx: str, round_id: str, amount: str, token: str | None = None, **extra) -> Reply:
        return self.http.call("win", **{"token": token or self.token, "transaction_id": tx, "round_id": round_id,
                                        "game_id": self.game, "amount": amount, "currency": self.currency, **extra})

    def rollback(self, tx: str, target: str, round_id: str, token: str | None = None) -> Reply:
        return self.http.call("rollback", token=token or self.token, transaction_id=tx,
                              rollback_transaction_id=target, round_id=round_id, game_id=self.game)

    def case(self, name: str, fn: Callable[[], str | None]) -> None:
        try:
            detail = fn()
        except AssertionError as exc:
            self.results.append(Case(name, False, str(exc)))
        except _Skip as exc:
            self.results.append(Case(name, True, str(exc), skipped=True))
        except Exception as exc:  # a network failure is a failed case, not a crash of the kit
            self.results.append(Case(name, False, f"{type(exc).__name__}: {exc}"))
        else:
            self.results.append(Case(name, True, detail or ""))

    # --- the cases ---------------------------------------------------------------------------------
    def run(self, progress: Callable[[Case], None] | None = None) -> list[Case]:
        cases = [(name[6:].replace("_", " "), getattr(self, name)) for name in dir(self) if name.startswith("check_")]
        cases.sort(key=lambda c: getattr(c[1], "order", 100))
        for name, fn in cases:
            self.case(name, fn)
            if progress:
                progress(self.results[-1])
        self.http.close()
        return self.results


def _order(n):
    def mark(fn):
        fn.order = n
        return fn

    return mark


class _Skip(Exception):
    pass


def expect(cond: bool, message: str) -> None:
    if not cond:
        raise AssertionError(message)


class ConformanceKit(Kit):
    @_order(1)
    def check_authenticate(self):
        r = self.http.call("authenticate", token=self.token)
        expect(r.ok, f"expected OK, got {r.status} {r.body}")
        for key in ("player_id", "currency", "balance", "cash", "bonus"):
            expect(isinstance(r.body.get(key), str), f"{key} must be a string in {r.body}")
        Decimal(r.body["balance"])
        self.currency = r.body["currency"]
        self.game = self.game or r.body.get("game_id", "")
        expect(bool(self.game), "no game id: pass --game (the authenticate answer does not name one)")
        start = self.balance()
        expect(start >= Decimal(5), f"the token's player needs a balance of at least 5, has {start}")
        return f"player {r.body['player_id']}, {r.body['balance']} {self.currency}"

    @_order(2)
    def check_balance(self):
        r = self.http.call("balance", token=self.token)
        expect(r.ok and Decimal(r.body["balance"]) == Decimal(r.body["cash"]) + Decimal(r.body["bonus"]),
               f"balance must equal cash + bonus: {r.body}")

    @_order(3)
    def check_bad_signature(self):
        r = self.http.raw("balance", json.dumps({"token": self.token}).encode(), signature="0" * 64)
        expect(r.status == 401 and r.code == "INVALID_SIGNATURE", f"expected 401 INVALID_SIGNATURE, got {r}")

    @_order(3)
    def check_signature_over_raw_bytes(self):
        body = json.dumps({"token": self.token}).encode()
        ts = int(time.time())
        r = self.http.raw("balance", body.replace(b'": "', b'":"'), ts=ts, signature=sign(self.secret, body, ts))
        expect(r.status == 401, f"a body re-serialised after signing must be refused, got {r}")

    @_order(3)
    def check_stale_timestamp(self):
        for skew in (-301, 301):
            r = self.http.raw("balance", json.dumps({"token": self.token}).encode(), ts=int(time.time()) + skew)
            expect(r.status == 401 and r.code == "INVALID_SIGNATURE", f"skew {skew}s: expected 401, got {r}")

    @_order(3)
    def check_unknown_provider(self):
        r = self.http.raw("balance", json.dumps({"token": self.token}).encode(), provider="no-such-provider-x")
        expect(r.status == 401, f"expected 401, got {r}")

    @_order(4)
    def check_invalid_token(self):
        r = self.http.call("balance", token="conformance-unknown-token")  # noqa: S106 (not a secret)
        expect(r.code == "INVALID_TOKEN", f"expected INVALID_TOKEN, got {r}")

    @_order(5)
    def check_bet_and_replayed_duplicate(self):
        start = self.balance()
        tx, rnd = self.tid("bet"), self.tid("round")
        first = self.bet(tx, rnd, self.money("1"))
        expect(first.ok and first.body.get("transaction_id"), f"bet: expected OK with transaction_id, got {first}")
        expect(Decimal(first.body["balance"]) == start - 1,
               f"bet: balance {first.body['balance']}, expected {start - 1}")
        again = self.bet(tx, rnd, self.money("1"))
        expect(again.ok and again.body.get("transaction_id") == first.body["transaction_id"],
               f"replay: expected the original transaction_id, got {again}")
        expect(self.balance() == start - 1, "replay moved money")
        self.win(self.tid("win"), rnd, self.money("1"), round_closed=True)

    @_order(6)
    def check_concurrent_duplicates(self):
        start = self.balance()
        tx, rnd = self.tid("conc"), self.tid("round")
        body = json.dumps({"token": self.token, "transaction_id": tx, "round_id": rnd, "game_id": self.game,
                           "amount": self.money("1"), "currency": self.currency}).encode()
        replies: list[Reply] = []
        barrier = threading.Barrier(10)

        def send():
            client = WalletHttp(self.url, self.provider, self.secret)
            barrier.wait()
            try:
                replies.append(client.raw("bet", body))
            finally:
                client.close()

        threads = [threading.Thread(target=send) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        oks = [r for r in replies if r.ok]
        retries = [r for r in replies if r.code == "INTERNAL_RETRY"]
        expect(len(oks) + len(retries) == 10 and oks, f"expected OK (or INTERNAL_RETRY) answers: {replies}")
        expect(len({r.body["transaction_id"] for r in oks}) == 1, "different transaction ids for one request")
        expect(self.balance() == start - 1, f"10 concurrent copies moved {start - self.balance()}, expected 1")
        self.win(self.tid("win"), rnd, self.money("1"), round_closed=True)
        return f"{len(oks)} OK, {len(retries)} INTERNAL_RETRY, money moved once"

    @_order(7)
    def check_same_id_different_payload(self):
        tx, rnd = self.tid("dup"), self.tid("round")
        expect(self.bet(tx, rnd, self.money("1")).ok, "first bet refused")
        start = self.balance()
        r = self.bet(tx, rnd, self.money("2"))
        expect(r.code == "DUPLICATE_TRANSACTION", f"expected DUPLICATE_TRANSACTION, got {r}")
        expect(self.balance() == start, "a duplicate moved money")
        self.win(self.tid("win"), rnd, self.money("1"), round_closed=True)

    @_order(8)
    def check_win(self):
        tx, rnd = self.tid("bet"), self.tid("round")
        self.bet(tx, rnd, self.money("1"))
        start = self.balance()
        r = self.win(self.tid("win"), rnd, self.money("2"), bet_transaction_id=tx, round_closed=True)
        expect(r.ok and Decimal(r.body["balance"]) == start + 2, f"win: expected +2, got {r}")

    @_order(9)
    def check_win_for_unknown_bet(self):
        rnd = self.tid("round")
        self.bet(self.tid("bet"), rnd, self.money("0"))
        r = self.win(self.tid("win"), rnd, self.money("1"), bet_transaction_id=self.tid("ghost"))
        expect(r.code == "TRANSACTION_NOT_FOUND", f"expected TRANSACTION_NOT_FOUND, got {r}")

    @_order(10)
    def check_rollback_then_win_refused(self):
        start = self.balance()
        tx, rnd = self.tid("bet"), self.tid("round")
        self.bet(tx, rnd, self.money("1"))
        r = self.rollback(self.tid("rb"), tx, rnd)
        expect(r.ok and Decimal(r.body["balance"]) == start, f"rollback: expected the stake back, got {r}")
        w = self.win(self.tid("win"), rnd, self.money("1"), bet_transaction_id=tx)
        expect(w.code == "BET_ROLLED_BACK", f"win after rollback: expected BET_ROLLED_BACK, got {w}")
        again = self.rollback(self.tid("rb"), tx, rnd)
        expect(again.ok and self.balance() == start, f"second rollback: expected a no-op success, got {again}")

    @_order(11)
    def check_rollback_of_unknown(self):
        start = self.balance()
        ghost, rnd = self.tid("late"), self.tid("round")
        r = self.rollback(self.tid("rb"), ghost, rnd)
        expect(r.ok and self.balance() == start, f"expected OK moving nothing, got {r}")
        late = self.bet(ghost, rnd, self.money("1"))
        expect(late.body.get("status") == "ERROR" and self.balance() == start,
               f"a late bet after its rollback must be refused, got {late}")

    @_order(12)
    def check_bad_amounts(self):
        start = self.balance()
        for amount in ("-1.00", "1.0001", "1e2", "abc", "", "NaN", 1.0001, -1, None, True):
            r = self.http.call("bet", token=self.token, transaction_id=self.tid("bad"), round_id=self.tid("r"),
                               game_id=self.game, amount=amount, currency=self.currency)
            expect(r.status == 400 and r.code == "WRONG_SYNTAX", f"amount {amount!r}: expected 400, got {r}")
        expect(self.balance() == start, "a refused amount moved money")

    @_order(13)
    def check_malformed_requests(self):
        cases = [(b"{not json", "application/json"), (b"[]", "application/json"),
                 (json.dumps({"token": self.token}).encode(), "text/plain"),
                 ('{"token": "\u00e9"}'.encode("latin-1"), "application/json"),
                 (json.dumps({"token": "x" * 100_000}).encode(), "application/json"),
                 (json.dumps({"token": "t" * 300}).encode(), "application/json")]
        for body, ctype in cases:
            r = self.http.raw("balance", body, content_type=ctype)
            expect(r.status == 400 and r.code == "WRONG_SYNTAX", f"{body[:30]!r} ({ctype}): got {r.status} {r.body}")
        r = self.bet(self.tid("x") + "x" * 200, self.tid("r"), self.money("1"))
        expect(r.status == 400, f"a 200-character id: expected 400, got {r}")

    @_order(14)
    def check_unicode_ids(self):
        rnd = self.tid("round") + "-\u00fc\u03c1\U0001f3b2"
        r = self.bet(self.tid("bet") + "-\u00e9\u4e2d", rnd, self.money("0"))
        expect(r.ok, f"unicode ids: expected OK, got {r}")

    @_order(15)
    def check_insufficient_funds(self):
        start = self.balance()
        r = self.bet(self.tid("big"), self.tid("round"), self.money(str(start + 1)))
        expect(r.code == "INSUFFICIENT_FUNDS" and Decimal(r.body.get("balance", "-1")) == start,
               f"expected INSUFFICIENT_FUNDS with the balance, got {r}")

    @_order(16)
    def check_wrong_currency(self):
        other = "USD" if self.currency != "USD" else "EUR"
        r = self.http.call("bet", token=self.token, transaction_id=self.tid("cur"), round_id=self.tid("r"),
                           game_id=self.game, amount="1.00", currency=other)
        expect(r.code == "WRONG_CURRENCY", f"expected WRONG_CURRENCY, got {r}")

    @_order(17)
    def check_unknown_game(self):
        r = self.http.call("bet", token=self.token, transaction_id=self.tid("g"), round_id=self.tid("r"),
                           game_id="conformance-no-such-game", amount=self.money("1"), currency=self.currency)
        expect(r.code == "INVALID_GAME", f"expected INVALID_GAME, got {r}")

    @_order(18)
    def check_end_round(self):
        rnd = self.tid("round")
        self.bet(self.tid("bet"), rnd, self.money("0"))
        r = self.http.call("end-round", token=self.token, round_id=rnd, game_id=self.game)
        expect(r.ok, f"expected OK, got {r}")

    @_order(19)
    def check_win_and_rollback_after_expiry(self):
        if not self.expired_token:
            raise _Skip("give --expired-token (an expired session of the same player) to run this case")
        tx, tx2, rnd, rnd2 = self.tid("bet"), self.tid("bet"), self.tid("round"), self.tid("round")
        self.bet(tx, rnd, self.money("1"))
        self.bet(tx2, rnd2, self.money("1"))
        r = self.http.call("bet", token=self.expired_token, transaction_id=self.tid("b"), round_id=self.tid("r"),
                           game_id=self.game, amount=self.money("1"), currency=self.currency)
        expect(r.code == "TOKEN_EXPIRED", f"bet with an expired token: expected TOKEN_EXPIRED, got {r}")
        w = self.win(self.tid("win"), rnd, self.money("1"), token=self.expired_token)
        expect(w.ok, f"win after expiry: expected OK, got {w}")
        rb = self.rollback(self.tid("rb"), tx2, rnd2, token=self.expired_token)
        expect(rb.ok, f"rollback after expiry: expected OK, got {rb}")
