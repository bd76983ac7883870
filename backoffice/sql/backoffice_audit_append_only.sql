-- The audit table refuses UPDATE and DELETE (trigger backoffice_auditevent_no_update_delete, backoffice/0002).
-- TRUNCATE is not trapped (test runners and flush use it); audit_verify still catches a truncated chain.
CREATE OR REPLACE FUNCTION backoffice_audit_append_only()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'backoffice_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
