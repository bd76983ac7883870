"""ObjectListView: a django-tables2 table over the restricted, filtered queryset, htmx partials and exports."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.views import View
from django_tables2 import RequestConfig

from backoffice.export import PENDING_SESSION_KEY, export_audit, export_csv, export_job_create, export_xlsx
from backoffice.htmx import vary_on_htmx, wants_partial
from backoffice.paginator import FastPaginator, fast_count
from backoffice.tables import restrict_columns
from backoffice.views.generic.base import MAX_PER_PAGE, ObjectPermissionMixin


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
