from django.apps import AppConfig


class CashierConfig(AppConfig):
    name = "cashier"
    verbose_name = "Cashier"

    def ready(self):
        from django.db.models.signals import post_migrate

        from backoffice.demo import demo_seed
        from cashier import demo
        from cashier.services.ledger import system_accounts_cache_clear

        demo_seed.register(demo.seed)
        post_migrate.connect(system_accounts_cache_clear, dispatch_uid="cashier_system_accounts_cache_clear")
