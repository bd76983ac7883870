"""Database-side ledger rules: zero-sum per transaction and currency (deferred), entry currency, append-only."""

from django.db import migrations

SQL = r"""
CREATE FUNCTION cashier_entry_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- Runs at commit (deferred), once per inserted entry; the check is per transaction and currency.
    SELECT e.currency, SUM(e.amount) AS total INTO bad
      FROM cashier_entry e WHERE e.transaction_id = NEW.transaction_id
     GROUP BY e.currency HAVING SUM(e.amount) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % does not balance in %: %', NEW.transaction_id, bad.currency, bad.total
            USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER cashier_entry_balanced
    AFTER INSERT ON cashier_entry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cashier_entry_check_balanced();

CREATE FUNCTION cashier_entry_check_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.currency IS DISTINCT FROM (SELECT currency FROM cashier_account WHERE id = NEW.account_id) THEN
        RAISE EXCEPTION 'entry currency % differs from its account''s', NEW.currency USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cashier_entry_currency BEFORE INSERT ON cashier_entry
    FOR EACH ROW EXECUTE FUNCTION cashier_entry_check_currency();

CREATE FUNCTION cashier_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: post a reversing transaction instead', TG_TABLE_NAME
        USING ERRCODE = '23514';
END $$;

CREATE TRIGGER cashier_entry_append_only BEFORE UPDATE OR DELETE ON cashier_entry
    FOR EACH ROW EXECUTE FUNCTION cashier_append_only();
CREATE TRIGGER cashier_ledgertransaction_append_only BEFORE UPDATE OR DELETE ON cashier_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION cashier_append_only();

CREATE FUNCTION cashier_account_currency_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.currency <> OLD.currency OR NEW.kind <> OLD.kind OR NEW.player_id IS DISTINCT FROM OLD.player_id THEN
        RAISE EXCEPTION 'an account''s currency, kind and owner never change' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER cashier_account_identity BEFORE UPDATE OF currency, kind, player_id ON cashier_account
    FOR EACH ROW EXECUTE FUNCTION cashier_account_currency_fixed();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS cashier_account_identity ON cashier_account;
DROP TRIGGER IF EXISTS cashier_ledgertransaction_append_only ON cashier_ledgertransaction;
DROP TRIGGER IF EXISTS cashier_entry_append_only ON cashier_entry;
DROP TRIGGER IF EXISTS cashier_entry_currency ON cashier_entry;
DROP TRIGGER IF EXISTS cashier_entry_balanced ON cashier_entry;
DROP FUNCTION IF EXISTS cashier_account_currency_fixed();
DROP FUNCTION IF EXISTS cashier_append_only();
DROP FUNCTION IF EXISTS cashier_entry_check_currency();
DROP FUNCTION IF EXISTS cashier_entry_check_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [("cashier", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
