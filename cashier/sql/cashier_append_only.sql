-- Ledger rows are append-only: corrections are reversing transactions (triggers cashier_entry_append_only,
-- cashier_ledgertransaction_append_only, cashier/0002).
CREATE OR REPLACE FUNCTION cashier_append_only()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: post a reversing transaction instead', TG_TABLE_NAME
        USING ERRCODE = '23514';
END $$;
