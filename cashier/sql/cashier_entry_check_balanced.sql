-- The deferred zero-sum and entry-currency check (constraint trigger cashier_entry_balanced, DEFERRABLE
-- INITIALLY DEFERRED, cashier/0002): each ledger transaction balances per currency, and each entry is in its
-- account's currency. SQLSTATE 23514.
-- - Once per ledger transaction: the first queued entry checks them all and notes
--   '<transaction id>:<highest entry id seen>' in the transaction-local setting cashier.balanced_upto; the
--   others return at once. An entry added after that check has a higher id and is checked again.
-- - A one-currency transaction (every posting but FX) is decided by one aggregate; several currencies are
--   judged per currency by two more queries, which name the first offending currency in code order.
-- - The account's currency is read by primary-key lookup (a join's plan depended on statistics).
-- - force_generic_plan + enable_seqscan = off: planned once per connection, an index plan whatever the
--   statistics (replanning at every commit cost ~0.14 ms per posting: docs/performance.md).
CREATE OR REPLACE FUNCTION cashier_entry_check_balanced()
RETURNS trigger
LANGUAGE plpgsql
SET plan_cache_mode TO 'force_generic_plan'
SET enable_seqscan TO 'off'
AS $$
DECLARE
    v_seen text := current_setting('cashier.balanced_upto', true);
    v_upto bigint;
    v_cur_min text;
    v_cur_max text;
    v_total numeric;
    v_wrong boolean;
    v_wrong_currency text;
    v_unbalanced text;
BEGIN
    IF v_seen LIKE NEW.transaction_id || ':%'
       AND NEW.id <= substr(v_seen, length(NEW.transaction_id::text) + 2)::bigint THEN
        RETURN NULL;  -- already checked with every entry of this transaction up to this one
    END IF;
    SELECT max(e.id), min(e.currency), max(e.currency), sum(e.amount),
           bool_or(e.currency <> (SELECT a.currency FROM cashier_account a WHERE a.id = e.account_id))
      INTO v_upto, v_cur_min, v_cur_max, v_total, v_wrong
      FROM cashier_entry e
     WHERE e.transaction_id = NEW.transaction_id;
    IF v_cur_min = v_cur_max THEN  -- one currency (every posting but FX): the totals above are its totals
        v_wrong_currency := CASE WHEN v_wrong THEN v_cur_min END;
        v_unbalanced := CASE WHEN v_total <> 0 THEN v_cur_min END;
    ELSE  -- several currencies (FX): the first offending currency in code order, for the message
        SELECT e.currency INTO v_wrong_currency
          FROM cashier_entry e
         WHERE e.transaction_id = NEW.transaction_id
           AND e.currency <> (SELECT a.currency FROM cashier_account a WHERE a.id = e.account_id)
         ORDER BY e.currency LIMIT 1;
        SELECT e.currency, sum(e.amount) INTO v_unbalanced, v_total
          FROM cashier_entry e
         WHERE e.transaction_id = NEW.transaction_id
         GROUP BY e.currency HAVING sum(e.amount) <> 0
         ORDER BY e.currency LIMIT 1;
    END IF;
    IF v_wrong_currency IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction %: an entry in % differs from its account''s currency',
            NEW.transaction_id, v_wrong_currency USING ERRCODE = '23514';
    END IF;
    IF v_unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance in %: %', NEW.transaction_id, v_unbalanced, v_total
            USING ERRCODE = '23514';
    END IF;
    PERFORM set_config('cashier.balanced_upto', NEW.transaction_id || ':' || v_upto, true);
    RETURN NULL;
END $$;
