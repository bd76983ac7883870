"""What the limits tab shows to a user (a selector)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from players.models import RgExclusion, RgLimit
from players.services.rg.checks import WINDOWS, active_exclusions, limit_states


def rg_overview(*, player, user, at: datetime | None = None) -> dict:
    """What the limits tab shows to ``user`` (selector): limits with usage and pending increases, when it may
    view limits, and the exclusions in force, when it may view exclusions (None for what it may not view)."""
    at = at or timezone.now()
    overview = {"limits": None, "states": None, "pending": None, "active_exclusions": None,
                "profile": player.rg_profile, "at": at}
    if RgLimit.objects.can(user, "view"):
        rows = list(RgLimit.objects.restrict(user, "view").filter(player=player))
        states = {(s.kind, s.period): s for s in limit_states(player.pk, at)}
        overview.update(limits=rows,
                        states=sorted(states.values(), key=lambda s: (s.kind, list(WINDOWS).index(s.period))),
                        pending=[r for r in rows if r.has_pending and not r.pending_matured(at)])
    if RgExclusion.objects.can(user, "view"):
        overview["active_exclusions"] = active_exclusions(player.pk, at)
    return overview
