"""``cashier_post()`` raises on refusals instead of returning a status.

A refusal now aborts the statement, so the caller can run the function as a single autocommit statement
(one round trip, commit included) when it holds no transaction of its own; inside a caller's transaction
``ledger_post`` wraps it in a savepoint as before. Messages: ``cashier:conflict:<tx>``,
``cashier:insufficient:<account>:<balance>:<limit>``, ``cashier:currency:<account>``,
``cashier:unknown_account:``.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION cashier_post(p_key text, p_kind text, p_hash text, p_reference text, p_actor_id bigint,
                             p_integration text, p_metadata jsonb, p_reverses_id bigint, p_accounts bigint[],
                             p_amounts numeric[], p_currencies text[], p_now timestamptz)
RETURNS TABLE (tx_id bigint, status text, bad_account bigint, bad_balance numeric, bad_limit numeric)
LANGUAGE plpgsql AS $$
DECLARE
    v_tx bigint;
    v_hash text;
    v_wanted int;
    v_locked int := 0;
    v_delta numeric;
    r record;
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
        RETURN QUERY SELECT v_tx, 'replay', NULL::bigint, NULL::numeric, NULL::numeric;
        RETURN;
    END IF;
    SELECT count(DISTINCT x) INTO v_wanted FROM unnest(p_accounts) AS x;
    FOR r IN SELECT a.id, a.balance, a.credit_limit, a.currency FROM cashier_account a
             WHERE a.id = ANY(p_accounts) ORDER BY a.id FOR NO KEY UPDATE
    LOOP
        v_locked := v_locked + 1;
        IF EXISTS (SELECT 1 FROM unnest(p_accounts, p_currencies) AS u(acc, cur) WHERE u.acc = r.id
                   AND u.cur <> r.currency) THEN
            RAISE EXCEPTION 'cashier:currency:%', r.id USING ERRCODE = 'P0001';
        END IF;
        SELECT sum(u.amt) INTO v_delta FROM unnest(p_accounts, p_amounts) AS u(acc, amt) WHERE u.acc = r.id;
        IF r.credit_limit IS NOT NULL AND v_delta < 0 AND r.balance + v_delta < -r.credit_limit THEN
            RAISE EXCEPTION 'cashier:insufficient:%:%:%', r.id, r.balance, r.credit_limit USING ERRCODE = 'P0001';
        END IF;
    END LOOP;
    IF v_locked <> v_wanted THEN
        RAISE EXCEPTION 'cashier:unknown_account:' USING ERRCODE = 'P0001';
    END IF;
    INSERT INTO cashier_entry (transaction_id, account_id, amount, currency, balance_after, created_at)
    SELECT v_tx, u.acc, u.amt, u.cur, a.balance + sum(u.amt) OVER (PARTITION BY u.acc ORDER BY u.ord), p_now
      FROM unnest(p_accounts, p_amounts, p_currencies) WITH ORDINALITY AS u(acc, amt, cur, ord)
      JOIN cashier_account a ON a.id = u.acc
     ORDER BY u.ord;
    UPDATE cashier_account a SET balance = a.balance + d.delta
      FROM (SELECT u.acc, sum(u.amt) AS delta FROM unnest(p_accounts, p_amounts) AS u(acc, amt) GROUP BY u.acc) d
     WHERE a.id = d.acc;
    RETURN QUERY SELECT v_tx, 'created', NULL::bigint, NULL::numeric, NULL::numeric;
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("cashier", "0006_cashier_post_function")]

    # Reversing leaves the function in place: 0006's reverse drops it.
    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
