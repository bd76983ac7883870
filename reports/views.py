"""Home: the live operator dashboard, or the agent's restricted dashboard (reports read across the apps)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse

from backoffice.querysets import agent_for_user
from players.choices import AgentFlag
from players.services import agent_flags_get
from reports import selectors


@login_required
def home(request):
    user = request.user
    agent = agent_for_user(user)
    if agent is not None:
        context = selectors.agent_dashboard(user=user, agent=agent)
        context.update(title="Agent dashboard", agent=agent,
                       flags=[AgentFlag(f).label for f in agent_flags_get(agent=agent)])
        return TemplateResponse(request, "dashboard/agent.html", context)
    return TemplateResponse(request, "dashboard/home.html",
                            {"title": "Dashboard", **selectors.operator_dashboard(user=user)})
