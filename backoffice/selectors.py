"""Reads for the console's own pages (dashboard). Every read goes through restrict()."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from players.models import Player


def registrations_by_day(*, user, days: int = 30) -> dict:
    """Chart data: registrations per day over the last ``days`` days (test accounts excluded)."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = (Player.objects.restrict(user).filter(created_at__date__gte=start, is_test=False)
            .annotate(day=TruncDate("created_at")).values("day").annotate(n=Count("id")).order_by())
    counts = {r["day"]: r["n"] for r in rows}
    labels, data = [], []
    for i in range(days):
        day = start + timedelta(days=i)
        labels.append(day.strftime("%d %b"))
        data.append(counts.get(day, 0))
    return {"id": "chart-registrations", "type": "bar", "title": f"Registrations, last {days} days",
            "labels": labels, "datasets": [{"label": "Registrations", "data": data}]}
