"""The player list and the player page: one page, one tab per URL; htmx swaps only the tab body."""

from __future__ import annotations

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from backoffice.htmx import vary_on_htmx, wants_partial
from backoffice.views import generic
from players import filtersets, tables
from players.models import Agent, KycEvent, Note, Player, RgExclusion, Segment, TimelineEvent
from players.services import rg as rg_services

TIMELINE_PAGE = 50


class PlayerListView(generic.ObjectListView):
    queryset = Player.objects.select_related("agent")
    table = tables.PlayerTable
    filterset = filtersets.PlayerFilterSet
    add_url = "players:player_add"

    def get(self, request, *args, **kwargs):
        # The status column's exclusion badge, for those who may read exclusions (one subquery, not per row).
        if RgExclusion.objects.can(request.user, "view"):
            self.queryset = self.queryset.with_exclusion()
        return super().get(request, *args, **kwargs)


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
               ("Status", "players:player_status", "status", "ghost"),
               ("Move", "players:player_move", "move", "ghost")]

    def get_template_names(self):
        return ["players/tabs/_frame.html"] if wants_partial(self.request) else [self.template_name]

    def activity(self, obj):
        return super().activity(obj) if self.tab == "profile" else None

    def get_extra_context(self, obj):
        hidden = set() if wallets_visible(self.request.user) else {"wallets"}
        tabs = [{"key": k, "label": label, "url": reverse(url, args=[obj.pk]), "active": k == self.tab}
                for k, label, url in TABS if k not in hidden or k == self.tab]
        # The player's node, for roles that may view nodes (Marketing sees players, not the agent tree).
        agent = obj.agent if obj.agent_id and Agent.objects.all().permits(self.request.user, obj.agent) else None
        return {"tabs": tabs, "tab": self.tab, "profile": obj.rg_profile, "agent": agent,
                "exclusion": self.exclusion(obj), **self.tab_context(obj)}

    def exclusion(self, obj):
        """The exclusion in force for the header's badge (self-exclusion first, then the longest), for readers
        of exclusions."""
        rows = self.child_rows(RgExclusion.objects.filter(player=obj))
        if rows is None:
            return None
        active = rg_services.active_exclusions(obj.pk, timezone.now())
        return max(active, key=lambda e: (e.kind == "self_exclusion", e.ends_at is None, e.ends_at or 0),
                   default=None)

    def tab_context(self, obj) -> dict:
        tags = self.child_rows(Segment.objects.filter(static_members=obj))
        return {"tags": None if tags is None else list(tags)}

    def get(self, request, *args, **kwargs):
        return vary_on_htmx(super().get(request, *args, **kwargs))


class PlayerWalletsView(PlayerView):
    tab = "wallets"

    def tab_context(self, obj):
        try:
            url = reverse("cashier:player_wallets", kwargs={"pk": obj.pk})
        except NoReverseMatch:
            return {"wallets_url": None}
        if not wallets_visible(self.request.user):
            return {"wallets_url": None, "wallets_absent": "Your role does not see balances."}
        return {"wallets_url": url}


def wallets_visible(user) -> bool:
    """The Wallets tab shows the cashier's accounts: a role that may not view them gets no such tab."""
    try:
        account = apps.get_model("cashier", "Account")
    except LookupError:  # no cashier module
        return False
    return account.objects.can(user, "view")


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
        # What each reader may read of an event (staff-only summaries, who acted): the queryset decides.
        events = events.for_reader(self.request.user)
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
