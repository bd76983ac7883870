from django.apps import AppConfig


class PlayersConfig(AppConfig):
    name = "players"
    verbose_name = "Players"
    demo = "players.demo"  # seed(stdout) -> [(login, description)], run by seed_demo
