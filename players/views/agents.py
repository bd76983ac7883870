"""The agent tree: list, node page, edit, flags, moves, limits."""

from __future__ import annotations

from django.db.models import Count

from backoffice.views import generic
from players import filtersets, forms, services, tables
from players.choices import AgentFlag
from players.models import Agent, Player


class AgentListView(generic.ObjectListView):
    """The agent tree: path order shows each node under its parent; operators see all, agents their sub-tree."""

    queryset = Agent.objects.select_related("parent", "user").annotate(player_count=Count("players")).order_by("path")
    table = tables.AgentTreeTable
    filterset = filtersets.AgentFilterSet
    title = "Agent tree"


class AgentView(generic.ObjectDetailView):
    queryset = Agent.objects.select_related("parent", "user")
    detail_fields = ["code", "name", "level", "parent", "user", "currency", "credit_limit", "max_wager",
                     "is_active", "created_at"]
    buttons = [("Edit", "players:agent_edit", "change", "secondary"),
               ("Flags", "players:agent_flags", "change", "secondary"),
               ("Limits", "players:agent_limits", "change", "ghost"),
               ("Move", "players:agent_move", "change", "ghost")]

    related_tables = [
        generic.RelatedTable(
            "children_table", lambda agent: Agent.objects.filter(parent=agent).annotate(player_count=Count("players")),
            tables.AgentTable,
            options={"orderable": False, "columns": ("code", "name", "level", "user", "player_count", "credit_limit")}),
        generic.RelatedTable(
            "players_table", lambda agent: Player.objects.filter(agent=agent).select_related("agent"),
            tables.PlayerTable, limit=25,
            options={"orderable": False,
                     "columns": ("username", "country", "currency", "status", "kyc_status", "created_at")}),
    ]

    def get_extra_context(self, obj):
        return {"flags": [AgentFlag(f).label for f in services.agent_flags_get(agent=obj)]}


class AgentEditView(generic.ObjectEditView):
    queryset = Agent.objects.all()
    form = forms.AgentForm


class AgentFlagsView(generic.ActionView):
    queryset = Agent.objects.all()
    action = "change"
    form = forms.AgentFlagsForm
    submit_label = "Save flags"
    success_message = "Flags updated."

    def get_form_kwargs(self, obj):
        return {"initial": {"flags": services.agent_flags_get(agent=obj)}}

    def perform(self, obj, form):
        return services.agent_flags_set(agent=obj, flags=form.cleaned_data["flags"], actor=self.request.user,
                                        reason=form.cleaned_data["reason"])


class AgentMoveView(generic.ActionView):
    queryset = Agent.objects.all()
    action = "change"
    form = forms.AgentMoveForm
    title = "Move agent"
    submit_label = "Move"
    success_message = "Agent moved with its sub-tree."

    def get_form_kwargs(self, obj):
        return {"initial": {"parent": obj.parent_id}}

    def perform(self, obj, form):
        return services.agent_move(agent=obj, actor=self.request.user, **form.cleaned_data)


class AgentLimitsView(generic.ActionView):
    queryset = Agent.objects.all()
    action = "change"
    form = forms.AgentLimitsForm
    title = "Agent limits"
    success_message = "Limits saved."

    def get_form_kwargs(self, obj):
        return {"initial": {"credit_limit": obj.credit_limit, "max_wager": obj.max_wager}}

    def perform(self, obj, form):
        return services.agent_limits_set(agent=obj, actor=self.request.user, **form.cleaned_data)
