-- The ledger's payload hash (cashier.services.ledger._payload_hash) for the wallet's fast path; a test holds
-- the two equal (tests/games/test_wallet_fast_path.py::test_sql_payload_hash_is_the_ledgers).
CREATE OR REPLACE FUNCTION games_ledger_payload_hash(p_kind text, p_keys text[], p_amounts numeric[])
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
AS $$
-- The ledger's payload hash (cashier.services.ledger._payload_hash): sha256 of
-- [kind, [[logical account, total without trailing zeros], ...sorted by account]] as compact JSON, zero totals
-- left out. Expressions only, no query (a query per call cost ~0.1 ms): equal keys are merged and the few
-- lines insertion-sorted in arrays.
DECLARE
    keys text[] := '{}';
    totals numeric[] := '{}';
    k text;
    t numeric;
    i int;
    j int;
    n int := 0;
    body text := '';
BEGIN
    FOR i IN 1 .. coalesce(cardinality(p_keys), 0) LOOP
        j := array_position(keys, p_keys[i]);
        IF j IS NULL THEN
            n := n + 1; keys[n] := p_keys[i]; totals[n] := p_amounts[i];
        ELSE
            totals[j] := totals[j] + p_amounts[i];
        END IF;
    END LOOP;
    FOR i IN 2 .. n LOOP
        k := keys[i]; t := totals[i]; j := i - 1;
        WHILE j >= 1 AND keys[j] COLLATE "C" > k COLLATE "C" LOOP
            keys[j + 1] := keys[j]; totals[j + 1] := totals[j]; j := j - 1;
        END LOOP;
        keys[j + 1] := k; totals[j + 1] := t;
    END LOOP;
    FOR i IN 1 .. n LOOP
        IF totals[i] <> 0 THEN
            body := body || CASE WHEN body = '' THEN '' ELSE ',' END
                    || '["' || keys[i] || '","' || trim_scale(totals[i])::text || '"]';
        END IF;
    END LOOP;
    RETURN encode(sha256(convert_to('["' || p_kind || '",[' || body || ']]', 'UTF8')), 'hex');
END $$;
