"""The audit table refuses UPDATE and DELETE; the operator role groups are created.

TRUNCATE is not trapped here (test runners and ``flush`` use it); a truncated log is still caught by
``audit_verify``, because the chain head records how long the chain was. In production the application's
database role should not own the table, so it has no TRUNCATE privilege at all (docs/operations.md).
"""

from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION backoffice_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'backoffice_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER backoffice_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON backoffice_auditevent
    FOR EACH ROW EXECUTE FUNCTION backoffice_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS backoffice_auditevent_no_update_delete ON backoffice_auditevent;
DROP FUNCTION IF EXISTS backoffice_audit_append_only();
"""


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from backoffice.roles import roles_sync

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("players", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
