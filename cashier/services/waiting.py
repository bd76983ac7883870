"""Deadlines of payments that wait on their gateway, and the end of a wait.

A pending deposit and a sent payout wait for the gateway's webhook. Each gets ``answer_due_at`` when the wait
starts (``answer_due``); the sweep in :mod:`cashier.services.gateway_status` asks the gateway about the rows past
it. Whatever settles the row (the webhook, a status query, staff) calls :func:`wait_end` in its transaction: the
deadline goes and an open needs-attention item closes with how it was settled.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from backoffice.services import audit_record
from cashier.models import AttentionItem, Deposit, Withdrawal


def answer_due(kind: str, *, now: dt.datetime | None = None) -> dt.datetime:
    """When the gateway's answer about a ``"deposit"`` or a ``"payout"`` handed over at ``now`` is overdue."""
    minutes = settings.CASHIER_PAYOUT_ANSWER_MINUTES if kind == "payout" else settings.CASHIER_DEPOSIT_ANSWER_MINUTES
    return (now or timezone.now()) + dt.timedelta(minutes=minutes)


def wait_end(obj: Deposit | Withdrawal, *, resolution: str, actor=None, integration: str = "") -> list[str]:
    """``obj`` no longer waits on its gateway: clear its deadline (the caller saves the returned fields) and
    close its open needs-attention item, if any, as settled by ``resolution``."""
    obj.answer_due_at = None
    subject = {"deposit_id" if isinstance(obj, Deposit) else "withdrawal_id": obj.pk}
    for item in AttentionItem.objects.select_for_update(no_key=True).filter(resolved_at__isnull=True, **subject):
        item.resolved_at, item.resolution = timezone.now(), resolution[:300]
        item.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
        item.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        audit_record(actor=actor, integration=integration, action="cashier.attention_close", target=item,
                     before={"open": True}, after={"open": False, "resolution": item.resolution})
    return ["answer_due_at"]
