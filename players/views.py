from django.db.models import Count

from backoffice.views import generic
from players import filtersets, forms, services, tables
from players.choices import AgentFlag
from players.models import Agent, Player


class PlayerListView(generic.ObjectListView):
    queryset = Player.objects.select_related("agent")
    table = tables.PlayerTable
    filterset = filtersets.PlayerFilterSet


class PlayerView(generic.ObjectDetailView):
    queryset = Player.objects.select_related("agent")
    detail_fields = ["username", "email", "first_name", "last_name", "date_of_birth", "country", "currency",
                     "status", "kyc_status", "vip_level", "agent", "registration_source", "is_test", "created_at",
                     "last_login_at"]


class AgentListView(generic.ObjectListView):
    queryset = Agent.objects.select_related("parent", "user").annotate(player_count=Count("players"))
    table = tables.AgentTable
    filterset = filtersets.AgentFilterSet


class AgentView(generic.ObjectDetailView):
    queryset = Agent.objects.select_related("parent", "user")
    detail_fields = ["code", "name", "level", "parent", "user", "currency", "credit_limit", "max_wager",
                     "is_active", "created_at"]
    buttons = [("Edit", "players:agent_edit", "change", "secondary"),
               ("Flags", "players:agent_flags", "change", "secondary")]

    def get_extra_context(self, obj):
        user = self.request.user
        children = Agent.objects.restrict(user).filter(parent=obj).annotate(player_count=Count("players"))
        players = Player.objects.restrict(user).filter(agent=obj).select_related("agent")
        return {
            "flags": [AgentFlag(f).label for f in services.agent_flags_get(agent=obj)],
            "children_table": tables.AgentTable(
                children, orderable=False, columns=("code", "name", "level", "user", "player_count", "credit_limit")),
            "players_table": tables.PlayerTable(
                players[:25], orderable=False,
                columns=("username", "country", "currency", "status", "kyc_status", "created_at")),
        }


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
