"""The audit table refuses UPDATE and DELETE (backoffice/sql/backoffice_audit_append_only.sql); the operator role groups are created.

TRUNCATE is not trapped here (test runners and ``flush`` use it); a truncated log is still caught by
``audit_verify``, because the chain head records how long the chain was. In production the application's
database role should not own the table, so it has no TRUNCATE privilege at all (docs/operations.md).
"""

from django.db import migrations

from backoffice.sqlfunctions import InstallSQLFunctions

TRIGGER = """
CREATE TRIGGER backoffice_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON backoffice_auditevent
    FOR EACH ROW EXECUTE FUNCTION backoffice_audit_append_only();
"""

DROP = "DROP TRIGGER IF EXISTS backoffice_auditevent_no_update_delete ON backoffice_auditevent;"


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
        InstallSQLFunctions("backoffice"),  # backoffice/sql/: backoffice_audit_append_only
        migrations.RunSQL(TRIGGER, DROP),
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
