"""Scoping rules of the games app (see backoffice.querysets for the mechanism).

Providers, games, jurisdictions and the lobby are operator reference data: agents do not see them.
Rounds and wallet transactions belong to a player, so an agent sees those of the players in its
sub-tree (read only).
"""

from backoffice.querysets import ScopedQuerySet
from players.querysets import PlayerOwnedQuerySet


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


class RoundQuerySet(PlayerOwnedQuerySet):
    pass


class WalletTransactionQuerySet(PlayerOwnedQuerySet):
    pass


class BonusWageringQuerySet(PlayerOwnedQuerySet):
    pass
