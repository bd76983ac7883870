"""The deferred zero-sum/currency check: once per ledger transaction, and a plan that needs no statistics.

Still a DEFERRABLE INITIALLY DEFERRED constraint trigger on every inserted entry (0002/0009), same
messages, same SQLSTATE. Two changes:

* The account's currency is read by a correlated primary-key lookup instead of a join. The join's plan
  depended on the statistics: on a freshly loaded or not yet analyzed table the planner hashed the whole
  account table for every entry (measured: the commit of one posting 0.8-1.6 ms instead of 0.3-0.4 ms).
* The first entry of a transaction to be checked checks all of the transaction's entries and notes
  ``<transaction id>:<highest entry id seen>`` in a transaction-local setting
  (``cashier.balanced_upto``); the transaction's other queued entries (ids up to that one) return at once.
  An entry added to the transaction after that check (``SET CONSTRAINTS ... IMMEDIATE`` then more
  inserts) has a higher id from the sequence and is checked again with everything before it. The
  setting is transaction-local and rolled back with a savepoint, like the checks it stands for.
"""

from importlib import import_module

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION cashier_entry_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_seen text := current_setting('cashier.balanced_upto', true);
    r record;
BEGIN
    IF v_seen LIKE NEW.transaction_id || ':%'
       AND NEW.id <= substr(v_seen, length(NEW.transaction_id::text) + 2)::bigint THEN
        RETURN NULL;  -- already checked with every entry of this transaction up to this one
    END IF;
    SELECT max(s.upto) AS upto,
           (array_agg(s.currency ORDER BY s.currency) FILTER (WHERE s.wrong))[1] AS wrong_currency,
           (array_agg(s.currency ORDER BY s.currency) FILTER (WHERE s.total <> 0))[1] AS unbalanced,
           (array_agg(s.total ORDER BY s.currency) FILTER (WHERE s.total <> 0))[1] AS total
      INTO r
      FROM (SELECT e.currency, sum(e.amount) AS total, max(e.id) AS upto,
                   bool_or(e.currency <> (SELECT a.currency FROM cashier_account a WHERE a.id = e.account_id)) AS wrong
              FROM cashier_entry e
             WHERE e.transaction_id = NEW.transaction_id
             GROUP BY e.currency) s;
    IF r.wrong_currency IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction %: an entry in % differs from its account''s currency',
            NEW.transaction_id, r.wrong_currency USING ERRCODE = '23514';
    END IF;
    IF r.unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance in %: %', NEW.transaction_id, r.unbalanced, r.total
            USING ERRCODE = '23514';
    END IF;
    PERFORM set_config('cashier.balanced_upto', NEW.transaction_id || ':' || r.upto, true);
    RETURN NULL;
END $$;
"""

# Reversing restores the previous body: 0009_one_deferred_entry_check's own SQL (not a copy of it).
REVERSE = import_module("cashier.migrations.0009_one_deferred_entry_check").SQL


class Migration(migrations.Migration):
    dependencies = [("cashier", "0010_cashier_post_set_based")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
