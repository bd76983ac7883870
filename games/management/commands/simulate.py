"""Play realistic casino rounds through the HTTP seamless-wallet API, as a game provider would.

Operator-side set-up (what the player-facing site does) uses services: opening game sessions and, when
a simulated player runs dry, a small top-up. Every bet, win, rollback and end-round goes over HTTP.
"""

from __future__ import annotations

import http.client
import random
import secrets
import socket
import statistics
import time
import urllib.parse
from collections import Counter
from decimal import ROUND_DOWN, Decimal

from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from backoffice.money import currency_exponent
from cashier.services.adjustments import balance_adjust
from games.conformance import WalletHttp
from games.models import Game, Provider
from games.services import game_session_open, jurisdiction_for_country
from players.models import Player

TOP_UP = Decimal("200")


class Command(BaseCommand):
    help = "Play casino rounds through the HTTP wallet API at a given rate (Ctrl-C stops; prints a summary)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Base URL of the web server")
        parser.add_argument("--provider", default="demo-studio", help="Provider code (its secret is read here)")
        parser.add_argument("--players", type=int, default=20, help="How many players play")
        parser.add_argument("--rate", type=float, default=2.0, help="Rounds per second")
        parser.add_argument("--duration", type=float, default=0, help="Seconds to run (0: until stopped)")
        parser.add_argument("--rounds", type=int, default=0, help="Stop after this many rounds (0: no limit)")
        parser.add_argument("--wait", type=float, default=120, help="Seconds to wait for the web server to answer")
        parser.add_argument("--progress", type=float, default=10, help="Seconds between progress lines")
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **o):
        if o["players"] < 1 or o["rate"] <= 0:
            raise CommandError("--players must be at least 1 and --rate positive.")
        provider = Provider.objects.filter(code=o["provider"], is_active=True).first()
        if provider is None:
            raise CommandError(f"No active provider {o['provider']!r} (run seed_demo or create_provider).")
        games = list(Game.objects.playable().filter(provider=provider).prefetch_related("jurisdictions"))
        if not games:
            raise CommandError(f"{provider.code} has no active games.")
        self.rng = random.Random(o["seed"])
        self._wait_for_server(o["url"], o["wait"])
        self.http = WalletHttp(o["url"], provider.code, provider.secret)
        self.provider, self.games = provider, games
        self.players = self._players(o["players"])
        if not self.players:
            raise CommandError("No active player can play these games (jurisdictions, status).")
        self.stdout.write(f"Simulating {len(self.players)} players on {len(games)} {provider.code} games at "
                          f"{o['rate']:g} rounds/s against {o['url']} (Ctrl-C stops).")
        self.stats, self.latency = Counter(), []
        start = last = time.monotonic()
        interval = 1.0 / o["rate"]
        next_at = start
        try:
            while True:
                now = time.monotonic()
                if o["duration"] and now - start >= o["duration"]:
                    break
                if o["rounds"] and self.stats["rounds"] >= o["rounds"]:
                    break
                if now < next_at:
                    time.sleep(min(next_at - now, 0.5))
                    continue
                next_at += interval
                if next_at < now - 1:  # fell behind: do not burst to catch up
                    next_at = now
                self._round()
                if now - last >= o["progress"]:
                    last = now
                    self._progress(now - start)
        except KeyboardInterrupt:
            pass
        finally:
            self.http.close()
        self._summary(time.monotonic() - start)

    # --- set-up ------------------------------------------------------------------------------------

    def _wait_for_server(self, url: str, wait: float) -> None:
        parts = urllib.parse.urlsplit(url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        deadline = time.monotonic() + wait
        announced = False
        while True:
            try:
                with socket.create_connection((host, port), timeout=2):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise CommandError(f"The web server at {url} did not answer within {wait:g} s.") from None
                if not announced:
                    self.stdout.write(f"Waiting for the web server at {url} …")
                    announced = True
                time.sleep(1)

    def _players(self, n: int) -> list[dict]:
        chosen = []
        candidates = Player.objects.filter(status="active", is_test=False).order_by("?")[: n * 5]
        for player in candidates:
            jur = jurisdiction_for_country(player.country)
            playable = [g for g in self.games if jur is not None and jur in g.jurisdictions.all()]
            if not playable:
                continue
            game = self.rng.choice(playable)
            try:
                session = game_session_open(player=player, provider_code=self.provider.code,
                                            game_external_id=game.external_id)
            except ApplicationError:
                continue
            chosen.append({"player": player, "game": game, "token": session.token, "exp": currency_exponent(
                player.currency), "balance": None})
            if len(chosen) >= n:
                break
        return chosen

    def _top_up(self, p: dict) -> None:
        try:
            balance_adjust(player=p["player"], amount=TOP_UP, reason_code="testing",
                           reason="simulate: demo top-up of a simulated player", actor_label="ops:simulate")
            self.stats["top-ups"] += 1
        except ApplicationError as exc:
            self.stats["top-up refused"] += 1
            self.stderr.write(f"top-up refused for {p['player']}: {exc.message}")

    def _reopen(self, p: dict) -> None:
        p["token"] = game_session_open(player=p["player"], provider_code=self.provider.code,
                                       game_external_id=p["game"].external_id).token
        self.stats["sessions reopened"] += 1

    # --- one round ---------------------------------------------------------------------------------

    RETRY_FOR_SECONDS = 120

    def _send_with_retry(self, op: str, fields: dict):
        """Send one wallet request; on a dropped connection send the very same request again, as a provider
        would: the protocol is idempotent by transaction_id, so a retry never moves money twice. The web
        server restarting (runserver reloads on code changes, a deploy) must not stop the simulation."""
        deadline = time.monotonic() + self.RETRY_FOR_SECONDS
        delay = 0.5
        while True:
            try:
                return self.http.call(op, **fields)
            except (ConnectionError, OSError, http.client.HTTPException) as exc:
                if time.monotonic() > deadline:
                    raise
                self.stats["retries after connection errors"] += 1
                self.stderr.write(f"{op}: {type(exc).__name__}; retrying the same request in {delay:.1f}s")
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _call(self, op: str, **fields):
        t0 = time.perf_counter()
        reply = self._send_with_retry(op, fields)
        self.latency.append((time.perf_counter() - t0) * 1000)
        if len(self.latency) > 20_000:
            self.latency = self.latency[-10_000:]
        self.stats["requests"] += 1
        if not reply.ok:
            self.stats["refusals"] += 1
            self.stats[f"{op} {reply.code or reply.status}"] += 1
        return reply

    def _amount(self, p: dict, units: Decimal) -> str:
        q = Decimal(1).scaleb(-p["exp"])
        return str(max(units, q).quantize(q, rounding=ROUND_DOWN))

    def _round(self) -> None:
        p = self.rng.choice(self.players)
        game, cur = p["game"], p["player"].currency
        if p["balance"] is None:
            r = self._call("balance", token=p["token"])
            if r.code == "TOKEN_EXPIRED":
                self._reopen(p)
                return
            if not r.ok:
                return
            p["balance"] = Decimal(r.body["balance"])
        if p["balance"] < 2:
            self._top_up(p)
            p["balance"] = None
            return
        stake = Decimal(self.rng.choice(["0.20", "0.50", "1", "1", "2", "5", "10"]))
        stake = min(stake, (p["balance"] / 4))
        round_id = f"sim-{secrets.token_hex(8)}"
        bet_tx = f"{round_id}-b"
        common = {"token": p["token"], "round_id": round_id, "game_id": game.external_id}
        r = self._call("bet", **common, transaction_id=bet_tx, amount=self._amount(p, stake), currency=cur)
        if r.code == "TOKEN_EXPIRED":
            self._reopen(p)
            return
        if not r.ok:
            p["balance"] = None
            return
        self.stats["rounds"] += 1
        self.stats["bets"] += 1
        p["balance"] = Decimal(r.body["balance"])
        roll = self.rng.random()
        if roll < 0.02:  # the provider's game crashed: it refunds the bet
            r = self._call("rollback", **common, transaction_id=f"{round_id}-rb", rollback_transaction_id=bet_tx)
            self.stats["rollbacks"] += 1
        else:
            rtp = float(game.rtp) / 100
            hit = 0.30
            multiplier = self.rng.expovariate(hit / rtp) if roll < hit + 0.02 else 0.0
            # the multiplier is a random model parameter; the money arithmetic stays in Decimal
            win = (stake * Decimal(repr(multiplier))).quantize(Decimal("0.000001"))
            if win > 0:
                r = self._call("win", **common, transaction_id=f"{round_id}-w", amount=self._amount(p, win),
                               currency=cur, bet_transaction_id=bet_tx, round_closed=True)
                self.stats["wins"] += 1
            else:
                r = self._call("end-round", **common)
        if r.ok:
            p["balance"] = Decimal(r.body["balance"])

    # --- output ------------------------------------------------------------------------------------

    def _progress(self, elapsed: float) -> None:
        lat = sorted(self.latency[-2000:])
        p50 = statistics.median(lat) if lat else 0
        errors = self.stats["refusals"]
        self.stdout.write(f"[{elapsed:6.0f}s] rounds {self.stats['rounds']:>7}  wins {self.stats['wins']:>6}  "
                          f"rollbacks {self.stats['rollbacks']:>4}  refusals {errors:>4}  "
                          f"req/s {self.stats['requests'] / max(elapsed, 1e-9):6.1f}  p50 {p50:5.1f} ms")

    def _summary(self, elapsed: float) -> None:
        lat = sorted(self.latency)

        def pct(q):
            return lat[min(len(lat) - 1, int(q * len(lat)))] if lat else 0

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(
            f"Played {self.stats['rounds']} rounds ({self.stats['requests']} requests) in {elapsed:.1f} s: "
            f"{self.stats['wins']} wins, {self.stats['rollbacks']} rollbacks."))
        self.stdout.write(f"Latency ms: p50 {pct(0.5):.1f}  p95 {pct(0.95):.1f}  p99 {pct(0.99):.1f}")
        other = {k: v for k, v in self.stats.items() if k not in ("rounds", "requests", "wins", "rollbacks", "bets")}
        if other:
            self.stdout.write("Other: " + ", ".join(f"{k} {v}" for k, v in sorted(other.items())))
