
from django.contrib.auth import get_user_model
from django.db.models import Count, F, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from backoffice.htmx import vary_on_htmx, wants_partial
from backoffice.querysets import agent_for_user
from backoffice.views import generic
from players import filtersets, forms, services, tables
from players.choices import AgentFlag, SegmentKind
from players.models import Agent, KycEvent, Note, Player, RgExclusion, RgLimit, Segment, TimelineEvent
from players.services import rg as rg_services

TIMELINE_PAGE = 50


class PlayerListView(generic.ObjectListView):
    queryset = Player.objects.select_related("agent")
    table = tables.PlayerTable
    filterset = filtersets.PlayerFilterSet
    add_url = "players:player_add"


# --- Player detail: one page, one tab per URL; htmx swaps only the tab body -------------------------

TABS = [("profile", "Profile", "players:player"), ("wallets", "Wallets", "players:player_wallets"),
        ("limits", "Limits & exclusions", "players:player_limits"), ("kyc", "KYC", "players:player_kyc"),
        ("notes", "Notes", "players:player_notes"), ("timeline", "Timeline", "players:player_timeline")]


class PlayerView(generic.ObjectDetailView):
    queryset = Player.objects.select_related("agent")
    template_name = "players/player.html"
    tab = "profile"
    detail_fields = ["username", "email", "first_name", "last_name", "date_of_birth", "country", "currency",
                     "status", "kyc_status", "vip_level", "agent", "registration_source", "is_test", "created_at",
                     "last_login_at", "last_activity_at", "lifetime_deposits", "credit_limit", "max_wager",
                     "reality_check_minutes"]
    buttons = [("Edit", "players:player_edit", "change", "secondary"),
               ("Status", "players:player_status", "change", "ghost"),
               ("Move", "players:player_move", "move", "ghost")]

    def get_template_names(self):
        return ["players/tabs/_frame.html"] if wants_partial(self.request) else [self.template_name]

    def activity(self, obj):
        return super().activity(obj) if self.tab == "profile" else None

    def get_extra_context(self, obj):
        tabs = [{"key": k, "label": label, "url": reverse(url, args=[obj.pk]), "active": k == self.tab}
                for k, label, url in TABS]
        # The player's node, for roles that may view nodes (Marketing sees players, not the agent tree).
        agent = obj.agent if obj.agent_id and Agent.objects.all().permits(self.request.user, obj.agent) else None
        return {"tabs": tabs, "tab": self.tab, "profile": obj.rg_profile, "agent": agent, **self.tab_context(obj)}

    def tab_context(self, obj) -> dict:
        tags = self.child_rows(Segment.objects.filter(static_members=obj))
        return {"tags": None if tags is None else list(tags),
                "can_tag": Segment.objects.can(self.request.user, "view")}

    def get(self, request, *args, **kwargs):
        return vary_on_htmx(super().get(request, *args, **kwargs))


class PlayerWalletsView(PlayerView):
    tab = "wallets"

    def tab_context(self, obj):
        try:
            url = reverse("cashier:player_wallets", kwargs={"pk": obj.pk})
        except NoReverseMatch:
            url = None
        return {"wallets_url": url}


class PlayerLimitsView(PlayerView):
    tab = "limits"
    buttons = [("Set a limit", "players:player_limit_set", "limit", "secondary"),
               ("Confirm increase", "players:player_limit_confirm", "limit", "ghost"),
               ("Time-out / self-exclude", "players:player_exclusion", "limit", "ghost"),
               ("Reality check", "players:player_reality_check", "limit", "ghost"),
               ("Credit & max wager", "players:player_credit", "limit", "ghost")]

    def tab_context(self, obj):
        overview = rg_services.rg_overview(player=obj, user=self.request.user)
        exclusions = self.child_table(RgExclusion.objects.filter(player=obj), tables.ExclusionTable, limit=50,
                                      orderable=False)
        return {**overview, "exclusions_table": exclusions}


class PlayerKycView(PlayerView):
    tab = "kyc"
    buttons = [("Change KYC status", "players:player_kyc_set", "kyc", "secondary")]

    def tab_context(self, obj):
        return {"kyc_table": self.child_table(KycEvent.objects.filter(player=obj).select_related("actor"),
                                              tables.KycEventTable, orderable=False)}


class PlayerNotesView(PlayerView):
    tab = "notes"
    buttons = [("Add a note", "players:player_note_add", "change", "secondary")]

    def tab_context(self, obj):
        notes = Note.objects.filter(player=obj).select_related("author", "assignee", "player")
        return {"notes_table": self.child_table(notes, tables.NoteTable, limit=200, orderable=False,
                                                exclude=("player",))}


class PlayerTimelineView(PlayerView):
    """Newest first, keyset-paginated on (occurred_at, id): any page is a few index reads."""

    tab = "timeline"
    buttons = []

    def tab_context(self, obj):
        form = filtersets.TimelineFilterForm(self.request.GET or None)
        events = self.child_rows(TimelineEvent.objects.filter(player_id=obj.pk))
        if events is None:
            return {"timeline_form": form, "timeline_events": None}
        # Who acted: the login's name for operator staff, "staff" for agents (they never see logins).
        named = get_user_model().objects.can_name(self.request.user)
        events = events.annotate(actor_name=F("actor__username") if named else Value("staff"))
        if form.is_bound and form.is_valid():
            events = form.apply(events)
        cursor = self.request.GET.get("before", "")
        at, _, last_id = cursor.partition("_")
        at = parse_datetime(at) if at else None
        if at is not None and last_id.isdigit():
            if timezone.is_naive(at):
                at = timezone.make_aware(at)
            # Row comparison, so PostgreSQL starts the index scan right at the cursor (ORM has no tuple <).
            events = events.extra(where=["(players_timelineevent.occurred_at, players_timelineevent.id) < (%s, %s)"],
                                  params=[at, int(last_id)])
        rows = list(events.order_by("-occurred_at", "-id")[: TIMELINE_PAGE + 1])
        more = len(rows) > TIMELINE_PAGE
        rows = rows[:TIMELINE_PAGE]
        _link_refs(rows)
        query = self.request.GET.copy()
        query.pop("before", None)
        older = None
        if more:
            query["before"] = f"{rows[-1].occurred_at.isoformat()}_{rows[-1].pk}"
            older = query.urlencode()
            query.pop("before")
        return {"timeline_form": form, "timeline_events": rows,
                "timeline_older": older, "timeline_newest": query.urlencode(), "timeline_paged": bool(cursor)}


def _link_refs(events) -> None:
    """``ref_type`` "cashier.deposit" links to the URL named "cashier:deposit" with the id, when it exists."""
    missing = set()
    for e in events:
        e.ref_url = None
        if not e.ref_type or not e.ref_id.isdigit() or e.ref_type in missing:
            continue
        try:
            e.ref_url = reverse(e.ref_type.replace(".", ":", 1), args=[int(e.ref_id)])
        except NoReverseMatch:
            missing.add(e.ref_type)


# --- Player actions ------------------------------------------------------------------------------

class PlayerAddView(generic.ActionView):
    queryset = Player.objects.all()
    action = "add"
    form = forms.PlayerCreateForm
    title = "Add a player"
    submit_label = "Create player"
    cancel_url = "players:player_list"

    def perform(self, obj, form):
        return services.player_create(actor=self.request.user, **form.cleaned_data)

    def get_success_message(self, result):
        return f"Player “{result.username}” created."


class PlayerEditView(generic.ActionView):
    queryset = Player.objects.all()
    action = "change"
    form = forms.PlayerEditForm
    title = "Edit player"
    success_message = "Player saved."

    def get_form_kwargs(self, obj):
        return {"initial": {f: getattr(obj, f) for f in services.accounts.PROFILE_FIELDS}}

    def perform(self, obj, form):
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        return services.player_update(player=obj, actor=self.request.user, reason=reason, **data)


class PlayerStatusView(generic.ActionView):
    queryset = Player.objects.all()
    action = "change"
    form = forms.PlayerStatusForm
    title = "Change account status"
    success_message = "Status changed."

    def perform(self, obj, form):
        return services.player_status_set(player=obj, actor=self.request.user, **form.cleaned_data)


class PlayerKycSetView(generic.ActionView):
    queryset = Player.objects.all()
    action = "kyc"
    form = forms.PlayerKycForm
    success_url = "players:player_kyc"
    title = "Change KYC status"
    success_message = "KYC status changed."

    def perform(self, obj, form):
        services.player_kyc_set(player=obj, actor=self.request.user, **form.cleaned_data)


class PlayerLimitSetView(generic.ActionView):
    queryset = Player.objects.all()
    action = "limit"
    form = forms.RgLimitForm
    success_url = "players:player_limits"
    title = "Set a responsible-gambling limit"
    submit_label = "Set limit"

    def perform(self, obj, form):
        data = form.cleaned_data
        _, self.outcome = services.rg_limit_set(player=obj, kind=data["kind"], period=data["period"],
                                                amount=data["amount"], source=data["source"],
                                                actor=self.request.user, reason=data["reason"])

    def get_success_message(self, result):
        return {"applied": "Limit in force now.", "unchanged": "Nothing changed.",
                "pending": "Increase requested: it takes effect after the 24-hour cooling-off."}[self.outcome]


class PlayerLimitConfirmView(generic.ActionView):
    queryset = Player.objects.all()
    action = "limit"
    form = forms.RgLimitConfirmForm
    success_url = "players:player_limits"
    title = "Record the player's confirmation of an increase"
    submit_label = "Confirm"
    success_message = "Increase confirmed and in force."

    def get_form_kwargs(self, obj):
        return {"pending": RgLimit.objects.restrict(self.request.user).filter(player=obj, pending_from__isnull=False)}

    def perform(self, obj, form):
        services.rg_limit_confirm(player=obj, limit_id=form.cleaned_data["limit"], actor=self.request.user)


class PlayerExclusionView(generic.ActionView):
    queryset = Player.objects.all()
    action = "limit"
    form = forms.RgExclusionForm
    success_url = "players:player_limits"
    title = "Time-out or self-exclusion"
    submit_label = "Start now"
    success_message = "In force now. It cannot be lifted early."

    def perform(self, obj, form):
        data = form.cleaned_data
        services.rg_exclusion_start(player=obj, kind=data["kind"], duration=data["timedelta"],
                                    actor=self.request.user, reason=data["reason"])


class PlayerRealityCheckView(generic.ActionView):
    queryset = Player.objects.all()
    action = "limit"
    form = forms.RealityCheckForm
    success_url = "players:player_limits"
    title = "Reality-check interval"
    success_message = "Reality-check interval saved."

    def get_form_kwargs(self, obj):
        return {"initial": {"minutes": obj.reality_check_minutes}}

    def perform(self, obj, form):
        services.rg_reality_check_set(player=obj, actor=self.request.user, **form.cleaned_data)


class PlayerCreditView(generic.ActionView):
    queryset = Player.objects.all()
    action = "limit"
    form = forms.PlayerCreditForm
    title = "Credit limit and max wager"
    success_message = "Limits saved."

    def get_form_kwargs(self, obj):
        return {"initial": {"credit_limit": obj.credit_limit, "max_wager": obj.max_wager}}

    def perform(self, obj, form):
        return services.player_credit_set(player=obj, actor=self.request.user, **form.cleaned_data)


class PlayerMoveView(generic.ActionView):
    queryset = Player.objects.all()
    action = "move"
    form = forms.PlayerMoveForm
    title = "Move to another agent"
    submit_label = "Move"
    success_message = "Player moved."

    def get_form_kwargs(self, obj):
        return {"initial": {"agent": obj.agent_id}}

    def perform(self, obj, form):
        return services.player_move(player=obj, actor=self.request.user, **form.cleaned_data)


class PlayerTagsView(generic.ActionView):
    queryset = Player.objects.all()
    action = "change"
    form = forms.PlayerTagsForm
    title = "Tags"
    success_message = "Tags saved."

    def get_form_kwargs(self, obj):
        return {"initial": {"segments": list(obj.segments.values_list("pk", flat=True))}}

    def perform(self, obj, form):
        return services.player_segments_set(player=obj, segments=form.cleaned_data["segments"],
                                            actor=self.request.user)


class PlayerNoteAddView(generic.ActionView):
    queryset = Player.objects.all()
    action = "change"
    form = forms.NoteForm
    success_url = "players:player_notes"
    title = "Add a note"
    submit_label = "Save note"
    success_message = "Note saved."

    def get_form(self, obj):
        form = super().get_form(obj)
        if agent_for_user(self.request.user) is not None:
            del form.fields["visibility"]  # agents write only notes they can read back
        return form

    def perform(self, obj, form):
        services.note_create(player=obj, actor=self.request.user, **form.cleaned_data)


# --- Follow-ups -----------------------------------------------------------------------------------

class FollowUpListView(generic.ObjectListView):
    queryset = Note.objects.follow_ups_open().select_related("player", "author", "assignee")
    table = tables.FollowUpTable
    filterset = filtersets.FollowUpFilterSet
    title = "Follow-ups"


class NoteDoneView(generic.ActionView):
    queryset = Note.objects.all()
    action = "change"
    form = forms.NoteDoneForm
    title = "Mark the follow-up done"
    submit_label = "Done"
    success_message = "Follow-up closed."

    def perform(self, obj, form):
        return services.note_follow_up_done(note=obj, actor=self.request.user)


# --- Segments ------------------------------------------------------------------------------------

class SegmentListView(generic.ObjectListView):
    queryset = Segment.objects.all()
    table = tables.SegmentTable
    filterset = filtersets.SegmentFilterSet
    add_url = "players:segment_add"


class SegmentView(generic.ObjectDetailView):
    queryset = Segment.objects.all()
    template_name = "players/segment.html"
    detail_fields = ["name", "kind", "description", "countries", "vip_min", "vip_max", "lifetime_deposits_min",
                     "active_within_days", "inactive_for_days", "registered_from", "registered_to", "member_count",
                     "counted_at"]
    buttons = [("Edit", "players:segment_edit", "change", "secondary")]

    def get_extra_context(self, obj):
        members = self.child_rows(obj.players(Player.objects.real()).select_related("agent"))
        if members is None:
            return {"members_table": None}
        return {"members_table": self.child_table(members, tables.PlayerTable, limit=50, orderable=False),
                "member_count_live": members.count() if obj.kind == SegmentKind.RULE or obj.member_count < 100_000
                else obj.member_count}


class SegmentEditView(generic.ObjectEditView):
    queryset = Segment.objects.all()
    form = forms.SegmentForm

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.status_code == 302:
            services.segment_counts_refresh(segment_ids=list(Segment.objects.filter(
                name=request.POST.get("name", "")).values_list("pk", flat=True)))
        return response


# --- Agents -----------------------------------------------------------------------------------------

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
