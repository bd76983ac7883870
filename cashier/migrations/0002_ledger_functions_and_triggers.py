"""The ledger's functions (cashier/sql/) and the database-side ledger rules that call them.

Zero-sum per transaction and currency and entry currency = account currency (one deferred constraint trigger,
``cashier_entry_check_balanced``); ledger rows append-only; an account's currency, kind and owner fixed. The
posting function ``cashier_post`` is installed here too.
"""

from django.db import migrations

from backoffice.sqlfunctions import InstallSQLFunctions

TRIGGERS = r"""
CREATE CONSTRAINT TRIGGER cashier_entry_balanced
    AFTER INSERT ON cashier_entry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION cashier_entry_check_balanced();
CREATE TRIGGER cashier_entry_append_only BEFORE UPDATE OR DELETE ON cashier_entry
    FOR EACH ROW EXECUTE FUNCTION cashier_append_only();
CREATE TRIGGER cashier_ledgertransaction_append_only BEFORE UPDATE OR DELETE ON cashier_ledgertransaction
    FOR EACH ROW EXECUTE FUNCTION cashier_append_only();
CREATE TRIGGER cashier_account_identity BEFORE UPDATE OF currency, kind, player_id ON cashier_account
    FOR EACH ROW EXECUTE FUNCTION cashier_account_currency_fixed();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS cashier_account_identity ON cashier_account;
DROP TRIGGER IF EXISTS cashier_ledgertransaction_append_only ON cashier_ledgertransaction;
DROP TRIGGER IF EXISTS cashier_entry_append_only ON cashier_entry;
DROP TRIGGER IF EXISTS cashier_entry_balanced ON cashier_entry;
"""


class Migration(migrations.Migration):
    dependencies = [("cashier", "0001_initial")]

    operations = [InstallSQLFunctions("cashier"), migrations.RunSQL(TRIGGERS, REVERSE)]
