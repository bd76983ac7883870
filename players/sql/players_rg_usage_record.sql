-- RG usage: adds a deposit, wager or win (negative for a rollback) to the player's hourly bucket (one upsert);
-- deposits also add to the lifetime total; last activity moves on a deposit and on each hour's first activity.
-- The one write path: players.services.rg.rg_usage_record calls it, and so does the wallet's fast path.
CREATE OR REPLACE FUNCTION players_rg_usage_record(
    p_player bigint, p_kind text, p_amount numeric, p_at timestamp with time zone)
RETURNS void
LANGUAGE plpgsql
AS $$
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
