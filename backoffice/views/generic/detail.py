"""ObjectDetailView and its related tables, always read through restrict()."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.views import View

from backoffice.models import AuditEvent
from backoffice.money import MoneyField, format_money
from backoffice.querysets import ScopedQuerySet, is_operator_staff
from backoffice.tables import restrict_columns
from backoffice.views.generic.base import ObjectPermissionMixin


@dataclass(frozen=True)
class RelatedTable:
    """A table of rows related to the detail page's object, declared on the view (``related_tables``).

    ``rows(obj)`` returns the related rows as a queryset of their model (unrestricted: the view
    restricts it); the table lands in the context as ``name``, or None when the user may not view
    that model at all.
    """

    name: str
    rows: Callable
    table: type
    limit: int | None = None
    options: dict = field(default_factory=dict)  # keyword arguments of the table: orderable, columns ...


class ObjectDetailView(ObjectPermissionMixin, View):
    """A detail page: template ``<app>/<model>.html`` if present, else the generic one."""

    template_name = None
    detail_fields: list[str] = []
    #: fields of ``detail_fields`` that only operator staff read (staff-typed reasons, review internals):
    #: absent for agents, not "—", so the page does not hint that something is hidden
    staff_only_fields: frozenset[str] = frozenset()
    buttons: list[tuple[str, str, str, str]] = []  # (label, url name, action, css style)
    related_tables: list[RelatedTable] = []
    activity_limit = 15

    def get_template_names(self):
        opts = self.model._meta
        return [self.template_name] if self.template_name else [
            f"{opts.app_label}/{opts.model_name}.html", "generic/object_detail.html"]

    def get_fields(self, obj):
        """(label, value) of each detail field ``user`` may read.

        Left out entirely (set or empty alike, so that nothing hints at what is hidden): the
        ``staff_only_fields`` for anyone but operator staff, and a relation to a model whose rows the user
        may not see named (``can_name``: logins for agents). A related row the user may not see named
        although the model is (an agent's parent node) is left out too.
        """
        user = self.request.user
        staff = is_operator_staff(user)
        rows = []
        for name in self.detail_fields:
            if name in self.staff_only_fields and not staff:
                continue
            field = obj._meta.get_field(name)
            if field.is_relation and field.related_model is not None:
                related = field.related_model._default_manager.all()
                if isinstance(related, ScopedQuerySet) and not related.can_name(user):
                    continue
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if display else getattr(obj, name)
            if isinstance(field, MoneyField):
                value = format_money(value, getattr(obj, "currency", None))
            elif isinstance(value, models.Model) and not type(value)._default_manager.all().names(user, value):
                continue  # a related row the user may not see (an agent's parent node)
            rows.append((capfirst(field.verbose_name), value))  # capfirst keeps acronyms (KYC, RTP)
        return rows

    def child_rows(self, queryset: ScopedQuerySet) -> ScopedQuerySet | None:
        """``queryset`` (rows related to the object) restricted to what the user may view.

        None when the user may view no row of that model: the page shows no card for them at all.
        """
        if not isinstance(queryset, ScopedQuerySet):
            raise TypeError(f"{queryset.model.__name__} has no scoped manager; related rows must be restrictable.")
        user = self.request.user
        if not queryset.can(user, "view"):
            return None
        return queryset.restrict(user, "view")

    def child_table(self, queryset: ScopedQuerySet, table_class, *, limit: int | None = None, **options):
        """A django-tables2 table of the restricted rows (None when the user may not view the model).

        Columns that read through a model the user may not view are dropped (``restrict_columns``).
        """
        rows = self.child_rows(queryset)
        if rows is None:
            return None
        table = table_class(rows[:limit] if limit is not None else rows, **options)
        restrict_columns(table, self.request.user)
        return table

    def get_related_tables(self, obj) -> dict:
        return {t.name: self.child_table(t.rows(obj), t.table, limit=t.limit, **t.options)
                for t in self.related_tables}

    def get_extra_context(self, obj) -> dict:
        return {}

    def activity(self, obj):
        rows = self.child_rows(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)))
        return None if rows is None else list(rows.select_related("actor")[: self.activity_limit])

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        context = {"object": obj, "title": str(obj), "fields": self.get_fields(obj), "model": self.model,
                   "opts": self.model._meta, "activity": self.activity(obj), "buttons": self.object_actions(obj),
                   **self.get_related_tables(obj), **self.get_extra_context(obj)}
        return TemplateResponse(request, select_template(self.get_template_names()), context)
