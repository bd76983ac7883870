"""Players benchmark: 1,000,000 players and 10,000,000 timeline events, then the pages' server time.

    .venv/bin/python bench/players.py [--players 1000000] [--events 10000000] [--whale-events 100000]
                                      [--repeat 30] [--reload]

Loads a separate database (``bo_bench_players`` unless DATABASE_URL is given) with INSERT ... SELECT
generate_series (secondary indexes dropped during the load and rebuilt after), one "whale" player
holding ``--whale-events`` events. Then requests, in-process through Django's test client as an
Administrator: the player list (first page, filtered by country + status, searched by a whole e-mail
address and by parts of usernames, names and e-mails), a player detail page and the whale's timeline
first page (plus a filtered and a deep keyset page), and prints median and p95 server time and the number
of SQL queries of each. A second run reuses the loaded data.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from pgtools import bench_database, ensure_database, log  # bench/ is this script's folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bo_bench_players")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings.test")
os.environ.setdefault("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/12")


def _drop_secondary_indexes(cur, table: str) -> list[str]:
    """Drop ``table``'s indexes other than its primary key and unique ones; return the DDL that rebuilds them."""
    cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT LIKE '%%pkey' "
                "AND indexdef NOT LIKE 'CREATE UNIQUE%%'", [table])
    indexes = cur.fetchall()
    for name, _ in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    return [ddl for _, ddl in indexes]


def load(players: int, events: int, whale_events: int) -> int:
    """Bulk-load players and timeline events; returns the whale's id."""
    from django.db import connection

    agents_sql = "SELECT count(*) FROM players_agent"
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM players_player")
        have_players = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM players_timelineevent")
        have_events = cur.fetchone()[0]
        if have_players >= players and have_events >= events:
            cur.execute("SELECT id FROM players_player WHERE username = 'whale'")
            log(f"reusing {have_players:,} players and {have_events:,} events")
            return cur.fetchone()[0]
        cur.execute("TRUNCATE players_timelineevent, players_player RESTART IDENTITY CASCADE")
        cur.execute(agents_sql)
        if cur.fetchone()[0] == 0:
            from players.services import agent_create

            top, _ = agent_create(code="BENCH-MA", name="Bench master", currency="EUR", credit_limit="1000000",
                                  max_wager="10000")
            for i in range(20):
                agent_create(code=f"BENCH-A{i}", name=f"Bench agent {i}", parent=top, currency="EUR",
                             credit_limit="1000", max_wager="100")
        player_indexes = _drop_secondary_indexes(cur, "players_player")
        t = time.perf_counter()
        cur.execute("""
            INSERT INTO players_player (username, email, first_name, last_name, date_of_birth, country, currency,
                status, kyc_status, vip_level, agent_id, registration_source, is_test, created_at, lifetime_deposits,
                failed_logins)
            SELECT CASE WHEN g = 1 THEN 'whale' ELSE 'p' || g END, 'p' || g || '@bench.example',
                   (ARRAY['Ann','Bob','Cai','Dee','Eli'])[1 + g %% 5], 'Last' || (g %% 5000),
                   date '1960-01-01' + (g %% 15000), (ARRAY['GB','MT','DE','IE','SE','CA','FI','NZ'])[1 + g %% 8],
                   (ARRAY['GBP','EUR','EUR','EUR','SEK','CAD','EUR','NZD'])[1 + g %% 8],
                   CASE WHEN g %% 50 = 0 THEN 'suspended' WHEN g %% 97 = 0 THEN 'closed' ELSE 'active' END,
                   (ARRAY['unverified','pending','verified','verified','rejected'])[1 + g %% 5], g %% 6,
                   CASE WHEN g %% 10 = 0 THEN (SELECT min(id) FROM players_agent) + g %% 21 END, 'bench', g %% 500 = 0,
                   now() - (g %% 730) * interval '1 day', 0, 0
            FROM generate_series(1, %s) g""", [players])
        log(f"players: {players:,} in {time.perf_counter() - t:.1f}s")
        t = time.perf_counter()
        for ddl in player_indexes:  # the search's trigram index is far cheaper built once than row by row
            cur.execute(ddl)
        log(f"player indexes rebuilt in {time.perf_counter() - t:.1f}s")
        cur.execute("SELECT id FROM players_player WHERE username = 'whale'")
        whale = cur.fetchone()[0]
        cur.execute("SELECT min(id), max(id) FROM players_player")
        lo, hi = cur.fetchone()
        # Drop the timeline's secondary indexes during the load; rebuild them after (same definitions).
        indexes = _drop_secondary_indexes(cur, "players_timelineevent")
        t = time.perf_counter()
        kinds = ("ARRAY['players.login','cashier.deposit_confirmed','games.round','games.round','games.round',"
                 "'bonuses.granted','cashier.withdrawal_requested','sportsbook.wager_placed']")
        insert = f"""
            INSERT INTO players_timelineevent (player_id, occurred_at, module, kind, summary, amount, currency,
                integration, ref_type, ref_id)
            SELECT pid, ts, split_part(k, '.', 1), k, 'bench ' || k, CASE WHEN k <> 'players.login' THEN 10 END,
                   'EUR', '', '', ''
            FROM (SELECT %s AS pid, now() - g * interval '7 minutes' AS ts, ({kinds})[1 + g %% 8] AS k
                  FROM generate_series(1, %s) g) s"""
        cur.execute(insert, [whale, whale_events])
        rest = events - whale_events
        batch = 2_000_000
        done = 0
        while done < rest:
            n = min(batch, rest - done)
            cur.execute(f"""
                INSERT INTO players_timelineevent (player_id, occurred_at, module, kind, summary, amount, currency,
                    integration, ref_type, ref_id)
                SELECT pid, ts, split_part(k, '.', 1), k, 'bench ' || k, CASE WHEN k <> 'players.login' THEN 10 END,
                       'EUR', '', '', ''
                FROM (SELECT %s + (hashint %% %s) AS pid, now() - (g %% 525600) * interval '1 minute' AS ts,
                             ({kinds})[1 + g %% 8] AS k
                      FROM (SELECT g, abs(hashtext(g::text)) AS hashint FROM generate_series(%s, %s) g) x) s""",
                        [lo + 1, hi - lo, done + 1, done + n])
            done += n
            log(f"  events {done + whale_events:,} / {events:,} ({time.perf_counter() - t:.0f}s)")
        log(f"events: {events:,} in {time.perf_counter() - t:.1f}s")
        t = time.perf_counter()
        for ddl in indexes:
            cur.execute(ddl)
        log(f"timeline indexes rebuilt in {time.perf_counter() - t:.1f}s")
    # VACUUM cannot run in a transaction block; Django's connection is in autocommit here.
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE players_player")
        cur.execute("VACUUM ANALYZE players_timelineevent")
    return whale


def measure(client, url: str, repeat: int, htmx: bool = False) -> tuple[float, float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client.get(url, **headers)  # warm caches
    times, queries, sql = [], set(), []
    status = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t = time.perf_counter()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - t) * 1000)
        status = response.status_code
        queries.add(len(ctx.captured_queries))
        sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, statistics.median(sql), max(queries), status


def rg_bench(whale: int, other: int, n: int) -> None:
    """rg_usage_record and rg_check in a loop, each call in its own transaction like a wallet call; the timer
    covers the call, not the commit (whose cost is the caller's, shared with its ledger writes)."""
    from decimal import Decimal

    from django.db import transaction

    from players.models import Player
    from players.services import rg_check, rg_limit_set, rg_usage_record

    player = Player.objects.get(pk=other)
    for kind in ("wager", "loss"):
        for period in ("day", "week", "month"):
            rg_limit_set(player=player, kind=kind, period=period, amount=Decimal("1000000"), source="operator")
    for label, fn in (
        ("rg_usage_record (wager)", lambda: rg_usage_record(player_id=other, kind="wager", amount=Decimal("1.00"))),
        ("rg_check bet, 6 limits in force", lambda: rg_check(player=player, action="bet", amount=Decimal("1.00"))),
        ("rg_check deposit, no limits", lambda: rg_check(player=player, action="deposit", amount=Decimal("1"))),
    ):
        times = []
        for _ in range(n):
            with transaction.atomic():
                t = time.perf_counter()
                fn()
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        log(f"{label:<52} median {statistics.median(times):.3f} ms, p95 {times[int(0.95 * (n - 1))]:.3f} ms "
            f"over {n:,} calls")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--players", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--whale-events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--reload", action="store_true", help="Truncate and load again.")
    parser.add_argument("--load-only", action="store_true", help="Load the data and stop.")
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"].rsplit("/", 1)[0], bench_database(os.environ["DATABASE_URL"]))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if args.reload:
        with connection.cursor() as cur:
            cur.execute("TRUNCATE players_timelineevent, players_player RESTART IDENTITY CASCADE")
    whale = load(args.players, args.events, args.whale_events)
    if args.load_only:
        return

    from django.contrib.auth import get_user_model
    from django.test import Client

    from tests.factories import OperatorFactory, verify_otp

    user = get_user_model().objects.filter(username="bench_admin").first() or OperatorFactory(
        role="Administrator", username="bench_admin")
    client = Client()
    client.force_login(user)
    verify_otp(client, user)
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM players_player WHERE username = 'p500001'")  # active, not suspended
        row = cur.fetchone()
        other = row[0] if row else whale
        cur.execute("SELECT occurred_at, id FROM players_timelineevent WHERE player_id = %s "
                    "ORDER BY occurred_at DESC, id DESC OFFSET 90000 LIMIT 1", [whale])
        deep = cur.fetchone()
    deep_cursor = f"{deep[0].isoformat()}_{deep[1]}".replace("+", "%2B") if deep else ""
    pages = [
        ("player list, first page", "/players/", False),
        ("player list, filtered (country=MT, status=active)", "/players/?country=MT&status=active", False),
        ("player list, search by email", "/players/?q=p777777@bench.example", False),
        # Partial search through the trigram index (players/search.py); match counts are of the loaded data.
        ("search part of a username (p77777: 11 players)", "/players/?q=p77777", False),
        ("search part of a last name (ast123: 2,200)", "/players/?q=ast123", False),
        ("search first + last name (ann last123: 400)", "/players/?q=ann+last123", False),
        ("search part of an e-mail (7777@bench: 100)", "/players/?q=7777@bench", False),
        ("search 2 letters, a field's start (wh: 1)", "/players/?q=wh", False),
        ("search a common name (ann: 200,000)", "/players/?q=ann", False),
        ("player detail (profile tab)", f"/players/{other}/", False),
        ("player limits tab", f"/players/{other}/limits/", False),
        ("timeline first page (100k-event player)", f"/players/{whale}/timeline/", False),
        ("timeline first page, htmx partial", f"/players/{whale}/timeline/", True),
        ("timeline filtered module=cashier", f"/players/{whale}/timeline/?module=cashier", False),
        ("timeline page at event 90,000 (keyset)", f"/players/{whale}/timeline/?before={deep_cursor}", False),
    ]
    rg_bench(whale, other, args.repeat * 100)
    log("")
    log(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    log(f"{'page':<52} {'median ms':>10} {'p95 ms':>8} {'SQL ms':>7} {'queries':>8}  status")
    for label, url, htmx in pages:
        median, p95, sql, queries, status = measure(client, url, args.repeat, htmx)
        log(f"{label:<52} {median:>10.1f} {p95:>8.1f} {sql:>7.1f} {queries:>8}  {status}")


if __name__ == "__main__":
    main()
