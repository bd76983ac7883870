-- The fast path's lock: the player's cash and bonus accounts in id order (cashier.services.accounts_lock).
CREATE OR REPLACE FUNCTION games_wallet_lock(
    p_player bigint, OUT cash_acc bigint, OUT cash numeric, OUT bonus_acc bigint, OUT bonus numeric)
RETURNS record
LANGUAGE plpgsql
AS $$
-- cashier.services.accounts_lock for the wallet: the player's cash and bonus accounts FOR NO KEY UPDATE in id
-- order, with their balances. Most players have no bonus account until a bonus is granted: bonus 0, no id.
DECLARE
    acc record;
BEGIN
    bonus := 0;
    FOR acc IN SELECT a.id, a.kind, a.balance FROM cashier_account a
                WHERE a.player_id = p_player AND a.kind IN ('player_cash', 'player_bonus')
                ORDER BY a.id FOR NO KEY UPDATE
    LOOP
        IF acc.kind = 'player_cash' THEN
            cash_acc := acc.id; cash := acc.balance;
        ELSE
            bonus_acc := acc.id; bonus := acc.balance;
        END IF;
    END LOOP;
END $$;
