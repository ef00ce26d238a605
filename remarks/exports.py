"""The queue as CSV and XLSX, in the reader's language, without holding it in memory.

The rows are one query (the latest response's outgoing number is a subquery, not a query
per row) read in chunks with .iterator(); CSV streams, XLSX is written row by row in
openpyxl's write-only mode to a temporary file that FileResponse streams and then closes."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator

from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.i18n import active_language
from remarks.models import Remark, Response
from remarks.workflow import Status

CHUNK_SIZE = 2000
CSV_BATCH = 500
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def headers() -> list[str]:
    return [
        _("Reference"), _("Kind"), _("Title"), _("Status"), _("Executing agency"), _("Service"), _("Sector"),
        _("Author"), _("Submitted"), _("Due date"), _("Overdue"), _("Closed"), _("Outgoing number"),
    ]


def _translated(relation: str, lang: str):
    """The related object's name in the reader's language, Kazakh when that one is empty."""
    return Coalesce(NullIf(F(f"{relation}__name_{lang}"), Value("")), F(f"{relation}__name_kk"))


def export_rows(queryset: QuerySet[Remark]) -> QuerySet:
    """The export's columns as tuples, in the queryset's order, in one query."""
    lang = active_language()
    latest_number = (
        Response.objects.filter(remark=OuterRef("pk"))
        .order_by("-sent_at", "-pk")
        .values("outgoing_number")[:1]
    )
    return (
        queryset.with_overdue_flag()
        .annotate(
            x_agency=_translated("agency", lang),
            x_service=_translated("service", lang),
            x_category=_translated("category", lang),
            x_author=Coalesce(NullIf(F("author__commissioner__full_name"), Value("")), F("author__username")),
            x_outgoing=Subquery(latest_number),
        )
        .values_list(
            "reference", "kind", "title", "status", "x_agency", "x_service", "x_category", "x_author",
            "submitted_at", "due_date", "is_overdue", "closed_at", "x_outgoing",
        )
    )


class _Formatter:
    """Turns a row of export_rows into cells; labels are translated once, up front, because
    a streamed body is produced after the view has returned."""

    def __init__(self):
        self.kinds = {value: str(label) for value, label in Remark.Kind.choices}
        self.statuses = {value: str(label) for value, label in Status.choices}
        self.yes, self.no = _("Yes"), _("No")

    def cells(self, row) -> list:
        (reference, kind, title, status, agency, service, category, author, submitted, due, overdue, closed,
         outgoing) = row
        return [
            reference, self.kinds.get(kind, kind), title, self.statuses.get(status, status), agency or "",
            service or "", category or "", author or "", _local(submitted), due,
            self.yes if overdue else self.no, _local(closed), outgoing or "",
        ]


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    # Spreadsheets know no time zones: the reader's local time, minute precision.
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, second=0, microsecond=0)


def _filename(ext: str) -> str:
    return f"remarks-{timezone.localdate():%Y-%m-%d}.{ext}"


# --- CSV -------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_lines(queryset: QuerySet[Remark]) -> Iterator[str]:
    formatter, writer = _Formatter(), csv.writer(_Echo())
    # The byte order mark makes spreadsheet programs read the file as UTF-8 (Kazakh, Russian).
    yield "\ufeff" + writer.writerow(headers())
    batch = []
    for row in export_rows(queryset).iterator(chunk_size=CHUNK_SIZE):
        batch.append(writer.writerow([_csv_text(v) for v in formatter.cells(row)]))
        if len(batch) >= CSV_BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def csv_response(queryset: QuerySet[Remark]) -> StreamingHttpResponse:
    lines = csv_lines(queryset)
    # The header line is produced now, while the request's language is active.
    first = next(lines)

    def body():
        yield first
        yield from lines

    return StreamingHttpResponse(
        body(), content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_filename("csv")}"'},
    )


# --- XLSX ------------------------------------------------------------------------------


def xlsx_response(queryset: QuerySet[Remark]) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Remarks")[:31])
    sheet.append(headers())
    formatter = _Formatter()
    for row in export_rows(queryset).iterator(chunk_size=CHUNK_SIZE):
        cells = []
        for value in formatter.cells(row):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if value.startswith(FORMULA_PREFIXES):
                    # A string cell, never a formula, holding exactly what was typed: the
                    # CSV's ' guard is for a format without cell types, not for this one.
                    cell = WriteOnlyCell(sheet, value)
                    cell.data_type = "s"
                    value = cell
            cells.append(value)
        sheet.append(cells)
    # Deleted when the response closes it; nothing stays on the node.
    file = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=_filename("xlsx"), content_type=XLSX_CONTENT_TYPE)


FORMATS = {"csv": csv_response, "xlsx": xlsx_response}
