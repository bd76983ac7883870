"""FX rate import and gateway reconciliation runs (file uploads)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from backoffice.export import csv_response, export_audit
from backoffice.filtersets import restrict_form_fields
from backoffice.views import generic
from cashier import forms, tables
from cashier.models import (
    FxRate,
    ReconciliationRun,
)
from cashier.services.fx import fx_import
from cashier.services.reconciliation import reconcile, reconciliation_rows


class _UploadActionView(generic.ActionView):
    """An ActionView whose form takes a file."""

    def get_form(self, obj):
        form = self.form(self.request.POST or None, self.request.FILES or None, **self.get_form_kwargs(obj))
        restrict_form_fields(form, self.request.user)
        return form


class FxImportView(_UploadActionView):
    queryset = FxRate.objects.all()
    action = "add"
    form = forms.FxImportForm
    title = "Import FX rates (CSV)"
    submit_label = "Import"
    success_url = cancel_url = "cashier:fxrate_list"

    def perform(self, obj, form):
        upload = form.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError("The file is larger than 5 MB.")
        count, problems = fx_import(data=upload.read(), actor=self.request.user, source=upload.name)
        if problems:
            raise ValidationError(problems[:20])
        self.imported = count

    def get_success_message(self, result):
        return f"Imported {self.imported} rate(s)."


class ReconciliationRunListView(generic.ObjectListView):
    queryset = ReconciliationRun.objects.select_related("gateway", "created_by").defer("rows")
    table = tables.ReconciliationRunTable
    title = "Reconciliations"
    add_url = "cashier:reconciliationrun_add"


class ReconciliationRunView(generic.ObjectDetailView):
    queryset = ReconciliationRun.objects.select_related("gateway", "created_by")
    template_name = "cashier/reconciliationrun.html"
    detail_fields = ["gateway", "file_name", "created_by", "created_at"]

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            # A download of the run's rows: audited and cleaned like every list export.
            run = self.get_object()
            export_audit(request=request, model=self.model, fmt="csv", target=run)
            return csv_response(reconciliation_rows(run), f"reconciliation-{run.pk}")
        return super().get(request, *args, **kwargs)

    def get_extra_context(self, obj):
        order = {"mismatch": 0, "missing_ours": 1, "missing_theirs": 2, "duplicate": 3, "unreadable": 4, "matched": 5}
        rows = sorted(obj.rows, key=lambda r: order.get(r["result"], 9))[:500]
        return {"summary": obj.summary, "rows": rows, "total_rows": len(obj.rows)}


class ReconciliationUploadView(_UploadActionView):
    queryset = ReconciliationRun.objects.all()
    action = "add"
    form = forms.ReconcileForm
    title = "Reconcile a settlement file"
    submit_label = "Reconcile"
    success_message = "Reconciliation done."
    cancel_url = "cashier:reconciliationrun_list"

    def perform(self, obj, form):
        upload = form.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise ValidationError("The file is larger than 20 MB.")
        return reconcile(gateway=form.cleaned_data["gateway"], data=upload.read(), file_name=upload.name,
                         actor=self.request.user)
