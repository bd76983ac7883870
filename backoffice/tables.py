"""Base table classes and columns shared by every list of the product."""

from __future__ import annotations

import re

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html

from backoffice.kinds import kind_label
from backoffice.links import url_allowed
from backoffice.models import AuditEvent, ExportJob, User
from backoffice.money import format_money
from backoffice.querysets import ScopedQuerySet, is_operator_staff


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # "transaction_id": the attname of a foreign key
        return next((f for f in model._meta.concrete_fields if f.attname == name), None)


def _shows_hidden_model(model, accessor, user) -> bool:
    """Whether the column's accessor passes through a related model that ``user`` may not view."""
    for bit in accessor.bits:
        field = _field(model, bit)
        if field is None or not field.is_relation or field.related_model is None:
            return False
        model = field.related_model
        qs = model._default_manager.all()
        if isinstance(qs, ScopedQuerySet) and not qs.can_name(user):
            return True
    return False


def restrict_columns(table, user) -> None:
    """Drop (not just hide: exports too) the columns that name rows of a model ``user`` may not see, and
    the table's ``staff_only_columns`` for anyone but operator staff, and
    keep a column's links only where ``user`` may follow them (no link that answers 403).

    The Content role sees rounds but not players: the rounds' player column goes; agents see no login
    names and no reason staff typed. Row-level scope is the queryset's business; this is the per-model
    rule (``can_name``) for the related values a table reads through. A column that shows a login must
    read through the login's relation (``transaction__actor``), never a property, so that this sees it.
    """
    for bound in table.columns.iterall():
        if bound.link is not None and not isinstance(bound.link, _FollowableLink):
            bound.link = _FollowableLink(bound.link, user)  # the bound column's own copy is the one rendered
    model = table._meta.model
    if model is None:
        return
    staff_only = () if is_operator_staff(user) else getattr(table, "staff_only_columns", ())
    dropped = [c.name for c in table.columns.iterall()
               if c.name in staff_only or _shows_hidden_model(model, c.accessor, user)]
    if dropped:
        table.exclude = (*(table.exclude or ()), *dropped)


_DIGITS = re.compile(r"\d+")


class _FollowableLink:
    """A column's link, kept only where ``user`` may follow it (``url_allowed``); else the plain value.

    The verdict is cached per URL pattern, so a page of rows resolves each kind of target once.
    """

    def __init__(self, link, user):
        self.link, self.user, self.verdicts = link, user, {}

    def __call__(self, content, **kwargs):
        url = self.link.compose_url(**kwargs)
        if url is None:
            return content
        key = _DIGITS.sub("0", url.split("?", 1)[0])  # one verdict per pattern: access is decided per model
        if key not in self.verdicts:
            self.verdicts[key] = url_allowed(self.user, url)
        return self.link(content, **kwargs) if self.verdicts[key] else content


class BaseTable(tables.Table):
    """Every list table. ``Meta.default_columns`` are the ones shown; the rest can be exported.

    ``staff_only_columns`` names the columns only operator staff read (``restrict_columns`` drops them).
    """

    staff_only_columns: tuple[str, ...] = ()

    class Meta:
        attrs = {"class": "table"}
        template_name = "partials/tables2.html"
        empty_text = "No Activity"

    def __init__(self, *args, columns: tuple[str, ...] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        default = columns or getattr(getattr(type(self), "Meta", None), "default_columns", None)
        if default:
            for column in self.columns.iterall():
                if column.name not in default:
                    self.columns.hide(column.name)

    @property
    def export_columns(self):
        """Every column, shown or not, except the ones that only make sense on screen."""
        return [c for c in self.columns.iterall() if not getattr(c.column, "exclude_from_export", False)]


class DateTimeColumn(tables.DateTimeColumn):
    """A date/time kept on one line ("2026-11-30 13:19:04" would otherwise break at its hyphens)."""

    def __init__(self, *args, **kwargs):
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "nowrap"})
        super().__init__(*args, attrs=attrs, **kwargs)


class MoneyColumn(tables.Column):
    """Renders an amount with its currency, right-aligned. ``currency_accessor`` names the currency."""

    def __init__(self, *args, currency_accessor: str = "currency", **kwargs):
        self.currency_accessor = tables.A(currency_accessor)
        attrs = kwargs.pop("attrs", {})
        attrs.setdefault("td", {"class": "num"})
        attrs.setdefault("th", {"class": "num"})
        super().__init__(*args, attrs=attrs, **kwargs)

    def render(self, value, record):
        return format_money(value, self.currency_accessor.resolve(record, quiet=True))

    def value(self, value, record):
        return "" if value is None else str(value)


class KindColumn(tables.Column):
    """A ledger or timeline kind: its human label on screen (``backoffice.kinds``), the code in exports."""

    def render(self, value):
        return kind_label(value)

    def value(self, value):
        return value


class ChoiceBadgeColumn(tables.Column):
    """A status shown as a coloured badge; the CSS class is ``badge-<value>``."""

    def render(self, value, record, bound_column):
        raw = getattr(record, bound_column.accessor.split(".")[-1], value)
        return format_html('<span class="badge badge-{}">{}</span>', raw, value)

    def value(self, value):
        return value


class AuditEventTable(BaseTable):
    seq = tables.Column(linkify=True, verbose_name="#")
    created_at = DateTimeColumn(format="Y-m-d H:i:s", verbose_name="Time")
    actor_label = tables.Column(verbose_name="Actor")
    object_repr = tables.Column(verbose_name="Object")

    class Meta(BaseTable.Meta):
        model = AuditEvent
        fields = ("seq", "created_at", "actor_label", "action", "object_type", "object_repr", "reason", "ip",
                  "request_id", "hash")
        default_columns = ("seq", "created_at", "actor_label", "action", "object_type", "object_repr", "ip")
        order_by = ("-seq",)


class UserTable(BaseTable):
    username = tables.Column(linkify=True)
    full_name = tables.Column(accessor="get_full_name", verbose_name="Name", orderable=False)
    role = tables.Column(empty_values=(), orderable=False, verbose_name="Role")
    two_factor = tables.BooleanColumn(verbose_name="2FA", orderable=False)
    is_active = tables.BooleanColumn(verbose_name="Active")
    last_login = DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = User
        fields = ("username", "full_name", "email", "role", "two_factor", "is_active", "last_login", "date_joined")
        order_by = ("username",)

    def render_role(self, record):
        agent = getattr(record, "agent_node", None)
        if agent is not None:
            return f"{agent.get_level_display()} {agent.code}"
        return ", ".join(g.name for g in record.groups.all()) or "No role"

    def value_role(self, record):
        return self.render_role(record)


class ExportJobTable(BaseTable):
    title = tables.Column(linkify=True, verbose_name="List")
    status = ChoiceBadgeColumn()
    progress = tables.TemplateColumn(
        '{% if record.status == "done" %}{{ record.rows_done }} rows{% else %}{{ record.rows_done }} / '
        'about {{ record.rows_total }} ({{ record.percent }}%){% endif %}',
        verbose_name="Rows", orderable=False)
    created_at = DateTimeColumn(format="Y-m-d H:i:s", verbose_name="Asked")
    finished_at = DateTimeColumn(format="Y-m-d H:i:s", verbose_name="Finished")
    download = tables.TemplateColumn(
        '{% if record.status == "done" and record.file %}<a class="btn btn-secondary btn-sm" '
        'href="{% url "backoffice:exportjob_download" record.pk %}">Download</a>'
        '{% elif record.status == "done" %}<span class="muted">Deleted</span>{% endif %}',
        verbose_name="", orderable=False)
    download.exclude_from_export = True

    class Meta(BaseTable.Meta):
        model = ExportJob
        fields = ("title", "format", "status", "progress", "user", "created_at", "finished_at", "query", "error",
                  "download")
        default_columns = ("title", "format", "status", "progress", "user", "created_at", "finished_at", "download")
        order_by = ("-created_at",)
        empty_text = "No exports yet. Lists larger than the inline limit are exported here."
