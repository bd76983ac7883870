import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from backoffice.money import format_money
from backoffice.tables import BaseTable, ChoiceBadgeColumn, DateTimeColumn, MoneyColumn
from players.choices import ExclusionKind
from players.models import Agent, KycEvent, Note, Player, RgExclusion, Segment


def _dt(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _badge(value, label):
    return format_html('<span class="badge badge-{}">{}</span>', value, label)


def _exclusion_badge(player):
    """The exclusion in force, when the list annotated it (``PlayerQuerySet.with_exclusion``: readers of exclusions)."""
    kind = getattr(player, "rg_exclusion", None)
    return format_html(" {}", _badge(kind, ExclusionKind(kind).label)) if kind else ""


# Cell renderers of PlayerTable.fast_rows(): what the columns below render, without django-tables2's per-cell
# machinery (inspect.signature on every cell made a 50-row page cost ~100 ms of CPU).
_PLAYER_CELLS = {
    "id": lambda p: format_html('<a href="{}">{}</a>', reverse("players:player", args=[p.pk]), p.pk),
    "username": lambda p: format_html('<a href="{}">{}</a>', reverse("players:player", args=[p.pk]), p.username),
    "email": lambda p: p.email or "—",
    "first_name": lambda p: p.first_name or "—",
    "last_name": lambda p: p.last_name or "—",
    "country": lambda p: p.country,
    "currency": lambda p: p.currency,
    "status": lambda p: format_html("{}{}", _badge(p.status, p.get_status_display()), _exclusion_badge(p)),
    "kyc_status": lambda p: _badge(p.kyc_status, p.get_kyc_status_display()),
    "vip_level": lambda p: p.vip_level,
    "agent": lambda p: format_html('<a href="{}">{}</a>', reverse("players:agent", args=[p.agent_id]), p.agent.code)
    if p.agent_id else "—",
    "is_test": lambda p: "✔" if p.is_test else "✘",
    "lifetime_deposits": lambda p: format_money(p.lifetime_deposits, p.currency),
    "created_at": lambda p: _dt(p.created_at),
    "last_login_at": lambda p: _dt(p.last_login_at),
    "rg_exclusion": lambda p: _exclusion_badge(p) or "—",
}


class PlayerTable(BaseTable):
    id = tables.Column(linkify=True, verbose_name="ID")
    username = tables.Column(linkify=True)
    status = ChoiceBadgeColumn()
    kyc_status = ChoiceBadgeColumn(verbose_name="KYC")
    vip_level = tables.Column(verbose_name="VIP", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    agent = tables.Column(linkify=True, accessor="agent__code", verbose_name="Agent")
    is_test = tables.BooleanColumn(verbose_name="Test")
    lifetime_deposits = MoneyColumn(verbose_name="Lifetime deposits")
    created_at = DateTimeColumn(format="Y-m-d H:i", verbose_name="Registered")
    # The exclusion in force, annotated by PlayerQuerySet.with_exclusion() (the list, its exports). The accessor
    # names the exclusions so that restrict_columns drops the column for those who may not read them.
    rg_exclusion = tables.Column(verbose_name="Exclusion", orderable=False, accessor="rg_exclusions__kind",
                                 empty_values=())

    def render_rg_exclusion(self, record):
        kind = getattr(record, "rg_exclusion", None)
        return ExclusionKind(kind).label if kind else "—"

    class Meta(BaseTable.Meta):
        model = Player
        fields = ("id", "username", "email", "first_name", "last_name", "country", "currency", "status",
                  "kyc_status", "vip_level", "agent", "is_test", "lifetime_deposits", "created_at", "last_login_at",
                  "rg_exclusion")
        default_columns = ("id", "username", "email", "country", "currency", "status", "kyc_status", "vip_level",
                           "agent", "created_at")
        order_by = ("-id",)
        template_name = "players/player_table.html"

    def fast_rows(self):
        """The page's rows as HTML, one ``format_html`` per cell (see ``_PLAYER_CELLS``)."""
        columns = [(c.name, c.attrs.get("td", {}).get("class", "")) for c in self.columns]
        rows = []
        for row in self.paginated_rows:
            record = row.record
            cells = format_html_join("", '<td class="{}">{}</td>',
                                     ((css, _PLAYER_CELLS[name](record)) for name, css in columns))
            rows.append(format_html("<tr>{}</tr>", cells))
        return mark_safe("".join(rows))  # noqa: S308 - every piece was escaped by format_html


class AgentTable(BaseTable):
    code = tables.Column(linkify=True)
    level = tables.Column()
    parent = tables.Column(linkify=True, accessor="parent__code", verbose_name="Parent")
    user = tables.Column(accessor="user__username", verbose_name="Login")
    player_count = tables.Column(verbose_name="Players", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    credit_limit = MoneyColumn()
    max_wager = MoneyColumn()
    is_active = tables.BooleanColumn(verbose_name="Active")

    class Meta(BaseTable.Meta):
        model = Agent
        fields = ("code", "name", "level", "parent", "user", "currency", "credit_limit", "max_wager",
                  "player_count", "is_active")
        order_by = ("code",)


class AgentTreeTable(AgentTable):
    """The hierarchy in path order, each node indented by its level."""

    def render_code(self, value, record):
        return format_html('<a class="tree-node tree-l{}" href="{}">{}{}</a>', record.level, record.get_absolute_url(),
                           "└ " if record.level > 1 else "", value)

    def value_code(self, value):
        return value  # exports get the plain code

    class Meta(AgentTable.Meta):
        order_by = ()
        exclude = ("parent",)
        fields = ("code", "name", "level", "user", "currency", "credit_limit", "max_wager", "player_count",
                  "is_active")


class KycEventTable(BaseTable):
    staff_only_columns = ("reason",)  # typed by staff: may name an investigation (tipping off)
    created_at = DateTimeColumn(format="Y-m-d H:i", verbose_name="When")
    from_status = ChoiceBadgeColumn(verbose_name="From")
    to_status = ChoiceBadgeColumn(verbose_name="To")
    actor = tables.Column(accessor="actor__username", verbose_name="By", default="system")

    class Meta(BaseTable.Meta):
        model = KycEvent
        fields = ("created_at", "from_status", "to_status", "reason", "actor")


class ExclusionTable(BaseTable):
    staff_only_columns = ("reason",)  # typed by staff: may name an investigation (tipping off)
    kind = tables.Column()
    starts_at = DateTimeColumn(format="Y-m-d H:i", verbose_name="From")
    ends_at = DateTimeColumn(format="Y-m-d H:i", verbose_name="Until", default="indefinite")
    actor = tables.Column(accessor="actor__username", verbose_name="Recorded by", default="—")

    class Meta(BaseTable.Meta):
        model = RgExclusion
        fields = ("kind", "starts_at", "ends_at", "reason", "actor")


class NoteTable(BaseTable):
    created_at = DateTimeColumn(format="Y-m-d H:i", verbose_name="When")
    player = tables.Column(linkify=lambda record: record.get_absolute_url(), accessor="player__username")
    channel = tables.Column()
    author = tables.Column(accessor="author__username", verbose_name="Author", default="—")
    follow_up_on = tables.DateColumn(format="Y-m-d", verbose_name="Follow-up")
    assignee = tables.Column(accessor="assignee__username", verbose_name="Assignee", default="—")
    follow_up_done_at = DateTimeColumn(format="Y-m-d", verbose_name="Done")
    done = tables.TemplateColumn(
        '{% if record.follow_up_on and not record.follow_up_done_at %}{% url "players:note_done" record.pk as done %}'
        '{% button done "Mark done" "btn btn-ghost btn-sm" %}{% endif %}', orderable=False, verbose_name="",
        exclude_from_export=True)

    class Meta(BaseTable.Meta):
        model = Note
        fields = ("created_at", "player", "channel", "text", "author", "follow_up_on", "assignee",
                  "follow_up_done_at", "done")


class FollowUpTable(NoteTable):
    class Meta(NoteTable.Meta):
        fields = ("follow_up_on", "player", "channel", "text", "author", "assignee", "created_at", "done")
        exclude = ("follow_up_done_at",)
        order_by = ("follow_up_on",)


class SegmentTable(BaseTable):
    name = tables.Column(linkify=True)
    kind = ChoiceBadgeColumn()
    member_count = tables.Column(verbose_name="Members", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    counted_at = DateTimeColumn(format="Y-m-d H:i", verbose_name="Counted")

    class Meta(BaseTable.Meta):
        model = Segment
        fields = ("name", "kind", "description", "member_count", "counted_at")
