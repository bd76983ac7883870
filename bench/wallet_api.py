"""Seamless-wallet API benchmark through the real HTTP stack.

    .venv/bin/python bench/wallet_api.py [--players 100000] [--clients 16] [--seconds 60] [--half-seconds 30]
                                         [--pgbench-seconds 30] [--worker-class sync|gthread] [--threads 8]

In one run on the same PostgreSQL server:
1. ``pgbench -N`` (simple-update, 8 clients, 2 threads) on a scratch database: the reference TPS.
2. The production server command of the Docker image (gunicorn, 2 workers, production settings) serving
   a database with ``--players`` players, each with a funded cash wallet and a live game session.
3. ``--clients`` keep-alive HTTP clients (one process each) for ``--seconds`` at full speed, with the mix
   45% bet, 40% win (of an earlier bet), 5% rollback (of an earlier bet), 5% replayed duplicates (the same
   signed body again: must return the original transaction id), 5% insufficient funds (must be refused).
   Any other answer is an error. Prints requests/s, p50/p95/p99, error counts and the ratio to pgbench.
4. The same clients throttled to half that rate for ``--half-seconds``: p99 at half the maximum rate.
5. ``ledger_verify`` over the whole ledger afterwards.

Database: ``bo_bench_games`` (created and migrated; players are created once and reused).
"""

from __future__ import annotations

import argparse
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

from pgtools import ensure_database, log, run_pgbench  # bench/ is this script's folder

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

def setup(players: int) -> list[tuple[str, str]]:
    """Players with funded wallets and live sessions; returns [(token, currency)] (created once, reused)."""
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from cashier.choices import AccountKind
    from cashier.models import Account
    from cashier.services import house_account, ledger_post
    from games.models import Game, GameSession, Jurisdiction, Provider
    from games.services import game_create, provider_create
    from players.models import Player

    call_command("migrate", verbosity=0)
    jur, _ = Jurisdiction.objects.get_or_create(code="mga", defaults={"name": "MGA", "countries": ["MT"]})
    provider = Provider.objects.filter(code=PROVIDER).first() or provider_create(
        code=PROVIDER, name="Bench Studio", secret=SECRET)[0]
    game = Game.objects.filter(provider=provider, external_id=GAME).first() or game_create(
        provider=provider, external_id=GAME, title="Bench Slot", rtp="96.00")
    have = Player.objects.filter(username__startswith="benchg").count()
    if have < players:
        log(f"  creating {players - have:,} players, wallets, deposits and sessions …")
        t0 = time.monotonic()
        for start in range(have, players, 10_000):
            with transaction.atomic():
                batch = Player.objects.bulk_create([
                    Player(username=f"benchg{i}", country="MT", currency="EUR", is_test=True)
                    for i in range(start, min(players, start + 10_000))])
                accounts = Account.objects.bulk_create(
                    [Account(player=p, kind=AccountKind.PLAYER_CASH, currency="EUR", credit_limit=0) for p in batch]
                    + [Account(player=p, kind=AccountKind.PLAYER_BONUS, currency="EUR", credit_limit=0)
                       for p in batch])
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
    GameSession.objects.filter(provider=provider).update(expires_at=timezone.now() + timedelta(days=30))
    from django.db import connection

    with connection.cursor() as cur:  # fresh bulk-loaded tables: without statistics the planner guesses badly
        cur.execute("ANALYZE")
    rows = (GameSession.objects.filter(provider=provider, player__username__startswith="benchg")
            .order_by("player_id").values_list("token", "currency")[:players])
    from django.db import connections

    connections.close_all()
    return list(rows)


# --- Server -------------------------------------------------------------------------------------------

def start_server(worker_class: str, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "backoffice.settings.production",
           "SECRET_KEY": "bench-only-" + "x" * 60, "ALLOWED_HOSTS": "127.0.0.1,localhost",
           "SECURE_SSL_REDIRECT": "False", "DATABASE_URL": DB_URL, "LOG_LEVEL": "WARNING",
           "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9")}
    # The Docker image's command (Dockerfile CMD), on a local port; gthread is the keep-alive variant.
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "backoffice.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
           "--workers", "2", "--access-logfile", "/tmp/bench_wallet_access.log"]
    if worker_class != "sync":
        cmd += ["--worker-class", worker_class, "--threads", str(threads), "--keep-alive", "30"]
    errors = open("/tmp/bench_wallet_gunicorn.log", "w")  # noqa: SIM115 (lives as long as the server)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
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
    raise SystemExit("gunicorn did not start; see /tmp/bench_wallet_gunicorn.log")


# --- Load ---------------------------------------------------------------------------------------------

def client(cid: int, sessions: list, seconds: float, rate: float, start_at: float, queue) -> None:
    """One keep-alive client. ``rate``: requests/s for this client (0: as fast as possible)."""
    rng = random.Random(cid)
    mine = sessions[cid::16] or sessions
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    open_bets: list[tuple[str, str, str]] = []  # (token, round, bet tx)
    last_bet: tuple[bytes, str] | None = None
    lat, outcome = [], Counter()

    def send(op: str, body: bytes):
        nonlocal conn
        ts = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Wallet-Timestamp": ts,
                   "X-Wallet-Signature": sign(SECRET, body, ts), "Connection": "keep-alive"}
        for attempt in range(2):
            try:
                t0 = time.perf_counter()
                conn.request("POST", f"/api/wallet/v1/{PROVIDER}/{op}", body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                lat.append((time.perf_counter() - t0) * 1000)
                if resp.getheader("Connection", "").lower() == "close":
                    conn.close()
                return resp.status, json.loads(data)
            except (http.client.HTTPException, ConnectionError, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                if attempt:
                    return 0, {}
        return 0, {}

    while time.time() < start_at:
        time.sleep(0.01)
    end = time.monotonic() + seconds
    n = 0
    t_start = time.monotonic()
    while time.monotonic() < end:
        if rate:
            due = t_start + n / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        n += 1
        roll = rng.random()
        token, _cur = rng.choice(mine)
        if roll < 0.40 and open_bets:  # win
            tok, rnd, btx = open_bets.pop(rng.randrange(len(open_bets)))
            amount = f"{rng.choice([0, 0, 0.5, 1, 2, 4]):.2f}"
            body = json.dumps({"token": tok, "transaction_id": f"{btx}-w", "round_id": rnd, "game_id": GAME,
                               "amount": amount, "currency": "EUR", "bet_transaction_id": btx,
                               "round_closed": True}).encode()
            status, data = send("win", body)
            kind, good = "win", status == 200 and data.get("status") == "OK"
        elif roll < 0.45 and open_bets:  # rollback
            tok, rnd, btx = open_bets.pop(rng.randrange(len(open_bets)))
            body = json.dumps({"token": tok, "transaction_id": f"{btx}-rb", "rollback_transaction_id": btx,
                               "round_id": rnd, "game_id": GAME}).encode()
            status, data = send("rollback", body)
            kind, good = "rollback", status == 200 and data.get("status") == "OK"
        elif roll < 0.50 and last_bet:  # replayed duplicate
            body, original = last_bet
            status, data = send("bet", body)
            kind, good = "duplicate", status == 200 and data.get("transaction_id") == original
        elif roll < 0.55:  # insufficient funds
            rnd = f"c{cid}-{secrets.token_hex(6)}"
            body = json.dumps({"token": token, "transaction_id": f"{rnd}-x", "round_id": rnd, "game_id": GAME,
                               "amount": "5000000.00", "currency": "EUR"}).encode()
            status, data = send("bet", body)
            kind, good = "insufficient", status == 200 and data.get("code") == "INSUFFICIENT_FUNDS"
        else:  # bet
            rnd = f"c{cid}-{secrets.token_hex(6)}"
            btx = f"{rnd}-b"
            amount = f"{rng.choice([0.1, 0.2, 0.5, 1, 2]):.2f}"
            body = json.dumps({"token": token, "transaction_id": btx, "round_id": rnd, "game_id": GAME,
                               "amount": amount, "currency": "EUR"}).encode()
            status, data = send("bet", body)
            kind, good = "bet", status == 200 and data.get("status") == "OK"
            if good:
                open_bets.append((token, rnd, btx))
                last_bet = (body, data["transaction_id"])
                if len(open_bets) > 200:
                    open_bets.pop(0)
        outcome[kind] += 1
        if not good:
            outcome[f"error:{kind}:{status}:{data.get('code', '')}"] += 1
    conn.close()
    queue.put((lat, outcome, time.monotonic() - t_start))


def run_load(sessions, clients: int, seconds: float, total_rate: float = 0) -> dict:
    queue = CTX.Queue()
    start_at = time.time() + 1.0
    per = total_rate / clients if total_rate else 0
    procs = [CTX.Process(target=client, args=(i, sessions, seconds, per, start_at, queue)) for i in range(clients)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    lat = sorted(x for r in results for x in r[0])
    outcome = sum((r[1] for r in results), Counter())
    elapsed = max(r[2] for r in results)

    def pct(q):
        return lat[min(len(lat) - 1, int(q * len(lat)))] if lat else float("nan")

    errors = {k: v for k, v in outcome.items() if k.startswith("error:")}
    return {"requests": len(lat), "rps": len(lat) / elapsed, "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
            "errors": sum(errors.values()), "error_kinds": errors,
            "mix": {k: v for k, v in outcome.items() if not k.startswith("error:")}}


def show(label: str, r: dict) -> None:
    log(f"  {label}: {r['requests']:,} requests, {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, "
        f"p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, errors {r['errors']}")
    log(f"    mix: {dict(sorted(r['mix'].items()))}")
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
    ap.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()

    log(f"1. pgbench -N, 8 clients, {args.pgbench_seconds} s …")
    tps = run_pgbench(SERVER, args.pgbench_seconds)
    log(f"  pgbench -N: {tps:.0f} TPS")
    log(f"2. Data: {args.players:,} players in bo_bench_games …")
    ensure_database(SERVER, "bo_bench_games")
    sessions = CTX.Pool(1).apply(setup, (args.players,))
    log(f"  {len(sessions):,} live sessions")
    threads = f", {args.threads} threads" if args.worker_class != "sync" else ""
    log(f"3. gunicorn, 2 workers ({args.worker_class}{threads}), production settings, port {PORT}")
    server = start_server(args.worker_class, args.threads)
    try:
        log("  warm-up 5 s …")
        run_load(sessions, args.clients, 5)
        log(f"4. {args.clients} keep-alive clients, {args.seconds:.0f} s, full speed …")
        full = run_load(sessions, args.clients, args.seconds)
        show("max rate", full)
        log(f"5. {args.clients} clients at half the max rate ({full['rps'] / 2:.0f} req/s), "
            f"{args.half_seconds:.0f} s …")
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
    log(f"  wallet API: {full['rps']:.0f} req/s at full speed = {full['rps'] / tps:.2f}x pgbench -N "
        f"({tps:.0f} TPS); target >= 0.20x")
    log(f"  latency at max: p50 {full['p50']:.1f} / p95 {full['p95']:.1f} / p99 {full['p99']:.1f} ms; "
        f"at half rate: p50 {half['p50']:.1f} / p95 {half['p95']:.1f} / p99 {half['p99']:.1f} ms (target p99 < 50)")
    log(f"  errors: {full['errors'] + half['errors']} (target 0)")
    log(f"  ledger: {verdict}")


if __name__ == "__main__":
    main()
