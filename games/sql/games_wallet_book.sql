-- The wallet's fast path posts a bet, win or rollback to the ledger through cashier_post(), against a random
-- house shard (cashier.services.ledger.system_shards).
CREATE OR REPLACE FUNCTION games_wallet_book(
    p_kind text, p_player bigint, p_key text, p_reference text, p_integration text, p_currency text, p_shards
    integer, p_cash_acc bigint, p_cash numeric, p_bonus_acc bigint, p_bonus numeric, p_house numeric, p_now
    timestamp with time zone)
RETURNS bigint
LANGUAGE plpgsql
AS $$
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
