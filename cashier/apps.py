from django.apps import AppConfig


class CashierConfig(AppConfig):
    name = "cashier"
    verbose_name = "Cashier"

    def ready(self):
        from django.db.models.signals import post_migrate

        from backoffice.demo import demo_seed
        from backoffice.kinds import kind_labels_register
        from cashier import demo
        from cashier.choices import TIMELINE_KIND_LABELS, TransactionKind
        from cashier.services.ledger import system_accounts_cache_clear

        demo_seed.register(demo.seed)
        kind_labels_register(TransactionKind.choices)
        kind_labels_register(TIMELINE_KIND_LABELS)
        post_migrate.connect(system_accounts_cache_clear, dispatch_uid="cashier_system_accounts_cache_clear")
