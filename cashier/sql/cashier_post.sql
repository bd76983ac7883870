-- The ledger posting as one server-side call: cashier.services.ledger.ledger_post calls it after validating
-- the lines in Python; the wallet's fast path (games_wallet_book) calls it too. One function posts to the ledger.
-- 1. INSERT the transaction ON CONFLICT (idempotency_key) DO NOTHING: a replay answers the original
--    (status 'replayed'), another payload under the key raises cashier:conflict:<tx>.
-- 2. Lock every named account FOR NO KEY UPDATE in ascending id order (the lock order of accounts_lock).
-- 3. From the locked balances, in PL/pgSQL: refusals in this precedence, raised (the statement aborts, so the
--    caller can run it as one autocommit statement): cashier:unknown_account:, cashier:currency:<account>,
--    cashier:insufficient:<account>:<balance>:<limit> (a debit below -credit_limit).
-- 4. UPDATE the cached balances (id = ANY: a primary-key plan for any table size), INSERT the entries with
--    their balance_after from unnest (no join, sort or window).
-- force_generic_plan: one plan per statement per connection (array parameters were re-planned per call);
-- enable_seqscan = off: generic plans of unnest/ANY estimate 10 rows and chose scans of small tables.
-- Measurements: docs/performance.md.
CREATE OR REPLACE FUNCTION cashier_post(
    p_key text, p_kind text, p_hash text, p_reference text, p_actor_id bigint, p_integration text, p_metadata
    jsonb, p_reverses_id bigint, p_accounts bigint[], p_amounts numeric[], p_currencies text[], p_now
    timestamp with time zone)
RETURNS TABLE(tx_id bigint, status text, bad_account bigint, bad_balance numeric, bad_limit numeric)
LANGUAGE plpgsql
SET plan_cache_mode TO 'force_generic_plan'
SET enable_seqscan TO 'off'
AS $$
DECLARE
    v_tx bigint;
    v_hash text;
    v_ids bigint[];         -- the accounts, locked, ascending
    v_balances numeric[];   -- their balances when locked
    v_limits numeric[];     -- aligned with v_ids
    v_currencies text[];
    v_deltas numeric[];     -- net amount per account
    v_wrong boolean[];      -- a line's currency differs from its account's
    v_after numeric[] := '{}';  -- balance_after per line
    v_unknown boolean := false;
    i int;
    j int;
BEGIN
    INSERT INTO cashier_ledgertransaction (idempotency_key, kind, payload_hash, reference, actor_id, integration,
                                           metadata, reverses_id, created_at)
    VALUES (p_key, p_kind, p_hash, p_reference, p_actor_id, p_integration, p_metadata, p_reverses_id, p_now)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id INTO v_tx;
    IF v_tx IS NULL THEN
        SELECT t.id, t.payload_hash INTO v_tx, v_hash FROM cashier_ledgertransaction t WHERE t.idempotency_key = p_key;
        IF v_hash IS DISTINCT FROM p_hash THEN
            RAISE EXCEPTION 'cashier:conflict:%', v_tx USING ERRCODE = 'P0001';
        END IF;
        tx_id := v_tx; status := 'replay';
        RETURN NEXT;
        RETURN;
    END IF;

    -- Lock in ascending id order (deadlock-free); the checks below judge the locked balances.
    SELECT array_agg(l.id), array_agg(l.balance), array_agg(l.credit_limit), array_agg(l.currency)
      INTO v_ids, v_balances, v_limits, v_currencies
      FROM (SELECT a.id, a.balance, a.credit_limit, a.currency FROM cashier_account a
             WHERE a.id = ANY(p_accounts) ORDER BY a.id FOR NO KEY UPDATE) l;
    v_ids := coalesce(v_ids, '{}');  -- no account found at all
    v_deltas := array_fill(0::numeric, ARRAY[cardinality(v_ids)]);
    v_wrong := array_fill(false, ARRAY[cardinality(v_ids)]);
    -- Per account: its net delta and whether a line names another currency; per line: balance_after.
    FOR i IN 1 .. coalesce(cardinality(p_accounts), 0) LOOP
        j := array_position(v_ids, p_accounts[i]);
        IF j IS NULL THEN
            v_unknown := true;
        ELSE
            v_deltas[j] := v_deltas[j] + p_amounts[i];
            v_after[i] := v_balances[j] + v_deltas[j];
            v_wrong[j] := v_wrong[j] OR p_currencies[i] IS DISTINCT FROM v_currencies[j];
        END IF;
    END LOOP;
    -- The first refusal in account id order, an unknown account last (as before).
    FOR j IN 1 .. cardinality(v_ids) LOOP
        IF v_wrong[j] THEN
            RAISE EXCEPTION 'cashier:currency:%', v_ids[j] USING ERRCODE = 'P0001';
        ELSIF v_limits[j] IS NOT NULL AND v_deltas[j] < 0 AND v_balances[j] + v_deltas[j] < -v_limits[j] THEN
            RAISE EXCEPTION 'cashier:insufficient:%:%:%', v_ids[j], v_balances[j], v_limits[j] USING ERRCODE = 'P0001';
        END IF;
    END LOOP;
    IF v_unknown THEN
        RAISE EXCEPTION 'cashier:unknown_account:' USING ERRCODE = 'P0001';
    END IF;

    -- Cached balances (rows already locked), then the entries in line order.
    UPDATE cashier_account a SET balance = a.balance + v_deltas[array_position(v_ids, a.id)]
     WHERE a.id = ANY(v_ids);
    INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after, created_at)
    SELECT v_tx, u.acc, u.amt, u.cur, u.aft, p_now
      FROM unnest(p_accounts, p_amounts, p_currencies, v_after) AS u(acc, amt, cur, aft);

    tx_id := v_tx; status := 'created';
    RETURN NEXT;
END $$;
