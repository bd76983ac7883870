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
CREATE OR REPLACE FUNCTION games_wallet_bet(
    p_provider bigint, p_code text, p_token text, p_tx text, p_round text, p_game text, p_amount numeric,
    p_currency text, p_closed boolean, p_hash text, p_now timestamp with time zone, p_idle_seconds integer,
    p_shards integer, p_exponent integer)
RETURNS TABLE(outcome text, player_id bigint, currency text, cash numeric, bonus numeric, tx_id bigint)
LANGUAGE plpgsql
SET plan_cache_mode TO 'force_generic_plan'
SET enable_seqscan TO 'off'
AS $$
DECLARE
    s record;
    g record;
    r record;
    v_cash_acc bigint;
    v_bonus_acc bigint;
    v_cash numeric;
    v_bonus numeric;
    v_cash_part numeric;
    v_bonus_part numeric;
    v_ledger bigint;
    v_round bigint;
    v_tx bigint;
    v_expiry timestamptz := p_now + make_interval(secs => p_idle_seconds);
BEGIN
    -- rule: bonus.rules: the flag is read with the session, before any lock (a primary-key probe).
    SELECT gs.id, gs.player_id, gs.currency, gs.jurisdiction_id, gs.expires_at, gs.closed_at, p.status,
           p.currency AS player_currency,
           EXISTS (SELECT 1 FROM games_bonuswagering w WHERE w.player_id = gs.player_id) AS bonus_rules
      INTO s FROM games_gamesession gs JOIN players_player p ON p.id = gs.player_id
     WHERE gs.token = p_token AND gs.provider_id = p_provider;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    -- rule: replay. A known transaction id: the same payload from the same player is the original answer.
    RETURN QUERY SELECT * FROM games_wallet_replay(p_provider, p_tx, p_hash, s.player_id, s.player_currency);
    IF FOUND THEN
        RETURN;
    END IF;
    -- rule: bonus.rules (a player under bonus wagering rules: the general path and its hook decide);
    -- rule: session.currency.
    IF s.bonus_rules OR p_currency <> s.currency THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    -- rule: game.playable
    SELECT gg.id, gg.title, gg.version INTO g FROM games_game gg
     WHERE gg.provider_id = p_provider AND gg.external_id = p_game AND gg.is_active
       AND EXISTS (SELECT 1 FROM games_game_jurisdictions j WHERE j.game_id = gg.id
                   AND j.jurisdiction_id = s.jurisdiction_id);
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    SELECT l.cash_acc, l.cash, l.bonus_acc, l.bonus INTO v_cash_acc, v_cash, v_bonus_acc, v_bonus
      FROM games_wallet_lock(s.player_id) l;
    -- After the lock: a concurrent duplicate committed meanwhile, or a rollback that named this id first, or
    -- any rule that could refuse the bet: the general path decides. In order: rule: rg.player_active,
    -- rule: rg.exclusion_active, rule: rg.bet_limit_kinds ('wager', 'loss'), rule: session.live.
    IF v_cash_acc IS NULL
       OR EXISTS (SELECT 1 FROM games_wallettransaction wt WHERE wt.provider_id = p_provider AND wt.tx_ref = p_tx)
       OR EXISTS (SELECT 1 FROM games_wallettransaction wt WHERE wt.provider_id = p_provider AND wt.kind = 'rollback'
                  AND wt.ref_tx = p_tx AND wt.ref_tx <> '')
       OR s.status <> 'active'
       OR EXISTS (SELECT 1 FROM players_rgexclusion x WHERE x.player_id = s.player_id AND x.starts_at <= p_now
                  AND (x.ends_at IS NULL OR x.ends_at > p_now))
       OR EXISTS (SELECT 1 FROM players_rglimit l WHERE l.player_id = s.player_id AND l.kind IN ('wager', 'loss'))
       OR s.closed_at IS NOT NULL OR s.expires_at <= p_now THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    IF p_amount > v_cash + v_bonus THEN  -- rule: stake.split (INSUFFICIENT_FUNDS)
        RETURN QUERY SELECT 'insufficient', s.player_id, s.player_currency::text, v_cash, v_bonus, NULL::bigint;
        RETURN;
    END IF;
    IF v_expiry - s.expires_at > interval '30 seconds' THEN  -- rule: session.touch
        UPDATE games_gamesession SET expires_at = v_expiry WHERE id = s.id AND expires_at < v_expiry;
    END IF;
    v_cash_part := least(p_amount, greatest(v_cash, 0));  -- rule: stake.split
    v_bonus_part := p_amount - v_cash_part;
    SELECT gr.id, gr.player_id, gr.game_id, gr.status INTO r FROM games_round gr
     WHERE gr.provider_id = p_provider AND gr.round_ref = p_round FOR NO KEY UPDATE;
    IF FOUND AND (r.player_id <> s.player_id OR r.game_id <> g.id OR r.status <> 'open') THEN  -- rule: round.open
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    v_ledger := games_wallet_book('games.bet', s.player_id, 'games:' || p_code || ':' || p_tx,
                                  left('round:' || p_code || ':' || p_round, 200), left('provider:' || p_code, 64),
                                  p_currency, p_shards, v_cash_acc, -v_cash_part, v_bonus_acc, -v_bonus_part,
                                  p_amount, p_now);
    IF r.id IS NULL THEN
        INSERT INTO games_round (provider_id, round_ref, player_id, game_id, game_version, session_id, currency,
                                 status, bet_total, bet_cash, bet_bonus, win_total, win_cash, win_bonus, rolled_back,
                                 opened_at, closed_at)
        VALUES (p_provider, p_round, s.player_id, g.id, g.version, s.id, p_currency,
                CASE WHEN p_closed THEN 'complete' ELSE 'open' END, p_amount, v_cash_part, v_bonus_part, 0, 0, 0, 0,
                p_now, CASE WHEN p_closed THEN p_now END)
        RETURNING id INTO v_round;
    ELSE
        v_round := r.id;
        UPDATE games_round SET bet_total = bet_total + p_amount, bet_cash = bet_cash + v_cash_part,
               bet_bonus = bet_bonus + v_bonus_part,
               status = CASE WHEN p_closed THEN 'complete' ELSE status END,
               closed_at = CASE WHEN p_closed THEN p_now ELSE closed_at END
         WHERE id = v_round;
    END IF;
    INSERT INTO games_wallettransaction (provider_id, tx_ref, kind, status, ref_tx, round_id, player_id, currency,
                                         amount, cash_amount, bonus_amount, balance_before, balance_after, cash_after,
                                         bonus_after, request_hash, ledger_transaction_id, created_at)
    VALUES (p_provider, p_tx, 'bet', 'ok', '', v_round, s.player_id, p_currency, p_amount, v_cash_part,
            v_bonus_part, v_cash + v_bonus, v_cash + v_bonus - p_amount, v_cash - v_cash_part,
            v_bonus - v_bonus_part, p_hash, v_ledger, p_now)
    RETURNING id INTO v_tx;
    IF p_amount <> 0 THEN
        PERFORM players_rg_usage_record(s.player_id, 'wager', p_amount, p_now);
    END IF;
    PERFORM players_timeline_record(s.player_id, p_now, 'games.round',
            'Bet ' || round(p_amount, p_exponent)::text || ' ' || p_currency || ' on ' || g.title
            || ' (round ' || p_round || ')',
            -p_amount, p_currency, NULL, 'provider:' || p_code, 'games.round', v_round::text,
            jsonb_build_object('op', 'bet', 'tx', p_tx, 'cash', v_cash_part::text, 'bonus', v_bonus_part::text));
    RETURN QUERY SELECT 'ok', s.player_id, s.player_currency::text, v_cash - v_cash_part, v_bonus - v_bonus_part, v_tx;
END $$;
