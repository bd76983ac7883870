"""The RG usage recorder and the timeline's write path as SQL functions: one implementation for every caller.

``players.services.rg.rg_usage_record`` and ``players.services.timeline.timeline_record`` call them, and so
do the wallet's one-statement fast path functions (games/migrations/0003), which cannot call Python.

* ``players_rg_usage_record(player, kind, amount, at)``: adds a deposit, wager or win (negative for a
  rollback) to the player's hourly bucket (one upsert); deposits also add to the lifetime total; the
  player's last activity moves on a deposit and on the first activity of each hour.
* ``players_timeline_record(...)``: appends one event; the module is the part of the kind before its first
  dot; texts are cut to their column sizes.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION players_rg_usage_record(p_player bigint, p_kind text, p_amount numeric,
                                                   p_at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_first boolean;
BEGIN
    INSERT INTO players_rgusage (player_id, hour, deposits, wagers, wins)
    VALUES (p_player, date_trunc('hour', p_at, 'UTC'),
            CASE WHEN p_kind = 'deposit' THEN p_amount ELSE 0 END,
            CASE WHEN p_kind = 'wager' THEN p_amount ELSE 0 END,
            CASE WHEN p_kind = 'win' THEN p_amount ELSE 0 END)
    ON CONFLICT (player_id, hour) DO UPDATE SET deposits = players_rgusage.deposits + EXCLUDED.deposits,
        wagers = players_rgusage.wagers + EXCLUDED.wagers, wins = players_rgusage.wins + EXCLUDED.wins
    RETURNING (xmax = 0) INTO v_first;
    IF p_kind = 'deposit' THEN
        UPDATE players_player SET lifetime_deposits = lifetime_deposits + p_amount,
               last_activity_at = GREATEST(last_activity_at, p_at) WHERE id = p_player;
    ELSIF v_first THEN
        UPDATE players_player SET last_activity_at = GREATEST(last_activity_at, p_at) WHERE id = p_player;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION players_timeline_record(
    p_player bigint, p_occurred_at timestamptz, p_kind text, p_summary text, p_amount numeric, p_currency text,
    p_actor bigint, p_integration text, p_ref_type text, p_ref_id text, p_data jsonb)
RETURNS void LANGUAGE plpgsql AS $$
-- plpgsql, not sql: a SQL-language function's INSERT is planned again on every call; plpgsql caches the plan.
BEGIN
    INSERT INTO players_timelineevent (player_id, occurred_at, module, kind, summary, amount, currency, actor_id,
                                       integration, ref_type, ref_id, data)
    VALUES (p_player, p_occurred_at, left(split_part(p_kind, '.', 1), 32), left(p_kind, 64), left(p_summary, 300),
            p_amount, p_currency, p_actor, left(p_integration, 64), left(p_ref_type, 64), left(p_ref_id, 64),
            p_data);
END $$;
"""

REVERSE = """
DROP FUNCTION IF EXISTS players_timeline_record(bigint, timestamptz, text, text, numeric, text, bigint, text, text,
                                                text, jsonb);
DROP FUNCTION IF EXISTS players_rg_usage_record(bigint, text, numeric, timestamptz);
"""


class Migration(migrations.Migration):
    dependencies = [("players", "0004_kyc_vip_labels")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
