-- rule: replay. A known transaction id with the same payload and player is answered with the
-- original transaction (games.services.wallet: _replay).
CREATE OR REPLACE FUNCTION games_wallet_replay(
    p_provider bigint, p_tx text, p_hash text, p_player bigint, p_currency text)
RETURNS TABLE(outcome text, player_id bigint, currency text, cash numeric, bonus numeric, tx_id bigint)
LANGUAGE sql
STABLE
AS $$
    -- A known transaction id: the same payload from the same player is a replay, answered with the original
    -- transaction and the current balances; anything else under that id is for the general path. No row:
    -- the id is new.
    SELECT CASE WHEN wt.request_hash = p_hash AND wt.player_id = p_player THEN 'replay' ELSE 'fallback' END,
           p_player, p_currency,
           (SELECT a.balance FROM cashier_account a WHERE a.player_id = p_player AND a.kind = 'player_cash'),
           COALESCE((SELECT a.balance FROM cashier_account a WHERE a.player_id = p_player
                     AND a.kind = 'player_bonus'), 0),
           wt.id
      FROM games_wallettransaction wt WHERE wt.provider_id = p_provider AND wt.tx_ref = p_tx
$$;
