"""The deferred zero-sum/currency check: one plain aggregate for a one-currency transaction.

Still a DEFERRABLE INITIALLY DEFERRED constraint trigger on every inserted entry, once per ledger transaction
(0011's ``cashier.balanced_upto`` marker), same messages, same SQLSTATE. 0011 grouped the transaction's
entries by currency and picked the first offending currency with three ordered ``array_agg``s (a sort
each). Every posting but an FX one has one currency: one aggregate over the transaction's entries (sum, id,
lowest and highest currency, any entry in another currency than its account) decides it. A transaction in
several currencies (lowest <> highest) is judged per currency by two more queries, which also name the
offending currency (the first in code order, as 0011 did).
"""

from importlib import import_module

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION cashier_entry_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""

# Reversing restores the previous body: 0011_deferred_check_once_per_transaction's own SQL (not a copy of it).
REVERSE = import_module("cashier.migrations.0011_deferred_check_once_per_transaction").SQL


class Migration(migrations.Migration):
    dependencies = [("cashier", "0014_cashier_post_plain_plans")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
