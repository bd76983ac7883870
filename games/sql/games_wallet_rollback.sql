-- The wallet's fast path (docs/wallet-api.md, docs/architecture.md "The wallet hot path"): the common case of
-- an operation in one statement; 'fallback' hands everything else to the general Python path
-- (games.services.wallet), which knows every rule and error of the contract. The only refusal answered here is
-- INSUFFICIENT_FUNDS. The rules this function repeats from Python are named in games/services/wallet/rules.py
-- (-- rule: <name> below) and each is paired with a test (tests/games/test_wallet_rule_pairs.py).
-- Rows written are the Python path's, column for column. Locks: the player's accounts (games_wallet_lock), then
-- the round, then cashier_post's house shard: the Python path's order, so the two cannot deadlock.
-- force_generic_plan + enable_seqscan = off: every statement reads a few rows by key; on a new installation's
-- statistics the cached plans scanned the hot tables (docs/performance.md). The settings apply to the functions
-- called from here too.
CREATE OR REPLACE FUNCTION games_wallet_rollback(
    p_provider bigint, p_code text, p_token text, p_tx text, p_target text, p_round text, p_game text, p_hash
    text, p_now timestamp with time zone, p_shards integer, p_exponents jsonb)
RETURNS TABLE(outcome text, player_id bigint, currency text, cash numeric, bonus numeric, tx_id bigint)
LANGUAGE plpgsql
SET plan_cache_mode TO 'force_generic_plan'
SET enable_seqscan TO 'off'
AS $$
DECLARE
    s record;
    t record;
    r record;
    v_cash_acc bigint;
    v_bonus_acc bigint;
    v_cash numeric;
    v_bonus numeric;
    v_ledger bigint;
    v_tx bigint;
BEGIN
    SELECT gs.player_id, p.currency AS player_currency INTO s
      FROM games_gamesession gs JOIN players_player p ON p.id = gs.player_id
     WHERE gs.token = p_token AND gs.provider_id = p_provider;  -- rollbacks are accepted after the session expired
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    -- rule: replay
    RETURN QUERY SELECT * FROM games_wallet_replay(p_provider, p_tx, p_hash, s.player_id, s.player_currency);
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT l.cash_acc, l.cash, l.bonus_acc, l.bonus INTO v_cash_acc, v_cash, v_bonus_acc, v_bonus
      FROM games_wallet_lock(s.player_id) l;
    SELECT wt.id, wt.kind, wt.status, wt.player_id, wt.round_id, wt.currency, wt.amount, wt.cash_amount,
           wt.bonus_amount INTO t
      FROM games_wallettransaction wt WHERE wt.provider_id = p_provider AND wt.tx_ref = p_target
       FOR NO KEY UPDATE;
    -- The common case only: an OK bet of this player, in the named round and game, and the accounts it was
    -- paid from. Unknown or already rolled-back bets (a remembered no-op) and every refusal: the general path.
    IF v_cash_acc IS NULL OR t.id IS NULL OR t.kind <> 'bet' OR t.status <> 'ok' OR t.player_id <> s.player_id
       OR (t.bonus_amount <> 0 AND v_bonus_acc IS NULL)
       OR EXISTS (SELECT 1 FROM games_wallettransaction wt WHERE wt.provider_id = p_provider AND wt.tx_ref = p_tx) THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    SELECT gr.id, gr.round_ref, gr.win_total, gg.external_id INTO r
      FROM games_round gr JOIN games_game gg ON gg.id = gr.game_id
     WHERE gr.id = t.round_id FOR NO KEY UPDATE OF gr;
    IF r.round_ref <> p_round OR r.external_id <> p_game THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    v_ledger := games_wallet_book('games.rollback', s.player_id, 'games:' || p_code || ':' || p_tx,
                                  left('round:' || p_code || ':' || p_round, 200), left('provider:' || p_code, 64),
                                  t.currency, p_shards, v_cash_acc, t.cash_amount, v_bonus_acc, t.bonus_amount,
                                  -t.amount, p_now);
    INSERT INTO games_wallettransaction (provider_id, tx_ref, kind, status, ref_tx, round_id, player_id, currency,
                                         amount, cash_amount, bonus_amount, balance_before, balance_after, cash_after,
                                         bonus_after, request_hash, ledger_transaction_id, created_at)
    VALUES (p_provider, p_tx, 'rollback', 'ok', p_target, r.id, s.player_id, s.player_currency, t.amount,
            t.cash_amount, t.bonus_amount, v_cash + v_bonus, v_cash + v_bonus + t.amount, v_cash + t.cash_amount,
            v_bonus + t.bonus_amount, p_hash, v_ledger, p_now)
    RETURNING id INTO v_tx;
    UPDATE games_wallettransaction SET status = 'rolled_back' WHERE id = t.id;
    UPDATE games_round SET rolled_back = rolled_back + t.amount,
           status = CASE WHEN cancel THEN 'cancelled' ELSE status END,
           closed_at = CASE WHEN cancel THEN p_now ELSE closed_at END
      FROM (SELECT r.win_total = 0 AND NOT EXISTS (
                SELECT 1 FROM games_wallettransaction wt WHERE wt.round_id = r.id AND wt.kind = 'bet'
                AND wt.status = 'ok') AS cancel) c
     WHERE id = r.id;
    IF t.amount <> 0 THEN  -- a rollback records the negative wager
        PERFORM players_rg_usage_record(s.player_id, 'wager', -t.amount, p_now);
    END IF;
    PERFORM players_timeline_record(s.player_id, p_now, 'games.round',
            'Bet ' || p_target || ' rolled back: ' || round(t.amount, (p_exponents ->> t.currency)::int)::text
            || ' ' || t.currency || ' refunded (round ' || r.round_ref || ')',
            t.amount, s.player_currency, NULL, 'provider:' || p_code, 'games.round', r.id::text,
            jsonb_build_object('op', 'rollback', 'tx', p_tx, 'bet', p_target));
    RETURN QUERY SELECT 'ok', s.player_id, s.player_currency::text, v_cash + t.cash_amount, v_bonus + t.bonus_amount,
                        v_tx;
END $$;
