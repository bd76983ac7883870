"""Cache plumbing only: any change to what the lobby shows invalidates every cached lobby on commit."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from games import api
from games.models import Game, Jurisdiction, LobbyCategory, LobbyPlacement, Provider
from games.services import lobby_cache_invalidate


def _invalidate(**kwargs):
    transaction.on_commit(lobby_cache_invalidate)


for _model in (Game, Jurisdiction, LobbyCategory, LobbyPlacement, Provider):
    post_save.connect(_invalidate, sender=_model, dispatch_uid=f"lobby-save-{_model.__name__}")
    post_delete.connect(_invalidate, sender=_model, dispatch_uid=f"lobby-delete-{_model.__name__}")


@receiver(post_save, sender=Provider, dispatch_uid="wallet-provider-cache")
def _provider_changed(**kwargs):
    api._PROVIDERS.clear()  # this process at once; other processes within api.PROVIDER_CACHE_SECONDS


@receiver(m2m_changed, sender=Game.jurisdictions.through, dispatch_uid="lobby-game-jurisdictions")
def _jurisdictions_changed(**kwargs):
    _invalidate()
