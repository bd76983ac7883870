from django.apps import AppConfig


class GamesConfig(AppConfig):
    name = "games"
    verbose_name = "Games"

    def ready(self):
        from backoffice.demo import demo_seed
        from backoffice.kinds import kind_labels_register
        from games import demo, hooks, signals  # noqa: F401  (signals: lobby cache invalidation)
        from games.choices import KIND_LABELS

        demo_seed.register(demo.seed)
        kind_labels_register(KIND_LABELS)
        hooks.register()
