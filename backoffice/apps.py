from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "backoffice"
    verbose_name = "Back office"

    def ready(self):
        from django.db.models.signals import post_migrate

        from backoffice import demo, signals, sqlfunctions

        demo.demo_seed.register(demo.seed)
        post_migrate.connect(signals.sync_roles_after_migrate, dispatch_uid="backoffice.roles_sync")
        post_migrate.connect(sqlfunctions.sync_after_migrate, dispatch_uid="backoffice.sql_functions_sync")
