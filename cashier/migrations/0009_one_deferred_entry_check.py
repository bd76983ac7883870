"""One deferred check per entry instead of a deferred check plus an immediate currency trigger.

The zero-sum check (per transaction and currency) and the entry-currency = account-currency check now run
in the same deferred constraint trigger at commit: one query per entry instead of two. ``cashier_post``
already refuses a currency mismatch before inserting; the trigger is the guard for any other writer.
"""

from django.db import migrations

SQL = r"""
DROP TRIGGER IF EXISTS cashier_entry_currency ON cashier_entry;
DROP FUNCTION IF EXISTS cashier_entry_check_currency();

CREATE OR REPLACE FUNCTION cashier_entry_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT e.currency, SUM(e.amount) AS total, bool_or(e.currency <> a.currency) AS wrong_currency INTO bad
      FROM cashier_entry e JOIN cashier_account a ON a.id = e.account_id
     WHERE e.transaction_id = NEW.transaction_id
     GROUP BY e.currency HAVING SUM(e.amount) <> 0 OR bool_or(e.currency <> a.currency) LIMIT 1;
    IF FOUND THEN
        IF bad.wrong_currency THEN
            RAISE EXCEPTION 'ledger transaction %: an entry in % differs from its account''s currency',
                NEW.transaction_id, bad.currency USING ERRCODE = '23514';
        END IF;
        RAISE EXCEPTION 'ledger transaction % does not balance in %: %', NEW.transaction_id, bad.currency, bad.total
            USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END $$;
"""

REVERSE = r"""
CREATE OR REPLACE FUNCTION cashier_entry_check_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.currency IS DISTINCT FROM (SELECT currency FROM cashier_account WHERE id = NEW.account_id) THEN
        RAISE EXCEPTION 'entry currency % differs from its account''s', NEW.currency USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER cashier_entry_currency BEFORE INSERT ON cashier_entry
    FOR EACH ROW EXECUTE FUNCTION cashier_entry_check_currency();
"""


class Migration(migrations.Migration):
    dependencies = [("cashier", "0008_fewer_indexes")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
