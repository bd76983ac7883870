from django.apps import AppConfig


class GamesConfig(AppConfig):
    name = "games"
    verbose_name = "Games"
    demo = "games.demo"  # seed(stdout) -> [(login, description)], run by seed_demo

    def ready(self):
        from games import hooks, signals  # noqa: F401  (signals: lobby cache invalidation)

        hooks.register()
