"""``cashier_post()``: the posting as one server-side call (one round trip instead of five).

Called by ``cashier.services.ledger.ledger_post`` after it has validated the lines in Python. Inside:
insert the transaction (ON CONFLICT on the idempotency key: a concurrent insert of the same key waits
for the first to commit, then sees the conflict); lock the accounts FOR NO KEY UPDATE in ascending id
order; check currencies and credit limits on the locked balances; insert the entries with their
balance_after; update the cached balances. A refusal is returned as a status (the caller raises, which
rolls back its savepoint, so the inserted transaction row disappears with it).
"""

from django.db import migrations

SQL = r"""
CREATE FUNCTION cashier_post(p_key text, p_kind text, p_hash text, p_reference text, p_actor_id bigint,
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
        RETURN QUERY SELECT v_tx, CASE WHEN v_hash = p_hash THEN 'replay' ELSE 'conflict' END,
                            NULL::bigint, NULL::numeric, NULL::numeric;
        RETURN;
    END IF;
    SELECT count(DISTINCT x) INTO v_wanted FROM unnest(p_accounts) AS x;
    FOR r IN SELECT a.id, a.balance, a.credit_limit, a.currency FROM cashier_account a
             WHERE a.id = ANY(p_accounts) ORDER BY a.id FOR NO KEY UPDATE
    LOOP
        v_locked := v_locked + 1;
        IF EXISTS (SELECT 1 FROM unnest(p_accounts, p_currencies) AS u(acc, cur) WHERE u.acc = r.id
                   AND u.cur <> r.currency) THEN
            RETURN QUERY SELECT v_tx, 'currency', r.id, r.balance, r.credit_limit;
            RETURN;
        END IF;
        SELECT sum(u.amt) INTO v_delta FROM unnest(p_accounts, p_amounts) AS u(acc, amt) WHERE u.acc = r.id;
        IF r.credit_limit IS NOT NULL AND v_delta < 0 AND r.balance + v_delta < -r.credit_limit THEN
            RETURN QUERY SELECT v_tx, 'insufficient', r.id, r.balance, r.credit_limit;
            RETURN;
        END IF;
    END LOOP;
    IF v_locked <> v_wanted THEN
        RETURN QUERY SELECT v_tx, 'unknown_account', NULL::bigint, NULL::numeric, NULL::numeric;
        RETURN;
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

REVERSE = """DROP FUNCTION IF EXISTS cashier_post(text, text, text, text, bigint, text, jsonb, bigint, bigint[], numeric[],
text[], timestamptz);"""


class Migration(migrations.Migration):
    dependencies = [("cashier", "0005_gateway_secret_default")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
