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
CREATE OR REPLACE FUNCTION games_wallet_win(
    p_provider bigint, p_code text, p_token text, p_tx text, p_round text, p_game text, p_amount numeric,
    p_currency text, p_bet text, p_closed boolean, p_hash text, p_now timestamp with time zone, p_shards
    integer, p_exponent integer)
RETURNS TABLE(outcome text, player_id bigint, currency text, cash numeric, bonus numeric, tx_id bigint)
LANGUAGE plpgsql
SET plan_cache_mode TO 'force_generic_plan'
SET enable_seqscan TO 'off'
AS $$
DECLARE
    s record;
    r record;
    b record;
    v_cash_acc bigint;
    v_bonus_acc bigint;
    v_cash numeric;
    v_bonus numeric;
    v_ledger bigint;
    v_tx bigint;
BEGIN
    SELECT gs.player_id, gs.currency, p.currency AS player_currency INTO s
      FROM games_gamesession gs JOIN players_player p ON p.id = gs.player_id
     WHERE gs.token = p_token AND gs.provider_id = p_provider;  -- wins are accepted after the session expired
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    -- rule: replay
    RETURN QUERY SELECT * FROM games_wallet_replay(p_provider, p_tx, p_hash, s.player_id, s.player_currency);
    IF FOUND THEN
        RETURN;
    END IF;
    IF p_currency <> s.currency THEN  -- rule: session.currency
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    SELECT l.cash_acc, l.cash, l.bonus_acc, l.bonus INTO v_cash_acc, v_cash, v_bonus_acc, v_bonus
      FROM games_wallet_lock(s.player_id) l;
    SELECT gr.id, gr.player_id, gr.status, gr.bet_total, gr.rolled_back, gg.title, gg.external_id INTO r
      FROM games_round gr JOIN games_game gg ON gg.id = gr.game_id
     WHERE gr.provider_id = p_provider AND gr.round_ref = p_round FOR NO KEY UPDATE OF gr;
    IF v_cash_acc IS NULL OR r.id IS NULL OR r.player_id <> s.player_id
       OR r.external_id <> p_game
       OR EXISTS (SELECT 1 FROM games_wallettransaction wt WHERE wt.provider_id = p_provider AND wt.tx_ref = p_tx) THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    IF p_bet <> '' THEN
        SELECT wt.round_id, wt.status, wt.player_id INTO b FROM games_wallettransaction wt
         WHERE wt.provider_id = p_provider AND wt.tx_ref = p_bet AND wt.kind = 'bet';
        IF NOT FOUND OR b.player_id <> s.player_id OR b.status <> 'ok' OR b.round_id <> r.id THEN
            RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
            RETURN;
        END IF;
    END IF;
    -- rule: win.split. The win is paid into cash and bonus in the proportion the round's live bets were funded: the common
    -- case (no bonus money staked) pays it all into cash; a bonus-funded round takes the general path.
    IF NOT EXISTS (SELECT 1 FROM games_wallettransaction wt WHERE wt.round_id = r.id AND wt.kind = 'bet'
                   AND wt.status = 'ok')
       OR EXISTS (SELECT 1 FROM games_wallettransaction wt WHERE wt.round_id = r.id AND wt.kind = 'bet'
                  AND wt.status = 'ok' AND wt.bonus_amount > 0) THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    v_ledger := games_wallet_book('games.win', s.player_id, 'games:' || p_code || ':' || p_tx,
                                  left('round:' || p_code || ':' || p_round, 200), left('provider:' || p_code, 64),
                                  p_currency, p_shards, v_cash_acc, p_amount, v_bonus_acc, 0, -p_amount, p_now);
    INSERT INTO games_wallettransaction (provider_id, tx_ref, kind, status, ref_tx, round_id, player_id, currency,
                                         amount, cash_amount, bonus_amount, balance_before, balance_after, cash_after,
                                         bonus_after, request_hash, ledger_transaction_id, created_at)
    VALUES (p_provider, p_tx, 'win', 'ok', p_bet, r.id, s.player_id, p_currency, p_amount, p_amount, 0,
            v_cash + v_bonus, v_cash + v_bonus + p_amount, v_cash + p_amount, v_bonus, p_hash, v_ledger, p_now)
    RETURNING id INTO v_tx;
    UPDATE games_round SET win_total = win_total + p_amount, win_cash = win_cash + p_amount,
           status = CASE WHEN p_closed AND status IN ('open', 'interrupted') THEN 'complete' ELSE status END,
           closed_at = CASE WHEN p_closed AND status IN ('open', 'interrupted') THEN p_now ELSE closed_at END
     WHERE id = r.id;
    IF p_amount <> 0 THEN
        PERFORM players_rg_usage_record(s.player_id, 'win', p_amount, p_now);
    END IF;
    PERFORM players_timeline_record(s.player_id, p_now, 'games.round',
            'Win ' || round(p_amount, p_exponent)::text || ' ' || p_currency || ' on ' || r.title
            || ' (round ' || p_round || ')',
            p_amount, p_currency, NULL, 'provider:' || p_code, 'games.round', r.id::text,
            jsonb_build_object('op', 'win', 'tx', p_tx, 'cash', p_amount::text, 'bonus',
                               CASE WHEN r.bet_total - r.rolled_back > 0 THEN round(0::numeric, p_exponent)::text
                                    ELSE '0' END));
    RETURN QUERY SELECT 'ok', s.player_id, s.player_currency::text, v_cash + p_amount, v_bonus, v_tx;
END $$;
