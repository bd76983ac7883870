from django.apps import AppConfig


class GamesConfig(AppConfig):
    name = "games"
    verbose_name = "Games"

    def ready(self):
        from backoffice.demo import demo_seed
        from games import demo, hooks, signals  # noqa: F401  (signals: lobby cache invalidation)

        demo_seed.register(demo.seed)
        hooks.register()
