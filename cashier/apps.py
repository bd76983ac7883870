from django.apps import AppConfig


class CashierConfig(AppConfig):
    name = "cashier"
    verbose_name = "Cashier"
    demo = "cashier.demo"  # seed(stdout) -> [(login, description)], run by seed_demo

    def ready(self):
        from django.db.models.signals import post_migrate

        from cashier.services.ledger import system_accounts_cache_clear

        post_migrate.connect(system_accounts_cache_clear, dispatch_uid="cashier_system_accounts_cache_clear")
