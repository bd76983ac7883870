"""Seamless-wallet API benchmark through the real HTTP stack.

    .venv/bin/python bench/wallet_api.py [--players 100000] [--clients 16] [--seconds 60] [--half-seconds 30]
                                         [--pgbench-seconds 30] [--worker-class granian|sync|gthread] [--threads 2]

In one run on the same PostgreSQL server:
1. ``pgbench -N`` (simple-update, 8 clients, 2 threads) on a scratch database: the reference TPS, measured before
   and again right after the full-speed phase (3.): the ratio is to their mean, the machine's speed around it.
2. The production server command of the Docker image (granian, 2 workers, 2 blocking threads each, production
   settings) serving a database with ``--players`` players, each with a funded cash wallet and a live game
   session (gunicorn's sync or gthread workers with ``--worker-class``, for comparison).
3. ``--clients`` keep-alive HTTP/1.1 connections, all driven by one asyncio client process, for ``--seconds``
   at full speed with the mix 45% bet, 40% win (of an earlier bet), 5% rollback (of an earlier bet), 5%
   replayed duplicates (the same signed body again: must return the original transaction id), 5%
   insufficient funds (must be refused). Any other answer is an error. Prints requests/s, p50/p95/p99 (also
   by kind), error counts and the ratio to pgbench.
4. The same connections at half that rate (open-loop Poisson arrivals) for ``--half-seconds``: p99 at half
   the maximum rate.
5. ``ledger_verify`` over the whole ledger afterwards.

Database: ``bo_bench_games``, a new copy of the template ``bo_bench_games_tpl`` for every run (the template holds
the players, wallets and sessions, built once per state of the migrations, vacuumed and analyzed); autovacuum's
analyze rule is applied before each timed phase, as a live server's autovacuum would. Figures and how to read
them: docs/performance.md.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import hmac
import http.client
import json
import multiprocessing as mp
import os
import random
import secrets
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from pgtools import (  # bench/ is this script's folder
    autoanalyze,
    checkpoint,
    copy_of_template,
    log,
    run_pgbench,
    template_key,
)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
DB_URL = f"{SERVER}/bo_bench_games"
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.test")
os.environ.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/8")
PORT = int(os.environ.get("BENCH_PORT", "8199"))
PROVIDER, GAME, SECRET = "bench", "bench-slot", "bench-secret-0123456789abcdef"
CTX = mp.get_context("fork")


def sign(secret: str, body: bytes, ts: str) -> str:
    """What a provider sends (the contract; the same as games.api.sign, without importing Django)."""
    return hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()


# --- Data ---------------------------------------------------------------------------------------------

TEMPLATE = "bo_bench_games_tpl"


def setup(players: int, url: str) -> None:
    """The template's content: the schema, ``players`` players with funded wallets (10% also with bonus money) and
    live sessions, vacuumed and analyzed. Runs in a child process (Django set up on ``url``)."""
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from cashier.choices import AccountKind
    from cashier.models import Account
    from cashier.services import house_account, ledger_post
    from games.models import GameSession, Jurisdiction
    from games.services import game_create, provider_create
    from players.models import Player

    call_command("migrate", verbosity=0)
    jur, _ = Jurisdiction.objects.get_or_create(code="mga", defaults={"name": "MGA", "countries": ["MT"]})
    provider = provider_create(code=PROVIDER, name="Bench Studio", secret=SECRET)[0]
    game = game_create(provider=provider, external_id=GAME, title="Bench Slot", rtp="96.00")
    t0 = time.monotonic()
    for start in range(0, players, 10_000):
        with transaction.atomic():
            batch = Player.objects.bulk_create([
                Player(username=f"benchg{i}", country="MT", currency="EUR", is_test=True)
                for i in range(start, min(players, start + 10_000))])
            accounts = Account.objects.bulk_create(
                [Account(player=p, kind=AccountKind.PLAYER_CASH, currency="EUR", credit_limit=0) for p in batch]
                + [Account(player=p, kind=AccountKind.PLAYER_BONUS, currency="EUR", credit_limit=0) for p in batch])
            cash = [a for a in accounts if a.kind == AccountKind.PLAYER_CASH]
            bonus = [a for a in accounts if a.kind == AccountKind.PLAYER_BONUS][::10]  # 10% hold bonus money
            lines = [(a, Decimal("1000")) for a in cash] + [(a, Decimal("50")) for a in bonus]
            house = house_account(currency="EUR")
            for k in range(0, len(lines), 200):  # small postings: the ledger's posting cost grows with lines
                chunk = lines[k:k + 200]
                ledger_post(idempotency_key=f"bench-fund-{start}-{k}", kind="test.fund",
                            lines=[*chunk, (house, -sum(amount for _, amount in chunk))])
            expiry = timezone.now() + timedelta(days=30)
            GameSession.objects.bulk_create([
                GameSession(token=f"bench-{p.pk}-{secrets.token_hex(8)}", player=p, provider=provider,
                            game=game, currency="EUR", jurisdiction=jur, expires_at=expiry) for p in batch])
        log(f"    {min(players, start + 10_000):,} players ({time.monotonic() - t0:.0f} s)")
    with connection.cursor() as cur:
        cur.execute("VACUUM (FREEZE, ANALYZE)")
    connection.close()


def fresh_database(players: int) -> list[tuple[str, str]]:
    """``bo_bench_games`` as a new copy of the template (``pgtools.copy_of_template``): every run starts from the
    same state, as pgbench's ``-i`` gives it (a database that kept every earlier run's rounds grew by ~600,000
    ledger transactions per run, and its figures drifted down with it). Returns [(token, currency)] of the
    players' sessions."""
    import psycopg

    copy_of_template(SERVER, "bo_bench_games", TEMPLATE, template_key(__file__, players),
                     functools.partial(setup, players))
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute("UPDATE games_gamesession SET expires_at = now() + interval '30 days'"
                     " WHERE expires_at < now() + interval '1 day'")  # a template older than 29 days
        return conn.execute("SELECT token, currency FROM games_gamesession WHERE token LIKE 'bench-%'"
                            " ORDER BY player_id").fetchall()


def before_timed_phase() -> None:
    """What every timed phase starts with.

    * autovacuum's analyze rule (``pgtools.autoanalyze``): the warm-up's first rounds and wallet transactions
      make the hot tables' statistics stale, which a live server's autovacuum corrects within a minute;
    * a checkpoint (``pgtools.checkpoint``; pgbench's run starts with one too).
    """
    analyzed = autoanalyze(DB_URL)
    if analyzed:
        log(f"  analyzed (autovacuum's rule): {', '.join(name.removeprefix('public.') for name in analyzed)}")
    checkpoint(SERVER)


# --- Server -------------------------------------------------------------------------------------------

def start_server(worker_class: str, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backoffice.settings.production",
           "SECRET_KEY": "bench-only-" + "x" * 60, "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "SECURE_SSL_REDIRECT": "False", "DATABASE_URL": DB_URL, "LOG_LEVEL": "WARNING",
           "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")}
    if worker_class == "granian":  # the Docker image's command (Dockerfile CMD), on a local port
        cmd = [str(ROOT / ".venv/bin/granian"), "--interface", "wsgi", "backoffice.wsgi:application", "--host",
               "127.0.0.1", "--port", str(PORT), "--workers", "2", "--blocking-threads", str(threads),
               "--no-ws"] + (["--access-log"] if os.environ.get("BENCH_ACCESS_LOG") else [])
    else:  # gunicorn, as the image ran it before (sync), or its keep-alive variant (gthread): for comparison
        if not (ROOT / ".venv/bin/gunicorn").exists():
            raise SystemExit("gunicorn is not a dependency any more: .venv/bin/pip install gunicorn to compare")
        cmd = [str(ROOT / ".venv/bin/gunicorn"), "backoffice.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
               "--workers", "2", "--access-logfile", "/tmp/bench_wallet_access.log"]
        if worker_class != "sync":
            cmd += ["--worker-class", worker_class, "--threads", str(threads), "--keep-alive", "30"]
    errors = open("/tmp/bench_wallet_gunicorn.log", "w")  # noqa: SIM115 (lives as long as the server)
    access = open("/tmp/bench_wallet_access.log", "w")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=access, stderr=errors)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/api/wallet/v1/openapi.json")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("the server did not start; see /tmp/bench_wallet_gunicorn.log")


# --- Load ---------------------------------------------------------------------------------------------
# One client process drives every connection with asyncio (raw HTTP/1.1 keep-alive over asyncio streams): the
# load generator shares the 2 cores with the server and PostgreSQL, so it must cost as little CPU as possible
# (16 Python processes with http.client cost more CPU than the server they were measuring).

class Conn:
    """One keep-alive HTTP/1.1 connection (reconnects once on a dropped connection)."""

    def __init__(self):
        self.reader = self.writer = None

    async def request(self, op: str, body: bytes) -> tuple[int, dict]:
        import asyncio

        ts = str(int(time.time()))
        head = (f"POST /api/wallet/v1/{PROVIDER}/{op} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nX-Wallet-Timestamp: {ts}\r\n"
                f"X-Wallet-Signature: {sign(SECRET, body, ts)}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        for attempt in range(2):
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection("127.0.0.1", PORT)
                self.writer.write(head + body)
                # The whole head in one read (a readline per header line cost the client ~30% more CPU).
                status_line, *lines = (await self.reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
                status = int(status_line.split()[1])
                length, close = 0, False
                for line in lines:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"connection" and value.strip().lower() == b"close":
                        close = True
                data = await self.reader.readexactly(length)
                if close:
                    self.close()
                return status, json.loads(data)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError):
                self.close()
                if attempt:
                    return 0, {}
        return 0, {}

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def client(cid: int, clients: int, sessions: list, seconds: float, rate: float, lat: list, outcome: Counter,
                 by_kind: dict):
    """One keep-alive client. ``rate``: requests/s for this client (0: as fast as possible)."""
    import asyncio

    rng = random.Random(cid)
    mine = sessions[cid::clients] or sessions
    conn = Conn()
    open_bets: list[tuple[str, str, str]] = []  # (token, round, bet tx)
    last_bet: tuple[bytes, str] | None = None
    t_start = time.monotonic()
    end = t_start + seconds
    due = t_start + (rng.expovariate(rate) if rate else 0)
    while time.monotonic() < end:
        if rate:  # open-loop Poisson arrivals: the clients do not fire in lock-step bursts
            pause = due - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            due += rng.expovariate(rate)
        roll = rng.random()
        token, _cur = rng.choice(mine)
        t0 = time.perf_counter()
        if roll < 0.40 and open_bets:  # win
            tok, rnd, btx = open_bets.pop(rng.randrange(len(open_bets)))
            amount = rng.choice(["0.00", "0.00", "0.00", "0.50", "1.00", "2.00", "4.00"])
            body = json.dumps({"token": tok, "transaction_id": f"{btx}-w", "round_id": rnd, "game_id": GAME,
                               "amount": amount, "currency": "EUR", "bet_transaction_id": btx,
                               "round_closed": True}).encode()
            status, data = await conn.request("win", body)
            kind, good = "win", status == 200 and data.get("status") == "OK"
        elif roll < 0.45 and open_bets:  # rollback
            tok, rnd, btx = open_bets.pop(rng.randrange(len(open_bets)))
            body = json.dumps({"token": tok, "transaction_id": f"{btx}-rb", "rollback_transaction_id": btx,
                               "round_id": rnd, "game_id": GAME}).encode()
            status, data = await conn.request("rollback", body)
            kind, good = "rollback", status == 200 and data.get("status") == "OK"
        elif roll < 0.50 and last_bet:  # replayed duplicate
            body, original = last_bet
            status, data = await conn.request("bet", body)
            kind, good = "duplicate", status == 200 and data.get("transaction_id") == original
        elif roll < 0.55:  # insufficient funds
            rnd = f"c{cid}-{secrets.token_hex(6)}"
            body = json.dumps({"token": token, "transaction_id": f"{rnd}-x", "round_id": rnd, "game_id": GAME,
                               "amount": "5000000.00", "currency": "EUR"}).encode()
            status, data = await conn.request("bet", body)
            kind, good = "insufficient", status == 200 and data.get("code") == "INSUFFICIENT_FUNDS"
        else:  # bet
            rnd = f"c{cid}-{secrets.token_hex(6)}"
            btx = f"{rnd}-b"
            amount = rng.choice(["0.10", "0.20", "0.50", "1.00", "2.00"])
            body = json.dumps({"token": token, "transaction_id": btx, "round_id": rnd, "game_id": GAME,
                               "amount": amount, "currency": "EUR"}).encode()
            status, data = await conn.request("bet", body)
            kind, good = "bet", status == 200 and data.get("status") == "OK"
            if good:
                open_bets.append((token, rnd, btx))
                last_bet = (body, data["transaction_id"])
                if len(open_bets) > 200:
                    open_bets.pop(0)
        ms = (time.perf_counter() - t0) * 1000
        lat.append(ms)
        by_kind.setdefault(kind, []).append(ms)
        outcome[kind] += 1
        if not good:
            outcome[f"error:{kind}:{status}:{data.get('code', '')}"] += 1
    conn.close()


def run_load(sessions, clients: int, seconds: float, total_rate: float = 0) -> dict:
    import asyncio

    per = total_rate / clients if total_rate else 0
    lat: list[float] = []
    outcome: Counter = Counter()
    by_kind: dict[str, list[float]] = {}

    async def main():
        await asyncio.gather(*[client(i, clients, sessions, seconds, per, lat, outcome, by_kind)
                               for i in range(clients)])

    t0 = time.monotonic()
    asyncio.run(main())
    elapsed = time.monotonic() - t0
    lat.sort()

    def pct(q):
        return lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")

    errors = {k: v for k, v in outcome.items() if k.startswith("error:")}
    kinds = {}
    for kind, values in sorted(by_kind.items()):
        values.sort()
        kinds[kind] = (values[len(values) // 2], values[min(len(values) - 1, int(0.99 * len(values)))])
    return {"kinds": kinds, "requests": len(lat), "rps": len(lat) / elapsed, "p50": pct(0.50), "p95": pct(0.95),
            "p99": pct(0.99), "errors": sum(errors.values()), "error_kinds": errors,
            "mix": {k: v for k, v in outcome.items() if not k.startswith("error:")}}


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by PostgreSQL's processes, the web server's, and this client (Linux /proc; the
    database on this machine). Their difference over a timed phase, per request, shows what limits the rate.
    Exited processes count through their parent's children times (``CONN_MAX_AGE`` replaces connections)."""
    tick = os.sysconf("SC_CLK_TCK")
    server = {server_pid} | {int(p) for p in subprocess.run(["pgrep", "-P", str(server_pid)], capture_output=True,
                                                            text=True).stdout.split()}
    totals = {"postgres": 0.0, "server": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
        except OSError:
            continue
        group = "server" if int(pid) in server else "postgres" if name == "postgres" else None
        if group:
            totals[group] += sum(map(int, fields[11:15])) / tick  # its own and its exited children's
    usage = os.times()
    totals["client"] = usage.user + usage.system
    return totals


def show(label: str, r: dict) -> None:
    log(f"  {label}: {r['requests']:,} requests, {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, "
        f"p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, errors {r['errors']}")
    log(f"    mix: {dict(sorted(r['mix'].items()))}")
    log("    p50/p99 ms by kind: " + ", ".join(f"{k} {a:.1f}/{b:.1f}" for k, (a, b) in r["kinds"].items()))
    if r["error_kinds"]:
        log(f"    errors: {r['error_kinds']}")


def verify_ledger() -> str:
    import django

    django.setup()
    from cashier.verify import ledger_verify

    report = ledger_verify()
    verdict = "clean" if report.ok else f"{len(report.problems)} problem(s): {report.problems[:3]}"
    return (f"{report.transactions:,} transactions, {report.entries:,} entries, {report.accounts:,} accounts in "
            f"{report.seconds:.1f} s: {verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--players", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--half-seconds", type=float, default=30)
    ap.add_argument("--pgbench-seconds", type=int, default=30)
    ap.add_argument("--worker-class", default="granian", choices=["granian", "sync", "gthread"],
                    help="granian: the Docker image's server; sync/gthread: gunicorn's worker classes")
    ap.add_argument("--threads", type=int, default=2, help="threads per worker (the image: 2)")
    args = ap.parse_args()

    def pgbench(when: str) -> float:
        log(f"  pgbench -N, 8 clients, {args.pgbench_seconds} s, {when} …")
        tps = run_pgbench(SERVER, args.pgbench_seconds) if args.pgbench_seconds else float("nan")
        log(f"  pgbench -N: {tps:.0f} TPS")
        return tps

    log("1. The reference")
    tps_before = pgbench("before the wallet API's full-speed phase")
    log(f"2. Data: {args.players:,} players in bo_bench_games, a new copy of {TEMPLATE} …")
    sessions = fresh_database(args.players)
    log(f"  {len(sessions):,} live sessions")
    threads = f", {args.threads} threads" if args.worker_class != "sync" else ""
    server_name = "granian" if args.worker_class == "granian" else f"gunicorn {args.worker_class}"
    log(f"3. {server_name}, 2 workers{threads}, production settings, port {PORT}")
    server = start_server(args.worker_class, args.threads)
    try:
        log("  warm-up 5 s …")
        run_load(sessions, args.clients, 5)
        before_timed_phase()
        log(f"4. {args.clients} keep-alive clients, {args.seconds:.0f} s, full speed …")
        cpu0 = cpu_seconds(server.pid)
        full = run_load(sessions, args.clients, args.seconds)
        cpu1 = cpu_seconds(server.pid)
        show("max rate", full)
        cpu = {k: (cpu1[k] - cpu0[k]) / max(full["requests"], 1) * 1000 for k in cpu0}
        log("    CPU per request: " + ", ".join(f"{k} {v:.2f} ms" for k, v in cpu.items())
            + f" (total {sum(cpu.values()):.2f} ms on {os.cpu_count()} cores)")
        tps_after = pgbench("after it (the server idle)")
        tps = (tps_before + tps_after) / 2  # this VM's speed drifts by the minute: the reference around our phase
        log(f"5. {args.clients} clients at half the max rate ({full['rps'] / 2:.0f} req/s), "
            f"{args.half_seconds:.0f} s …")
        before_timed_phase()
        half = run_load(sessions, args.clients, args.half_seconds, total_rate=full["rps"] / 2)
        show("half rate", half)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    log("6. ledger_verify …")
    verdict = CTX.Pool(1).apply(verify_ledger)
    log(f"  {verdict}")
    log("")
    log("Summary")
    log(f"  wallet API: {full['rps']:.0f} req/s at full speed = {full['rps'] / tps:.3f}x pgbench -N "
        f"({tps:.0f} TPS: {tps_before:.0f} before, {tps_after:.0f} after); target >= 0.20x")
    log(f"  latency at max: p50 {full['p50']:.1f} / p95 {full['p95']:.1f} / p99 {full['p99']:.1f} ms; "
        f"at half rate: p50 {half['p50']:.1f} / p95 {half['p95']:.1f} / p99 {half['p99']:.1f} ms (target p99 < 50)")
    log(f"  errors: {full['errors'] + half['errors']} (target 0)")
    log(f"  ledger: {verdict}")


if __name__ == "__main__":
    main()
