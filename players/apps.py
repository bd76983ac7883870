from django.apps import AppConfig


class PlayersConfig(AppConfig):
    name = "players"
    verbose_name = "Players"

    def ready(self):
        from backoffice.demo import demo_seed
        from backoffice.kinds import kind_labels_register
        from players import demo
        from players.choices import TIMELINE_KIND_LABELS

        demo_seed.register(demo.seed)
        kind_labels_register(TIMELINE_KIND_LABELS)
