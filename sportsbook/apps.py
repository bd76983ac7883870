from django.apps import AppConfig


class SportsbookConfig(AppConfig):
    name = "sportsbook"
    verbose_name = "Sportsbook"
