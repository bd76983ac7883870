-- An account's currency, kind and owner never change (trigger cashier_account_identity, cashier/0002).
CREATE OR REPLACE FUNCTION cashier_account_currency_fixed()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.currency <> OLD.currency OR NEW.kind <> OLD.kind OR NEW.player_id IS DISTINCT FROM OLD.player_id THEN
        RAISE EXCEPTION 'an account''s currency, kind and owner never change' USING ERRCODE = '23514';
    END IF;
    RETURN NEW;
END $$;
