"""The audit log pages (Risk & Compliance, administrators)."""

import django_tables2 as tables

from backoffice import filtersets
from backoffice.models import AuditEvent
from backoffice.tables import BaseTable
from backoffice.views import generic


class AuditEventTable(BaseTable):
    seq = tables.Column(linkify=True, verbose_name="#")
    created_at = tables.DateTimeColumn(format="Y-m-d H:i:s", verbose_name="Time")
    actor_label = tables.Column(verbose_name="Actor")
    object_repr = tables.Column(verbose_name="Object")

    class Meta(BaseTable.Meta):
        model = AuditEvent
        fields = ("seq", "created_at", "actor_label", "action", "object_type", "object_repr", "reason", "ip",
                  "request_id", "hash")
        default_columns = ("seq", "created_at", "actor_label", "action", "object_type", "object_repr", "ip")
        order_by = ("-seq",)


class AuditEventListView(generic.ObjectListView):
    queryset = AuditEvent.objects.select_related("actor")
    table = AuditEventTable
    filterset = filtersets.AuditEventFilterSet
    title = "Audit log"


class AuditEventView(generic.ObjectDetailView):
    queryset = AuditEvent.objects.select_related("actor")
    template_name = "backoffice/auditevent.html"
