"""``cashier_post()``: the balance update finds its rows through the primary key, whatever the estimates.

0010's generic plan for ``UPDATE cashier_account ... FROM (per-account deltas) WHERE a.id = d.acc`` was a
hash join over a sequential scan of ``cashier_account``: a generic plan cannot know the array's length
(``unnest`` of a parameter is estimated at 10 rows), and with a small account table (the benchmark's
~1,000 accounts) the scan looked cheap. It read every account row on every posting: ~0.08 ms of server
CPU per posting there, and far more on a large table whose statistics lag behind. ``AND a.id =
ANY(p_accounts)`` gives the planner the primary-key lookup for any table size. Nothing else changes.
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
AS $$
DECLARE
    v_tx bigint;
    v_hash text;
    v_bad record;
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

    -- Lock in ascending id order (deadlock-free), then judge every account on its locked balance.
    WITH locked AS MATERIALIZED (
        SELECT a.id, a.balance, a.credit_limit, a.currency FROM cashier_account a
         WHERE a.id = ANY(p_accounts) ORDER BY a.id FOR NO KEY UPDATE
    ), wanted AS (
        SELECT u.acc, sum(u.amt) AS delta, min(u.cur) AS cur_min, max(u.cur) AS cur_max
          FROM unnest(p_accounts, p_amounts, p_currencies) AS u(acc, amt, cur) GROUP BY u.acc
    )
    SELECT w.acc, l.id IS NULL AS unknown, (l.currency <> w.cur_min OR l.currency <> w.cur_max) AS wrong_currency,
           l.balance, l.credit_limit
      INTO v_bad
      FROM wanted w LEFT JOIN locked l ON l.id = w.acc
     WHERE l.id IS NULL OR l.currency <> w.cur_min OR l.currency <> w.cur_max
        OR (l.credit_limit IS NOT NULL AND w.delta < 0 AND l.balance + w.delta < -l.credit_limit)
     ORDER BY l.id IS NULL, w.acc
     LIMIT 1;
    IF FOUND THEN
        IF v_bad.unknown THEN
            RAISE EXCEPTION 'cashier:unknown_account:' USING ERRCODE = 'P0001';
        ELSIF v_bad.wrong_currency THEN
            RAISE EXCEPTION 'cashier:currency:%', v_bad.acc USING ERRCODE = 'P0001';
        END IF;
        RAISE EXCEPTION 'cashier:insufficient:%:%:%', v_bad.acc, v_bad.balance, v_bad.credit_limit
            USING ERRCODE = 'P0001';
    END IF;

    -- Cached balances and entries in one statement; balance_after = balance before + running sum.
    WITH lines AS (
        SELECT u.acc, u.amt, u.cur, u.ord
          FROM unnest(p_accounts, p_amounts, p_currencies) WITH ORDINALITY AS u(acc, amt, cur, ord)
    ), moved AS (
        UPDATE cashier_account a SET balance = a.balance + d.delta
          FROM (SELECT acc, sum(amt) AS delta FROM lines GROUP BY acc) d
         WHERE a.id = d.acc AND a.id = ANY(p_accounts)  -- an index scan whatever the estimates
        RETURNING a.id, a.balance - d.delta AS before
    )
    INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after, created_at)
    SELECT v_tx, l.acc, l.amt, l.cur, m.before + sum(l.amt) OVER (PARTITION BY l.acc ORDER BY l.ord), p_now
      FROM lines l JOIN moved m ON m.id = l.acc
     ORDER BY l.ord;

    tx_id := v_tx; status := 'created';
    RETURN NEXT;
END $$;
"""

# Reversing restores the previous body: 0010_cashier_post_set_based's own SQL (not a copy of it).
REVERSE = import_module("cashier.migrations.0010_cashier_post_set_based").SQL


class Migration(migrations.Migration):
    dependencies = [("cashier", "0012_ledgertransaction_fewer_indexes")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
