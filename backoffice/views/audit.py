"""The audit log pages (Risk & Compliance, administrators)."""

from backoffice import filtersets
from backoffice.models import AuditEvent
from backoffice.tables import AuditEventTable
from backoffice.views import generic


class AuditEventListView(generic.ObjectListView):
    queryset = AuditEvent.objects.select_related("actor")
    table = AuditEventTable
    filterset = filtersets.AuditEventFilterSet
    title = "Audit log"


class AuditEventView(generic.ObjectDetailView):
    queryset = AuditEvent.objects.select_related("actor")
    template_name = "backoffice/auditevent.html"
