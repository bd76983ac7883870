"""CSV and XLSX export of a list, through the same table columns and the same restricted, filtered queryset.

Every export, of a list or of any other page's rows (a reconciliation run), is audited with :func:`export_audit`
and its cells cleaned the same way (markup stripped, spreadsheet formulas neutralised).

CSV streams row by row with a server-side cursor, so exporting a million rows uses constant memory.
XLSX is written with openpyxl's write-only mode to a temporary file (Excel's own limit applies).

Export jobs. A list of more than ``EXPORT_INLINE_MAX_ROWS`` rows is not answered inline (the browser showed
nothing for the 12-24 s the query and the writing took): :func:`export_job_create` records an
:class:`~backoffice.models.ExportJob` and queues :func:`export_job_run` on a worker, which re-runs the same
list view for the job's user (``ObjectListView.for_user``) and writes the file into ``EXPORT_DIR``, with
progress every ``EXPORT_PROGRESS_EVERY`` rows. A run claims the job by bumping its ``run`` counter; a second
or restarted run takes over and starts again, the older one notices at its next progress write and stops,
and the file is renamed into place only under the job's row lock, so it is always one run's whole output.
:func:`export_jobs_sweep` fails jobs whose heartbeat stopped and deletes files after ``EXPORT_KEEP_DAYS``.
"""

from __future__ import annotations

import csv
import html
import os
import tempfile
from collections.abc import Callable, Iterable
from datetime import timedelta

import structlog
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.html import strip_tags
from django_tables2.rows import BoundRow
from openpyxl import Workbook

from backoffice.choices import ExportFormat, ExportStatus
from backoffice.models import ExportJob
from backoffice.services import audit_record

log = structlog.get_logger(__name__)

XLSX_MAX_ROWS = 1_048_575


class _Echo:
    def write(self, value):
        return value


def _rows(table, queryset, limit: int):
    columns = table.export_columns
    yield [c.header for c in columns]
    for record in queryset[:limit].iterator(chunk_size=2000):
        row = BoundRow(record, table=table)
        yield [row.get_cell_value(c.name) for c in columns]


def _clean(value) -> str:
    """Plain text for a spreadsheet cell: markup of on-screen rendering removed, formulas neutralised."""
    text = "" if value is None else str(value)
    if "<" in text or "&" in text:
        text = html.unescape(strip_tags(text)).strip()
    # Neutralise spreadsheet formula injection (CSV/XLSX opened in Excel).
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        text = "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)  # only a test of shape, the value is not used
    except ValueError:
        return False
    return True


def export_filename(name: str, ext: str) -> str:
    return f"{name}-{timezone.now():%Y%m%d-%H%M%S}.{ext}"


def export_audit(*, request, model, fmt: str, target=None, query: str | None = None, **extra) -> None:
    """Every export is audited: who took which rows out of the console, in which format, with which filter."""
    query = request.GET.urlencode() if query is None else query
    audit_record(actor=request.user, action="export", target=target, object_type=model._meta.label_lower,
                 after={"format": fmt, "query": query[:1000], **extra})


def csv_response(rows: Iterable[list], name: str) -> StreamingHttpResponse:
    """A streamed CSV download of ``rows`` (the header first), every cell cleaned like a table's."""
    writer = csv.writer(_Echo())
    lines = (writer.writerow([_clean(value) for value in r]) for r in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(name, "csv")}"'
    return response


def export_csv(table, queryset, name: str) -> StreamingHttpResponse:
    return csv_response(_rows(table, queryset, settings.EXPORT_MAX_ROWS), name)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx_write(table, queryset, name: str, target, progress: Callable[[int], None] | None = None) -> int:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=name[:31])
    count = -1  # the header is not a row
    for count, row in enumerate(_rows(table, queryset, min(settings.EXPORT_MAX_ROWS, XLSX_MAX_ROWS)), start=-1):
        ws.append([_clean(value) for value in row])
        if progress is not None and count and count % settings.EXPORT_PROGRESS_EVERY == 0:
            progress(count)
    wb.save(target)
    return count + 1


def _csv_write(table, queryset, target, progress: Callable[[int], None] | None = None) -> int:
    writer = csv.writer(target)
    count = -1
    for count, row in enumerate(_rows(table, queryset, settings.EXPORT_MAX_ROWS), start=-1):
        writer.writerow([_clean(value) for value in row])
        if progress is not None and count and count % settings.EXPORT_PROGRESS_EVERY == 0:
            progress(count)
    return count + 1


def export_xlsx(table, queryset, name: str) -> FileResponse:
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    _xlsx_write(table, queryset, name, tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=export_filename(name, "xlsx"), content_type=XLSX_CONTENT_TYPE)


# --- export jobs ---------------------------------------------------------------------------------------

OPEN = (ExportStatus.QUEUED, ExportStatus.RUNNING)
#: Set in the session of a user with an export job in progress: only then do pages look for finished ones.
PENDING_SESSION_KEY = "exports_pending"


class _Superseded(Exception):
    """Another run took the job over (or the sweep failed it): this run stops without a trace."""


@transaction.atomic
def export_job_create(*, user, path: str, query: str, model, title: str, fmt: str, rows_total: int) -> ExportJob:
    """Queue the export of the list at ``path`` with ``query`` for ``user``; audited like an inline export.

    The same export asked again while the first is still queued or running (a second click) is that job.
    """
    if fmt not in ExportFormat.values:
        raise ValueError(f"Unknown export format {fmt!r}")
    job = ExportJob.objects.filter(user=user, path=path, query=query, format=fmt, status__in=OPEN).first()
    if job is not None:
        return job
    job = ExportJob.objects.create(user=user, path=path, query=query, format=fmt, title=title[:200],
                                   object_type=model._meta.label_lower, rows_total=rows_total)
    audit_record(actor=user, action="export", object_type=model._meta.label_lower,
                 after={"format": fmt, "query": query[:1000], "job": job.pk, "rows": rows_total})
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    # cycle: backoffice.tasks imports this module (the services its tasks run)
    from backoffice.tasks import export_job_run_task  # noqa: PLC0415

    export_job_run_task.delay(job_id)


def _claim(job_id: int) -> ExportJob | None:
    """Start a run of the job: None when it is finished (or gone), else the job with this run's number."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in OPEN:
            return None
        job.status, job.run, job.rows_done, job.error = ExportStatus.RUNNING, job.run + 1, 0, ""
        job.save(update_fields=["status", "run", "rows_done", "error", "updated_at"])
    return job


def _heartbeat(job: ExportJob, rows: int) -> None:
    alive = ExportJob.objects.filter(pk=job.pk, run=job.run, status=ExportStatus.RUNNING).update(
        rows_done=rows, updated_at=timezone.now())
    if not alive:
        raise _Superseded


def _list_view(job: ExportJob):
    """The list view of the job's page, set up for the job's user and query (403/404 if no longer allowed)."""
    try:
        match = resolve(job.path)
    except Resolver404 as exc:
        raise Http404(job.path) from exc
    view_class = getattr(match.func, "view_class", None)
    if view_class is None or not hasattr(view_class, "for_user"):
        raise Http404(job.path)
    return view_class.for_user(job.user, job.query, *match.args, **match.kwargs)


def export_job_file_name(job: ExportJob) -> str:
    return f"export-{job.pk}.{job.format}"


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Write the job's file. Idempotent: a finished job is left alone, a running one is started over."""
    job = _claim(job_id)
    if job is None:
        return None
    storage = ExportJob._meta.get_field("file").storage
    name = export_job_file_name(job)
    os.makedirs(storage.location, exist_ok=True)
    part = storage.path(f"{name}.part{job.run}")
    try:
        view = _list_view(job)
        table, ordered = view.export_table(view.get_rows(view.get_filterset()))
        if job.format == ExportFormat.CSV:
            with open(part, "w", newline="", encoding="utf-8") as out:
                rows = _csv_write(table, ordered, out, lambda n: _heartbeat(job, n))
        else:
            rows = _xlsx_write(table, ordered, view.model._meta.model_name, part, lambda n: _heartbeat(job, n))
        with transaction.atomic():
            current = ExportJob.objects.select_for_update().get(pk=job.pk)
            if current.run != job.run or current.status != ExportStatus.RUNNING:
                raise _Superseded
            os.replace(part, storage.path(name))  # under the row lock: the file is one whole run's output
            current.status, current.rows_done, current.rows_total = ExportStatus.DONE, rows, rows
            current.file.name, current.size, current.finished_at = name, os.path.getsize(storage.path(name)), \
                timezone.now()
            current.save(update_fields=["status", "rows_done", "rows_total", "file", "size", "finished_at",
                                        "updated_at"])
        log.info("export.done", job=job.pk, rows=rows, run=job.run)
        return current
    except _Superseded:
        log.info("export.superseded", job=job.pk, run=job.run)
        return None
    except (PermissionDenied, Http404):
        _fail(job, "You may no longer view this list.")
    except Exception as exc:  # the job records why; the worker stays up for the next one
        log.exception("export.failed", job=job.pk)
        _fail(job, f"The export stopped: {type(exc).__name__}.")
    finally:
        if os.path.exists(part):
            os.remove(part)
    return None


def _fail(job: ExportJob, error: str) -> None:
    ExportJob.objects.filter(pk=job.pk, run=job.run, status=ExportStatus.RUNNING).update(
        status=ExportStatus.FAILED, error=error, finished_at=timezone.now(), updated_at=timezone.now())


def export_jobs_sweep(*, now=None) -> dict:
    """Fail the jobs without a heartbeat for ``EXPORT_JOB_STALE_MINUTES`` (a killed worker, a lost task) and
    delete the files of jobs finished more than ``EXPORT_KEEP_DAYS`` ago."""
    now = now or timezone.now()
    stale = ExportJob.objects.filter(status__in=OPEN, updated_at__lt=now - timedelta(
        minutes=settings.EXPORT_JOB_STALE_MINUTES)).update(
        status=ExportStatus.FAILED, finished_at=now, updated_at=now,
        error="The export made no progress for too long (its worker stopped). Ask for it again.")
    expired = 0
    old = ExportJob.objects.filter(status=ExportStatus.DONE, finished_at__lt=now - timedelta(
        days=settings.EXPORT_KEEP_DAYS)).exclude(file="")
    for job in old:
        job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(file="", size=0, updated_at=now)
        expired += 1
    if stale or expired:
        log.info("export.sweep", failed=stale, expired=expired)
    return {"failed": stale, "expired": expired}


def export_job_response(job: ExportJob) -> FileResponse:
    """The job's file as a download, named like an inline export of the same list."""
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404("No file")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("No file") from exc
    model_name = job.object_type.rsplit(".", 1)[-1]
    stamp = f"{timezone.localtime(job.finished_at):%Y%m%d-%H%M%S}"
    content_type = XLSX_CONTENT_TYPE if job.format == ExportFormat.XLSX else "text/csv; charset=utf-8"
    return FileResponse(handle, as_attachment=True, filename=f"{model_name}-{stamp}.{job.format}",
                        content_type=content_type)
