"""The wallet's fast path: bet, win and rollback as one server-side call each (``games_wallet_bet/_win/_rollback``).

Why: a bet through the Python service took ~20 statements and most of its time in Python (ORM, round trips);
the wallet API must serve hundreds of calls per second per core. These functions do the *common* case of
the operation in one statement (one round trip, its commit included) and answer ``fallback`` for anything
else, in which case ``games.services.wallet`` runs the general Python path, which knows every rule and error
of the contract. So the functions never refuse on their own except for INSUFFICIENT_FUNDS (checked at the
same point of the same order of checks as the Python path); every other refusal, every RG rule that could
apply (a limit row, an exclusion, a player not active), a missing account or house shard, a bonus stake in a
win, a different payload under a known id: ``fallback``. Replays of a known transaction id with the same
payload and player are answered here (``replay``) like the Python path answers them.

The rows written are the Python path's, column for column: the ledger posting through ``cashier_post()``
(the one posting function), the round, the wallet transaction, the RG usage and the timeline event through
the players module's own write paths (``players_rg_usage_record``, ``players_timeline_record``: migration
players/0005, which ``rg_usage_record`` and ``timeline_record`` call too).
Locks: the player's cash and bonus accounts FOR NO KEY UPDATE in id order first (as ``accounts_lock``), then
the round, then ``cashier_post`` locks the accounts (already held) and the house shard: the order of the
Python path, so the two paths cannot deadlock each other.
"""

from django.db import migrations

COMMON = r"""
CREATE OR REPLACE FUNCTION games_ledger_payload_hash(p_kind text, p_keys text[], p_amounts numeric[])
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
-- The ledger's payload hash (cashier.services.ledger._payload_hash): sha256 of
-- [kind, [[logical account, total without trailing zeros], ...sorted by account]] as compact JSON, zero totals
-- left out. Expressions only, no query (a query per call cost ~0.1 ms): equal keys are merged and the few
-- lines insertion-sorted in arrays.
DECLARE
    keys text[] := '{}';
    totals numeric[] := '{}';
    k text;
    t numeric;
    i int;
    j int;
    n int := 0;
    body text := '';
BEGIN
    FOR i IN 1 .. coalesce(cardinality(p_keys), 0) LOOP
        j := array_position(keys, p_keys[i]);
        IF j IS NULL THEN
            n := n + 1; keys[n] := p_keys[i]; totals[n] := p_amounts[i];
        ELSE
            totals[j] := totals[j] + p_amounts[i];
        END IF;
    END LOOP;
    FOR i IN 2 .. n LOOP
        k := keys[i]; t := totals[i]; j := i - 1;
        WHILE j >= 1 AND keys[j] COLLATE "C" > k COLLATE "C" LOOP
            keys[j + 1] := keys[j]; totals[j + 1] := totals[j]; j := j - 1;
        END LOOP;
        keys[j + 1] := k; totals[j + 1] := t;
    END LOOP;
    FOR i IN 1 .. n LOOP
        IF totals[i] <> 0 THEN
            body := body || CASE WHEN body = '' THEN '' ELSE ',' END
                    || '["' || keys[i] || '","' || trim_scale(totals[i])::text || '"]';
        END IF;
    END LOOP;
    RETURN encode(sha256(convert_to('["' || p_kind || '",[' || body || ']]', 'UTF8')), 'hex');
END $$;

CREATE OR REPLACE FUNCTION games_wallet_book(
    p_kind text, p_player bigint, p_key text, p_reference text, p_integration text, p_currency text,
    p_shards int, p_cash_acc bigint, p_cash numeric, p_bonus_acc bigint, p_bonus numeric, p_house numeric,
    p_now timestamptz)
RETURNS bigint LANGUAGE plpgsql AS $$
-- Post the player's cash/bonus lines against a random house shard through cashier_post(); NULL when
-- nothing moves; raises games:fallback when the shard is missing or the key was posted before.
DECLARE
    v_shard int;
    v_house bigint;
    v_accounts bigint[] := '{}';
    v_amounts numeric[] := '{}';
    v_keys text[] := '{}';
    v_tx bigint;
    v_status text;
BEGIN
    IF p_house = 0 THEN
        RETURN NULL;
    END IF;
    v_shard := floor(random() * p_shards)::int;  -- a variable: random() in the WHERE clause would run per row
    SELECT a.id INTO v_house FROM cashier_account a
     WHERE a.player_id IS NULL AND a.kind = 'house' AND a.currency = p_currency AND a.shard = v_shard;
    IF v_house IS NULL THEN
        RAISE EXCEPTION 'games:fallback:house shard' USING ERRCODE = 'P0001';
    END IF;
    IF p_cash <> 0 THEN
        v_accounts := v_accounts || p_cash_acc; v_amounts := v_amounts || p_cash;
        v_keys := v_keys || p_cash_acc::text;
    END IF;
    IF p_bonus <> 0 THEN
        v_accounts := v_accounts || p_bonus_acc; v_amounts := v_amounts || p_bonus;
        v_keys := v_keys || p_bonus_acc::text;
    END IF;
    v_accounts := v_accounts || v_house; v_amounts := v_amounts || p_house;
    v_keys := v_keys || ('house:' || p_currency);
    SELECT c.tx_id, c.status INTO v_tx, v_status
      FROM cashier_post(p_key, p_kind, games_ledger_payload_hash(p_kind, v_keys, v_amounts), p_reference, NULL,
                        p_integration, '{}'::jsonb, NULL, v_accounts, v_amounts,
                        array_fill(p_currency::text, ARRAY[cardinality(v_accounts)]), p_now) c;
    IF v_status <> 'created' THEN
        RAISE EXCEPTION 'games:fallback:ledger replay' USING ERRCODE = 'P0001';
    END IF;
    RETURN v_tx;
END $$;

CREATE OR REPLACE FUNCTION games_wallet_replay(p_provider bigint, p_tx text, p_hash text, p_player bigint,
                                               p_currency text)
RETURNS TABLE (outcome text, player_id bigint, currency text, cash numeric, bonus numeric, tx_id bigint)
LANGUAGE sql STABLE AS $$
    -- A known transaction id: the same payload from the same player is a replay, answered with the original
    -- transaction and the current balances; anything else under that id is for the general path. No row:
    -- the id is new.
    SELECT CASE WHEN wt.request_hash = p_hash AND wt.player_id = p_player THEN 'replay' ELSE 'fallback' END,
           p_player, p_currency,
           (SELECT a.balance FROM cashier_account a WHERE a.player_id = p_player AND a.kind = 'player_cash'),
           COALESCE((SELECT a.balance FROM cashier_account a WHERE a.player_id = p_player
                     AND a.kind = 'player_bonus'), 0),
           wt.id
      FROM games_wallettransaction wt WHERE wt.provider_id = p_provider AND wt.tx_ref = p_tx
$$;

CREATE OR REPLACE FUNCTION games_wallet_lock(p_player bigint, OUT cash_acc bigint, OUT cash numeric,
                                             OUT bonus_acc bigint, OUT bonus numeric)
LANGUAGE plpgsql AS $$
-- cashier.services.accounts_lock for the wallet: the player's cash and bonus accounts FOR NO KEY UPDATE in id
-- order, with their balances. Most players have no bonus account until a bonus is granted: bonus 0, no id.
DECLARE
    acc record;
BEGIN
    bonus := 0;
    FOR acc IN SELECT a.id, a.kind, a.balance FROM cashier_account a
                WHERE a.player_id = p_player AND a.kind IN ('player_cash', 'player_bonus')
                ORDER BY a.id FOR NO KEY UPDATE
    LOOP
        IF acc.kind = 'player_cash' THEN
            cash_acc := acc.id; cash := acc.balance;
        ELSE
            bonus_acc := acc.id; bonus := acc.balance;
        END IF;
    END LOOP;
END $$;
"""

BET = r"""
CREATE OR REPLACE FUNCTION games_wallet_bet(
    p_provider bigint, p_code text, p_token text, p_tx text, p_round text, p_game text, p_amount numeric,
    p_currency text, p_closed boolean, p_hash text, p_now timestamptz, p_idle_seconds int, p_shards int,
    p_exponent int, p_bonus_rules boolean)
RETURNS TABLE (outcome text, player_id bigint, currency text, cash numeric, bonus numeric, tx_id bigint)
LANGUAGE plpgsql AS $$
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
    SELECT gs.id, gs.player_id, gs.currency, gs.jurisdiction_id, gs.expires_at, gs.closed_at, p.status,
           p.currency AS player_currency
      INTO s FROM games_gamesession gs JOIN players_player p ON p.id = gs.player_id
     WHERE gs.token = p_token AND gs.provider_id = p_provider;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    -- A known transaction id: the same payload from the same player is a replay (the original answer).
    RETURN QUERY SELECT * FROM games_wallet_replay(p_provider, p_tx, p_hash, s.player_id, s.player_currency);
    IF FOUND THEN
        RETURN;
    END IF;
    IF p_currency <> s.currency THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
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
    -- any rule that could refuse the bet (RG, session, bonus rules): the general path decides.
    IF v_cash_acc IS NULL
       OR EXISTS (SELECT 1 FROM games_wallettransaction wt WHERE wt.provider_id = p_provider
                  AND (wt.tx_ref = p_tx OR (wt.kind = 'rollback' AND wt.ref_tx = p_tx)))
       OR s.status <> 'active'
       OR EXISTS (SELECT 1 FROM players_rgexclusion x WHERE x.player_id = s.player_id AND x.starts_at <= p_now
                  AND (x.ends_at IS NULL OR x.ends_at > p_now))
       OR EXISTS (SELECT 1 FROM players_rglimit l WHERE l.player_id = s.player_id AND l.kind IN ('wager', 'loss'))
       OR s.closed_at IS NOT NULL OR s.expires_at <= p_now THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    IF p_amount > v_cash + v_bonus THEN
        RETURN QUERY SELECT 'insufficient', s.player_id, s.player_currency::text, v_cash, v_bonus, NULL::bigint;
        RETURN;
    END IF;
    IF v_expiry - s.expires_at > interval '30 seconds' THEN  -- games.services.catalogue.game_session_touch
        UPDATE games_gamesession SET expires_at = v_expiry WHERE id = s.id AND expires_at < v_expiry;
    END IF;
    v_cash_part := least(p_amount, greatest(v_cash, 0));
    v_bonus_part := p_amount - v_cash_part;
    IF p_bonus_rules THEN
        RETURN QUERY SELECT 'fallback', NULL::bigint, NULL::text, NULL::numeric, NULL::numeric, NULL::bigint;
        RETURN;
    END IF;
    SELECT gr.id, gr.player_id, gr.game_id, gr.status INTO r FROM games_round gr
     WHERE gr.provider_id = p_provider AND gr.round_ref = p_round FOR NO KEY UPDATE;
    IF FOUND AND (r.player_id <> s.player_id OR r.game_id <> g.id OR r.status <> 'open') THEN
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
"""

WIN = r"""
CREATE OR REPLACE FUNCTION games_wallet_win(
    p_provider bigint, p_code text, p_token text, p_tx text, p_round text, p_game text, p_amount numeric,
    p_currency text, p_bet text, p_closed boolean, p_hash text, p_now timestamptz, p_shards int, p_exponent int)
RETURNS TABLE (outcome text, player_id bigint, currency text, cash numeric, bonus numeric, tx_id bigint)
LANGUAGE plpgsql AS $$
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
    RETURN QUERY SELECT * FROM games_wallet_replay(p_provider, p_tx, p_hash, s.player_id, s.player_currency);
    IF FOUND THEN
        RETURN;
    END IF;
    IF p_currency <> s.currency THEN
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
    -- The win is paid into cash and bonus in the proportion the round's live bets were funded: the common
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
"""

ROLLBACK = r"""
CREATE OR REPLACE FUNCTION games_wallet_rollback(
    p_provider bigint, p_code text, p_token text, p_tx text, p_target text, p_round text, p_game text, p_hash text,
    p_now timestamptz, p_shards int, p_exponents jsonb)
RETURNS TABLE (outcome text, player_id bigint, currency text, cash numeric, bonus numeric, tx_id bigint)
LANGUAGE plpgsql AS $$
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
"""

REVERSE = """
DROP FUNCTION IF EXISTS games_wallet_rollback(bigint, text, text, text, text, text, text, text, timestamptz, int,
                                              jsonb);
DROP FUNCTION IF EXISTS games_wallet_win(bigint, text, text, text, text, text, numeric, text, text, boolean, text,
                                         timestamptz, int, int);
DROP FUNCTION IF EXISTS games_wallet_bet(bigint, text, text, text, text, text, numeric, text, boolean, text,
                                         timestamptz, int, int, int, boolean);
DROP FUNCTION IF EXISTS games_wallet_lock(bigint);
DROP FUNCTION IF EXISTS games_wallet_replay(bigint, text, text, bigint, text);
DROP FUNCTION IF EXISTS games_wallet_book(text, bigint, text, text, text, text, int, bigint, numeric, bigint, numeric,
                                          numeric, timestamptz);
DROP FUNCTION IF EXISTS games_ledger_payload_hash(text, text[], numeric[]);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("games", "0002_rtp_two_decimals"),
        ("cashier", "0009_one_deferred_entry_check"),
        ("players", "0005_usage_and_timeline_functions"),
    ]

    operations = [migrations.RunSQL(COMMON + BET + WIN + ROLLBACK, REVERSE)]
