from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Back office"
    demo = "backoffice.demo"  # seed(stdout) -> [(login, description)], run by seed_demo

    def ready(self):
        from django.db.models.signals import post_migrate

        from backoffice import signals, sqlfunctions

        post_migrate.connect(signals.sync_roles_after_migrate, dispatch_uid="backoffice.roles_sync")
        post_migrate.connect(sqlfunctions.sync_after_migrate, dispatch_uid="backoffice.sql_functions_sync")
