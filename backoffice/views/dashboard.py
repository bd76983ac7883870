"""Home: the operator dashboard, or the agent's restricted dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.utils import timezone

from backoffice.models import AuditEvent
from backoffice.querysets import agent_for_user
from backoffice.selectors import registrations_by_day
from players.choices import AgentFlag
from players.models import Agent, Player
from players.services import agent_flags_get


@login_required
def home(request):
    user = request.user
    agent = agent_for_user(user)
    if agent is not None:
        return agent_dashboard(request, agent)
    today = timezone.localdate()
    players = Player.objects.restrict(user)
    kpis = []
    if Player.objects.can(user):
        kpis += [
            {"label": "Players", "value": players.count(), "hint": "all accounts"},
            {"label": "Registrations today", "value": players.filter(created_at__date=today).count(),
             "hint": today.strftime("%d %b %Y")},
        ]
    if Agent.objects.can(user):
        kpis.append({"label": "Agents", "value": Agent.objects.restrict(user).count(), "hint": "in the hierarchy"})
    activity = None
    if AuditEvent.objects.can(user):
        audit = AuditEvent.objects.restrict(user)
        kpis.append({"label": "Audited actions today", "value": audit.filter(created_at__date=today).count(),
                     "hint": "staff and integrations"})
        activity = list(audit.select_related("actor")[:12])
    chart = registrations_by_day(user=user) if Player.objects.can(user) else None
    return TemplateResponse(request, "dashboard/home.html", {"title": "Dashboard", "kpis": kpis,
                                                            "activity": activity, "chart": chart})


def agent_dashboard(request, agent):
    user = request.user
    players = Player.objects.restrict(user)
    sub_agents = Agent.objects.restrict(user).exclude(pk=agent.pk)
    context = {
        "title": "Agent dashboard",
        "agent": agent,
        "flags": [AgentFlag(f).label for f in agent_flags_get(agent=agent)],
        "kpis": [
            {"label": "Players", "value": players.count(), "hint": "in your sub-tree"},
            {"label": "Active players", "value": players.filter(status="active").count(), "hint": "status active"},
            {"label": "Sub-agents", "value": sub_agents.count(), "hint": "below you"},
        ],
        "sub_agents": list(sub_agents.select_related("parent")[:10]),
        "recent_players": list(players.select_related("agent")[:10]),
        "chart": registrations_by_day(user=user),
    }
    return TemplateResponse(request, "dashboard/agent.html", context)
