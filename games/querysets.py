"""Scoping rules of the games app (see backoffice.querysets for the mechanism).

Providers, games, jurisdictions and the lobby are operator reference data: agents do not see them.
Rounds and wallet transactions belong to a player, so an agent sees those of the players in its
sub-tree (read only).
"""

from django.db.models import Q

from backoffice.querysets import ScopedQuerySet


class ProviderQuerySet(ScopedQuerySet):
    pass


class GameQuerySet(ScopedQuerySet):
    def playable(self):
        return self.filter(is_active=True, provider__is_active=True)


class JurisdictionQuerySet(ScopedQuerySet):
    pass


class LobbyQuerySet(ScopedQuerySet):
    pass


class GameSessionQuerySet(ScopedQuerySet):
    pass


class _PlayerOwnedQuerySet(ScopedQuerySet):
    agent_actions = {"view": None}

    def agent_scope(self, agent, action):
        from players.models import Agent

        return Q(player__agent__in=Agent.objects.subtree_of(agent).values("pk"))


class RoundQuerySet(_PlayerOwnedQuerySet):
    pass


class WalletTransactionQuerySet(_PlayerOwnedQuerySet):
    pass


class BonusWageringQuerySet(_PlayerOwnedQuerySet):
    pass
