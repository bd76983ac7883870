-- The timeline's write path: appends one event; the module is the part of the kind before its first dot; texts
-- are cut to their column sizes. players.services.timeline.timeline_record calls it, and so does the wallet's
-- fast path (which cannot call Python).
CREATE OR REPLACE FUNCTION players_timeline_record(
    p_player bigint, p_occurred_at timestamp with time zone, p_kind text, p_summary text, p_amount numeric,
    p_currency text, p_actor bigint, p_integration text, p_ref_type text, p_ref_id text, p_data jsonb)
RETURNS void
LANGUAGE plpgsql
AS $$
-- plpgsql, not sql: a SQL-language function's INSERT is planned again on every call; plpgsql caches the plan.
BEGIN
    INSERT INTO players_timelineevent (player_id, occurred_at, module, kind, summary, amount, currency, actor_id,
                                       integration, ref_type, ref_id, data)
    VALUES (p_player, p_occurred_at, left(split_part(p_kind, '.', 1), 32), left(p_kind, 64), left(p_summary, 300),
            p_amount, p_currency, p_actor, left(p_integration, 64), left(p_ref_type, 64), left(p_ref_id, 64),
            p_data);
END $$;
