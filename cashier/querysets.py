"""Scoping rules of the cashier app (see backoffice.querysets for the mechanism).

Agents see the ledger rows and payments of the players in their sub-tree (read only,
``players.querysets.PlayerOwnedQuerySet``); system accounts and everything AML are invisible to them.
Operator staff need the model permission.
"""

from django.db.models import Q

from backoffice.querysets import ScopedQuerySet
from players.querysets import PlayerOwnedQuerySet, players_below


class AccountQuerySet(PlayerOwnedQuerySet):
    """System accounts (no player) are outside every agent's scope."""


class LedgerTransactionQuerySet(ScopedQuerySet):
    # A transaction is an agent's when one of its legs is; its other legs (house, clearing) stay hidden
    # because the entries are restricted on their own.
    agent_actions = {"view": None}

    def agent_scope(self, agent, action):
        # Imported here: cashier.models imports its querysets.
        from cashier.models import Entry  # noqa: PLC0415

        return Q(pk__in=Entry.objects.filter(players_below(agent, "account__player")).values("transaction_id"))


class EntryQuerySet(PlayerOwnedQuerySet):
    player_lookup = "account__player"


class PaymentGatewayQuerySet(ScopedQuerySet):
    """Reference data: operator staff only."""


class PaymentMethodQuerySet(ScopedQuerySet):
    pass


class WebhookEventQuerySet(ScopedQuerySet):
    pass


class DepositQuerySet(PlayerOwnedQuerySet):
    pass


class WithdrawalQuerySet(PlayerOwnedQuerySet):
    pass


class AttentionItemQuerySet(ScopedQuerySet):
    """The needs-attention queue: operator staff with the permission only, never agents."""


class AdjustmentQuerySet(ScopedQuerySet):
    """Manual adjustments as requested (a reason staff typed): operator staff only, never agents."""


class AdjustmentPolicyQuerySet(ScopedQuerySet):
    pass


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


class AmlCaseNoteQuerySet(ScopedQuerySet):
    """AML data: operator staff only, never agents (tipping off)."""


class FxRateQuerySet(ScopedQuerySet):
    pass


class ReconciliationRunQuerySet(ScopedQuerySet):
    pass
