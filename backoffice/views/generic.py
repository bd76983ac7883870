"""Declarative generic views: every page of an app is a subclass with a few attributes.

Each view names a ``queryset`` (whose manager is a ``ScopedQuerySet``) and an ``action``. ``dispatch``
sends anonymous users to the login page, answers 403 when the user may not perform the action at all
(404 instead when the URL names an object outside what the user may view: an id outside one's scope is
indistinguishable from a missing id), and otherwise replaces the queryset with
``queryset.restrict(user, action)``, so a detail, edit or action on an object outside the user's scope
is a 404: it looks exactly like an object that does not exist.

Related rows on a detail page (a game's rounds, a withdrawal's AML flags, a player's notes) are read
only through :meth:`ObjectDetailView.child_rows` / :meth:`ObjectDetailView.child_table` (or declared in
``related_tables``), which restrict them with ``restrict(user, "view")`` and return None when the user
may view no row of that model, so the template leaves the card out entirely. A related manager
(``obj.flags.all()``) in a view is a review finding, like an unrestricted ``Model.objects``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views import View
from django_tables2 import RequestConfig

from backoffice.exceptions import ApplicationError
from backoffice.export import PENDING_SESSION_KEY, export_audit, export_csv, export_job_create, export_xlsx
from backoffice.filtersets import restrict_form_fields
from backoffice.htmx import vary_on_htmx, wants_partial
from backoffice.models import AuditEvent
from backoffice.money import MoneyField, format_money
from backoffice.paginator import FastPaginator, fast_count
from backoffice.querysets import ScopedQuerySet, is_operator_staff
from backoffice.services import reference_save, snapshot
from backoffice.tables import restrict_columns

MAX_PER_PAGE = 500


class ObjectPermissionMixin:
    queryset = None
    action = "view"
    #: (model, action) pairs the view needs besides its own, e.g. ((Segment, "change"),) to tag a player:
    #: without any of them the answer is 403, as for the view's own action.
    also_requires: tuple[tuple[type[models.Model], str], ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.restrict_to(request.user, pk=kwargs.get("pk"))
        return super().dispatch(request, *args, **kwargs)

    def restrict_to(self, user, pk=None) -> None:
        """403 when ``user`` may not perform the action at all; else the queryset becomes its rows.

        An id (``pk``) outside the user's view scope answers like a missing one (404); 403 only says "you may not
        do this" about an object the user can see, or on a model it cannot see at all (every id alike).
        """
        base = type(self).queryset.all()
        if not base.can(user, self.get_action()) or not all(
                m._default_manager.all().can(user, a) for m, a in self.also_requires):
            if pk is not None and base.can(user, "view"):
                get_object_or_404(base.restrict(user, "view"), pk=pk)
            raise PermissionDenied
        self.queryset = base.restrict(user, self.get_action())

    def get_action(self) -> str:
        return self.action

    @classmethod
    def allows(cls, user, kwargs: dict) -> bool:
        """Whether ``dispatch`` lets ``user`` in (no login page, no 403) for a URL with ``kwargs``.

        Links and buttons to the view are shown only then (``backoffice.links.url_allowed``).
        """
        if not getattr(user, "is_authenticated", False):
            return False
        view = cls()
        view.kwargs = kwargs
        return cls.queryset.all().can(user, view.get_action()) and all(
            m._default_manager.all().can(user, a) for m, a in cls.also_requires)

    @property
    def model(self):
        return type(self).queryset.model

    def get_object(self):
        return get_object_or_404(self.queryset, pk=self.kwargs["pk"])

    def object_actions(self, obj) -> list[dict]:
        """Buttons for the detail page: (label, url name, action), shown only when permitted on ``obj``."""

        buttons = []
        for label, url, action, style in getattr(self, "buttons", []):
            if type(self).queryset.all().permits(self.request.user, obj, action):
                buttons.append({"label": label, "url": reverse(url, args=[obj.pk]), "style": style})
        return buttons


class ObjectListView(ObjectPermissionMixin, View):
    """A django-tables2 table over the restricted, filtered queryset, with htmx partials and export."""

    table = None
    filterset = None
    template_name = "generic/object_list.html"
    partial_template_name = "partials/table.html"
    title = None
    add_url = None  # URL name of the create page, shown when the user may "add"
    per_page = None

    def get_filterset(self):
        if self.filterset is None:
            return None
        return self.filterset(self.request.GET or None, queryset=self.queryset, request=self.request)

    def get_table(self, queryset):
        # No request= here: django-tables2 would paginate at once with Django's counting paginator.
        table = self.table(queryset)
        restrict_columns(table, self.request.user)

        per_page = self.per_page or settings.LIST_PAGE_SIZE
        with contextlib.suppress(ValueError):
            per_page = max(1, min(int(self.request.GET.get("per_page", per_page)), MAX_PER_PAGE))
        RequestConfig(self.request, paginate={"paginator_class": FastPaginator, "per_page": per_page}).configure(
            table
        )
        return table

    @classmethod
    def for_user(cls, user, query: str, *args, **kwargs) -> ObjectListView:
        """The view as it answers ``user`` asking for the list with ``query``, outside any request.

        An export job re-runs the list through this: the same restriction (``restrict_to``), filter set,
        ordering and columns as the page, so a file made later holds what the inline export would have.
        """
        request = HttpRequest()
        request.method = "GET"
        request.user = user
        request.GET = QueryDict(query)
        view = cls()
        view.setup(request, *args, **kwargs)
        view.restrict_to(user)
        return view

    def get_rows(self, filterset=None):
        """The restricted queryset with the request's filters applied."""
        queryset = self.queryset
        if filterset is not None and filterset.is_bound:
            # Invalid filter input shows the form errors over an empty table, never a 500.
            queryset = filterset.qs if filterset.is_valid() else queryset.none()
        return queryset

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        queryset = self.get_rows(filterset)
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return self.export(queryset, export)
        table = self.get_table(queryset)
        context = {
            "title": self.title or capfirst(self.model._meta.verbose_name_plural),
            "table": table,
            "filterset": filterset,
            "model": self.model, "opts": self.model._meta,
            "add_url": self.add_url if self.add_url and type(self).queryset.can(request.user, "add") else None,
        }
        template = self.partial_template_name if wants_partial(request) else self.template_name
        return vary_on_htmx(TemplateResponse(request, template, context))

    def export_table(self, queryset):
        """The export's table (every column the user may see) and its rows in the requested order."""
        table = self.table(queryset)
        restrict_columns(table, self.request.user)
        RequestConfig(self.request, paginate=False).configure(table)
        return table, table.data.data

    def export(self, queryset, fmt: str):
        """Up to ``EXPORT_INLINE_MAX_ROWS`` rows (counted like the pager) stream at once; more become a job."""
        count, estimate = fast_count(queryset, exact_limit=settings.EXPORT_INLINE_MAX_ROWS)
        if count > settings.EXPORT_INLINE_MAX_ROWS:
            query = self.request.GET.copy()
            query.pop("export", None)
            title = self.title or capfirst(self.model._meta.verbose_name_plural)
            job = export_job_create(user=self.request.user, path=self.request.path, query=query.urlencode(),
                                    model=self.model, title=title, fmt=fmt, rows_total=count)
            self.request.session[PENDING_SESSION_KEY] = True  # pages now look for it finishing (context processor)
            messages.info(self.request, format_html(
                "Your export of {}{} rows is being prepared. <a href=\"{}\">Follow it in My exports</a>; "
                "you will be told here when it is ready.", "about " if estimate else "", f"{count:,}",
                job.get_absolute_url()))
            return HttpResponseRedirect(f"{self.request.path}?{query.urlencode()}" if query else self.request.path)
        table, ordered = self.export_table(queryset)
        name = self.model._meta.model_name
        export_audit(request=self.request, model=self.model, fmt=fmt)
        return export_csv(table, ordered, name) if fmt == "csv" else export_xlsx(table, ordered, name)


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


class ObjectEditView(ObjectPermissionMixin, View):
    """Create or edit reference data with a ModelForm. Money flows never use this: they have services."""

    form = None
    template_name = "generic/object_edit.html"

    def get_action(self):
        return "change" if "pk" in self.kwargs else "add"

    def get_instance(self):
        return self.get_object() if "pk" in self.kwargs else self.model()

    def get_form(self, instance):
        form = self.form(self.request.POST or None, self.request.FILES or None, instance=instance)
        restrict_form_fields(form, self.request.user)
        return form

    def render(self, form, instance):
        verb = "Edit" if instance.pk else "Add"
        return TemplateResponse(self.request, self.template_name, {
            "form": form, "object": instance if instance.pk else None, "model": self.model, "opts": self.model._meta,
            "title": f"{verb} {self.model._meta.verbose_name}"})

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render(self.get_form(instance), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        before = snapshot(instance) if instance.pk else None
        form = self.get_form(instance)
        if form.is_valid():
            try:
                with transaction.atomic():
                    obj = reference_save(instance=form.save(commit=False), before=before, actor=request.user,
                                         fields=list(form.changed_data))
                    form.save_m2m()
                    # The saved object must still be one the user may edit: an edit cannot move it out of
                    # the user's scope, nor into the part of it the user may only view.
                    if not self.model.objects.restrict(request.user, self.get_action()).filter(pk=obj.pk).exists():
                        raise PermissionDenied
            except (ApplicationError, ValidationError) as exc:
                form.add_error(None, getattr(exc, "message", None) or "; ".join(exc.messages))
            else:
                messages.success(request, f"{self.model._meta.verbose_name.capitalize()} “{obj}” saved.")
                return HttpResponseRedirect(obj.get_absolute_url())
        return self.render(form, instance)


class ActionView(ObjectPermissionMixin, View):
    """Validates a plain form, calls a service through ``perform()`` and redirects to ``get_success_url()``.

    With a ``pk`` in the URL the action is on that object (404 outside the user's scope); without one it
    is a create-style action (e.g. "add": ``perform(None, form)`` returns the new object).

    ``perform()`` runs in its own ``transaction.atomic()`` block: a service that refuses (``ApplicationError``
    or ``ValidationError``) after writing something leaves nothing behind, with or without
    ``ATOMIC_REQUESTS`` (with it, the block is a savepoint inside the request's transaction).
    """

    form = None
    template_name = "generic/action.html"
    title = None
    submit_label = "Save"
    success_message = "Done."
    success_url = None  # URL name to go to after success (with the object's pk for object actions)
    cancel_url = None  # URL name for create-style actions; object actions cancel back to the object

    def get_object(self):
        return super().get_object() if "pk" in self.kwargs else None

    def get_form(self, obj):
        form = self.form(self.request.POST or None, self.request.FILES or None, **self.get_form_kwargs(obj))
        restrict_form_fields(form, self.request.user)
        return form

    def get_form_kwargs(self, obj) -> dict:
        return {}

    def perform(self, obj, form):
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_success_url(self, obj, result) -> str:
        """``success_url`` when declared, else the page of the result, else the object's, else the cancel page."""
        if self.success_url:
            return reverse(self.success_url, args=[obj.pk] if obj is not None else [])
        for target in (result, obj):
            if hasattr(target, "get_absolute_url"):
                return target.get_absolute_url()
        return reverse(self.cancel_url)

    def render(self, obj, form):
        title = self.title or (f"{self.action.capitalize()} {obj}" if obj is not None
                               else f"{self.action.capitalize()} {self.model._meta.verbose_name}")
        cancel = obj.get_absolute_url() if obj is not None else (reverse(self.cancel_url) if self.cancel_url else "")
        return TemplateResponse(self.request, self.template_name, {
            "object": obj, "form": form, "model": self.model, "opts": self.model._meta,
            "submit_label": self.submit_label, "title": title, "cancel_url": cancel})

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render(obj, self.get_form(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form(obj)
        if form.is_valid():
            try:
                with transaction.atomic():
                    result = self.perform(obj, form)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                form.add_error(None, "; ".join(exc.messages))
            else:
                messages.success(request, self.get_success_message(result))
                return HttpResponseRedirect(self.get_success_url(obj, result))
        return self.render(obj, form)
