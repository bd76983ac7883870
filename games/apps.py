from django.apps import AppConfig


class GamesConfig(AppConfig):
    name = "games"
    verbose_name = "Games"

    def ready(self):
        from games import hooks, signals  # noqa: F401  (signals: lobby cache invalidation)

        hooks.register()
