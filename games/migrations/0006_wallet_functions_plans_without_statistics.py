"""The wallet's fast-path functions plan as ``cashier_post()`` does: generic plans, no sequential scans.

Every statement of ``games_wallet_bet``, ``games_wallet_win`` and ``games_wallet_rollback`` (and of the
functions they call: ``games_wallet_lock``, ``games_wallet_book``, the players module's usage and timeline
writers) reads or writes a few rows by a unique or indexed key. Their plans were still left to the planner's
statistics, and plpgsql keeps a statement's plan for the life of the connection. On a new installation the
hot tables are empty when they are first analyzed (or, with autovacuum off, never analyzed again), so the
cached plans scanned ``games_wallettransaction`` and ``games_round`` sequentially, and kept doing so while the
tables grew: measured on a fresh benchmark database, 250 million wallet-transaction rows read in 60 s, 3.3 ms
of PostgreSQL CPU per call instead of ~1 ms, 471 requests/s instead of ~1,100.

``enable_seqscan = off`` makes every plan an index plan whatever the statistics say (a sequential scan stays
possible where no index serves a query, at a penalty: there is none here), and ``force_generic_plan`` skips
the five custom plans plpgsql tries first (the choice they inform is the one ``enable_seqscan`` now fixes).
The settings apply to the functions these call too, and end with the call. The bodies are unchanged.
"""

from django.db import migrations

SIGNATURES = (
    "games_wallet_bet(bigint, text, text, text, text, text, numeric, text, boolean, text, timestamptz, int, int, int,"
    " boolean)",
    "games_wallet_win(bigint, text, text, text, text, text, numeric, text, text, boolean, text, timestamptz, int,"
    " int)",
    "games_wallet_rollback(bigint, text, text, text, text, text, text, text, timestamptz, int, jsonb)",
)

SQL = "".join(f"ALTER FUNCTION {s} SET plan_cache_mode = force_generic_plan SET enable_seqscan = off;\n"
              for s in SIGNATURES)
REVERSE = "".join(f"ALTER FUNCTION {s} RESET plan_cache_mode RESET enable_seqscan;\n" for s in SIGNATURES)


class Migration(migrations.Migration):
    dependencies = [("games", "0005_wallet_bet_generic_plan")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
