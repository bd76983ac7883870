"""``cashier_post()``: plain plans instead of CTEs, hash joins and window sums; the locked balances drive the rest.

Same signature, same result rows, same refusals (``cashier:conflict|insufficient|currency|unknown_account``, in
the same order of precedence), same lock order. What changes is how the work is expressed:

* The lock statement only locks and reads (``SELECT ... ORDER BY id FOR NO KEY UPDATE`` inside an
  ``array_agg``); 0013 joined it with a grouped ``unnest`` of the lines (hash aggregate, hash join, two sorts).
* The per-account deltas, the currency and limit checks and every entry's ``balance_after`` are computed in
  PL/pgSQL from the locked balances (a handful of lines: a few array operations) instead of a windowed sum
  over a join of the lines with the ``UPDATE ... RETURNING`` rows.
* The balance ``UPDATE`` is one index scan (``id = ANY``) whose delta is looked up by position; the entries
  are one ``INSERT ... SELECT FROM unnest`` (no join, no sort, no window).
* ``enable_seqscan = off`` for the function's own statements: every one of them reads a few rows by primary
  key, but under a generic plan (``unnest``/``ANY`` of a parameter estimated at 10 rows) a small or
  never-analyzed ``cashier_account`` (the benchmark's ~1,000 accounts) got a sequential scan of every row for
  the lock and again for the update.

Measured: PostgreSQL CPU per posting -12% and -15% in two interleaved A/B rounds (docs/performance.md).
"""

from importlib import import_module

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION cashier_post(p_key text, p_kind text, p_hash text, p_reference text, p_actor_id bigint,
                             p_integration text, p_metadata jsonb, p_reverses_id bigint, p_accounts bigint[],
                             p_amounts numeric[], p_currencies text[], p_now timestamptz)
RETURNS TABLE (tx_id bigint, status text, bad_account bigint, bad_balance numeric, bad_limit numeric)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
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
"""

# Reversing restores the previous body: 0013_cashier_post_update_by_key's own SQL (not a copy of it). 0013 creates
# the function without ``enable_seqscan``; CREATE OR REPLACE replaces the SET clauses too.
REVERSE = import_module("cashier.migrations.0013_cashier_post_update_by_key").SQL


class Migration(migrations.Migration):
    dependencies = [("cashier", "0013_cashier_post_update_by_key")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
