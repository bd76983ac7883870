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


class PaymentGatewayQuerySet(ScopedQuerySet):
    """Reference data: operator staff only."""


class PaymentMethodQuerySet(ScopedQuerySet):
    pass


class WebhookEventQuerySet(ScopedQuerySet):
    pass


class DepositQuerySet(ScopedQuerySet):
    agent_actions = {"view": None}

    def agent_scope(self, agent, action):
        return Q(player__agent__in=_players_below(agent))


class WithdrawalQuerySet(ScopedQuerySet):
    agent_actions = {"view": None}

    def agent_scope(self, agent, action):
        return Q(player__agent__in=_players_below(agent))


class WithdrawalPolicyQuerySet(ScopedQuerySet):
    pass


class AutoApprovalRuleQuerySet(ScopedQuerySet):
    pass


class AmlThresholdQuerySet(ScopedQuerySet):
    pass


class AmlCaseQuerySet(ScopedQuerySet):
    pass


class AmlFlagQuerySet(ScopedQuerySet):
    pass


class FxRateQuerySet(ScopedQuerySet):
    pass


class ReconciliationRunQuerySet(ScopedQuerySet):
    pass
