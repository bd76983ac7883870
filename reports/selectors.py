"""Reads for the dashboards. Every read goes through restrict().

Dashboards must stay fast on a million players: counts are bounded or estimated (``fast_count``) and
time filters are ranges on indexed timestamps, never ``__date`` casts.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from backoffice.models import AuditEvent
from backoffice.paginator import fast_count
from cashier.models import AttentionItem
from players.models import Agent, Player


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _kpi(label: str, queryset, hint: str) -> dict:
    value, estimate = fast_count(queryset)
    return {"label": label, "value": value, "estimate": estimate, "hint": hint}


def operator_dashboard(*, user) -> dict:
    """KPIs and recent activity for operator staff; each part only when the role may view it."""
    today = timezone.localdate()
    kpis, activity = [], None
    if Player.objects.can(user):
        players = Player.objects.restrict(user)
        kpis.append(_kpi("Players", players, "all accounts"))
        kpis.append(_kpi("Registrations today", players.filter(created_at__gte=_day_start(today)),
                         today.strftime("%d %b %Y")))
    if Agent.objects.can(user):
        kpis.append(_kpi("Agents", Agent.objects.restrict(user), "in the hierarchy"))
    if AuditEvent.objects.can(user):
        audit = AuditEvent.objects.restrict(user)
        kpis.append(_kpi("Audited actions today", audit.filter(created_at__gte=_day_start(today)),
                         "staff and integrations"))
        activity = list(audit.select_related("actor")[:12])
    chart = registrations_by_day(user=user) if Player.objects.can(user) else None
    return {"kpis": kpis, "activity": activity, "chart": chart, "attention": attention_alert(user=user)}


def attention_alert(*, user) -> dict | None:
    """The dashboard's alert while payments wait in the needs-attention queue: how many, and the queue's link.
    None when the queue is empty or the user may not see it."""
    if not AttentionItem.objects.can(user):
        return None
    open_items = AttentionItem.objects.restrict(user).filter(resolved_at__isnull=True)
    count = open_items.count()  # small by nature (the partial index on open items)
    if not count:
        return None
    oldest = open_items.order_by("opened_at").values_list("opened_at", flat=True).first()
    return {"count": count, "oldest": oldest, "url": reverse("cashier:attentionitem_list")}


def agent_dashboard(*, user, agent) -> dict:
    """The agent's own figures: players and sub-agents of its sub-tree only."""
    players = Player.objects.restrict(user)
    sub_agents = Agent.objects.restrict(user).exclude(pk=agent.pk)
    return {
        "kpis": [
            _kpi("Players", players, "in your sub-tree"),
            _kpi("Active players", players.filter(status="active"), "status active"),
            _kpi("Sub-agents", sub_agents, "below you"),
        ],
        "sub_agents": list(sub_agents.select_related("parent")[:10]),
        "recent_players": list(players.select_related("agent")[:10]),
        "chart": registrations_by_day(user=user),
    }


def registrations_by_day(*, user, days: int = 30) -> dict:
    """Chart data: registrations per day over the last ``days`` days (test accounts excluded)."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = (Player.objects.restrict(user).filter(created_at__gte=_day_start(start), is_test=False)
            .annotate(day=TruncDate("created_at")).values("day").annotate(n=Count("id")).order_by())
    counts = {r["day"]: r["n"] for r in rows}
    labels, data = [], []
    for i in range(days):
        day = start + timedelta(days=i)
        labels.append(day.strftime("%d %b"))
        data.append(counts.get(day, 0))
    return {"id": "chart-registrations", "type": "bar", "title": f"Registrations, last {days} days",
            "labels": labels, "datasets": [{"label": "Registrations", "data": data}]}
