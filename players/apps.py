from django.apps import AppConfig


class PlayersConfig(AppConfig):
    name = "players"
    verbose_name = "Players"

    def ready(self):
        from backoffice.demo import demo_seed
        from players import demo

        demo_seed.register(demo.seed)
