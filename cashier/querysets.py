"""Scoping rules of the cashier app (see backoffice.querysets for the mechanism).

Agents see the ledger rows of the players in their sub-tree (read only); system accounts are invisible
to them. Operator staff need the model permission.
"""

from django.db.models import Q

from backoffice.querysets import ScopedQuerySet


def _players_below(agent):
    from players.models import Agent

    return Agent.objects.subtree_of(agent).values("pk")


class AccountQuerySet(ScopedQuerySet):
    agent_actions = {"view": None}

    def agent_scope(self, agent, action):
        return Q(player__agent__in=_players_below(agent))


class LedgerTransactionQuerySet(ScopedQuerySet):
    agent_actions = {"view": None}

    def agent_scope(self, agent, action):
        from cashier.models import Entry

        return Q(pk__in=Entry.objects.filter(account__player__agent__in=_players_below(agent))
                 .values("transaction_id"))


class EntryQuerySet(ScopedQuerySet):
    agent_actions = {"view": None}

    def agent_scope(self, agent, action):
        return Q(account__player__agent__in=_players_below(agent))
