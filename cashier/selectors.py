"""Reads of the cashier app; each takes the user and goes through ``restrict()``."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from backoffice.querysets import is_operator_staff
from cashier.choices import PLAYER_KINDS
from cashier.constants import METADATA_FOR_AGENTS
from cashier.models import Account, Entry
from cashier.services.fx import to_base


def liability_get(*, user, at: datetime | None = None, include_test: bool = False) -> list[dict]:
    """Operator liability: the sum of player balances per currency and account kind, now or at ``at``.

    Now: the cached balances (one aggregate over accounts). At a past moment: each account's last entry at
    or before ``at`` (its ``balance_after``), found through the (account, created_at) index.
    """
    accounts = Account.objects.restrict(user, "view").filter(player__isnull=False, kind__in=PLAYER_KINDS)
    if not include_test:
        accounts = accounts.filter(player__is_test=False)
    rows: dict[str, dict] = defaultdict(lambda: {k: Decimal(0) for k in PLAYER_KINDS} | {"accounts": 0})
    if at is None or at >= timezone.now():
        data = accounts.values_list("currency", "kind", "balance")
        for currency, kind, balance in data.iterator(chunk_size=5000):
            rows[currency][kind] += balance
            rows[currency]["accounts"] += 1
    else:
        last = (Entry.objects.filter(account=OuterRef("pk"), created_at__lte=at)
                .order_by("-created_at", "-id").values("balance_after")[:1])
        data = accounts.annotate(at_balance=Subquery(last)).filter(at_balance__isnull=False)
        for currency, kind, balance in data.values_list("currency", "kind", "at_balance").iterator(chunk_size=5000):
            rows[currency][kind] += balance
            rows[currency]["accounts"] += 1

    result = []
    for currency in sorted(rows):
        r = rows[currency]
        total = r["player_cash"] + r["player_bonus"]
        result.append({"currency": currency, "cash": r["player_cash"], "bonus": r["player_bonus"],
                       "credit": r["player_credit"], "accounts": r["accounts"], "total": total,
                       "base": to_base(total, currency, at)})
    return result


def player_entries(*, user, player, limit: int = 10):
    return (Entry.objects.restrict(user, "view").filter(account__player_id=player.pk)
            .select_related("transaction", "account", "transaction__actor").order_by("-id")[:limit])


def withdrawal_hold_reasons(*, user, withdrawal) -> list[str]:
    """The reasons ``withdrawal`` was held for review that ``user`` may read: operator staff only (see
    ``cashier.constants``)."""
    return list(withdrawal.hold_reasons or []) if is_operator_staff(user) else []


def ledger_transaction_metadata(*, user, transaction) -> dict:
    """What ``user`` may read of a posting's metadata: all for operator staff, the listed keys for agents."""
    metadata = dict(transaction.metadata or {})
    return metadata if is_operator_staff(user) else {k: v for k, v in metadata.items() if k in METADATA_FOR_AGENTS}
