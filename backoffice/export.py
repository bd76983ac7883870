"""CSV and XLSX export of a list, through the same table columns and the same restricted, filtered queryset.

Every export, of a list or of any other page's rows (a reconciliation run), is audited with :func:`export_audit`
and its cells cleaned the same way (markup stripped, spreadsheet formulas neutralised).

CSV streams row by row with a server-side cursor, so exporting a million rows uses constant memory.
XLSX is written with openpyxl's write-only mode to a temporary file (Excel's own limit applies).
"""

from __future__ import annotations

import csv
import html
import tempfile
from collections.abc import Iterable

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django_tables2.rows import BoundRow
from openpyxl import Workbook

from backoffice.services import audit_record

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


def export_audit(*, request, model, fmt: str, target=None) -> None:
    """Every export is audited: who took which rows out of the console, in which format, with which filter."""
    audit_record(actor=request.user, action="export", target=target, object_type=model._meta.label_lower,
                 after={"format": fmt, "query": request.GET.urlencode()[:1000]})


def csv_response(rows: Iterable[list], name: str) -> StreamingHttpResponse:
    """A streamed CSV download of ``rows`` (the header first), every cell cleaned like a table's."""
    writer = csv.writer(_Echo())
    lines = (writer.writerow([_clean(value) for value in r]) for r in rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(name, "csv")}"'
    return response


def export_csv(table, queryset, name: str) -> StreamingHttpResponse:
    return csv_response(_rows(table, queryset, settings.EXPORT_MAX_ROWS), name)


def export_xlsx(table, queryset, name: str) -> FileResponse:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=name[:31])
    for row in _rows(table, queryset, min(settings.EXPORT_MAX_ROWS, XLSX_MAX_ROWS)):
        ws.append([_clean(value) for value in row])
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    wb.save(tmp)
    tmp.seek(0)
    return FileResponse(
        tmp, as_attachment=True, filename=export_filename(name, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
