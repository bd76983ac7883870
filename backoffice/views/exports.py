"""My exports: the export jobs of the signed-in user (all of them for operators holding
``backoffice.view_exportjob``), their progress, and the download of their files.

Scope is ``ExportJob.objects.restrict()`` like every page: a job of another login is a 404, for the page and
for its file alike.
"""

from django.template.response import TemplateResponse

from backoffice.export import OPEN, export_job_response
from backoffice.htmx import vary_on_htmx, wants_partial
from backoffice.models import ExportJob
from backoffice.services import audit_record
from backoffice.tables import ExportJobTable
from backoffice.views import generic


class ExportJobListView(generic.ObjectListView):
    queryset = ExportJob.objects.select_related("user")
    table = ExportJobTable
    title = "My exports"
    template_name = "backoffice/exportjob_list.html"
    partial_template_name = "backoffice/partials/exportjob_table.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if isinstance(response, TemplateResponse):
            # The table refreshes itself (htmx) while one of the listed jobs is still queued or running.
            response.context_data["polling"] = self.queryset.filter(status__in=OPEN).exists()
        return response


class ExportJobView(generic.ObjectDetailView):
    queryset = ExportJob.objects.select_related("user")
    template_name = "backoffice/exportjob.html"
    detail_fields = ["title", "format", "status", "user", "path", "query", "created_at", "finished_at", "error"]
    activity_limit = 0

    def get_template_names(self):
        return ["backoffice/partials/exportjob_progress.html"] if wants_partial(self.request) else [self.template_name]

    def activity(self, obj):
        return None  # a job is bookkeeping of its own; the export itself is in the audit log

    def get(self, request, *args, **kwargs):
        return vary_on_htmx(super().get(request, *args, **kwargs))


class ExportJobDownloadView(generic.ObjectDetailView):
    """The job's file, for whoever may see the job (404 otherwise); every download is audited."""

    queryset = ExportJob.objects.select_related("user")

    def get(self, request, *args, **kwargs):
        job = self.get_object()
        response = export_job_response(job)  # 404 before the file exists or after it was deleted
        audit_record(actor=request.user, action="export.download", target=job,
                     after={"format": job.format, "rows": job.rows_done, "owner": job.user.get_username()})
        return response

