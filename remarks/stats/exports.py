"""The statistics tables as files: CSV (UTF-8 with a byte-order mark) and XLSX. The remark
list's export (remarks.exports) lends the spreadsheet conventions both share."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

from remarks.exports import FORMULA_PREFIXES, XLSX_CONTENT_TYPE
from remarks.stats.tables import Table


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    text = str(value)
    # A name that starts like a formula must stay text in a spreadsheet (CSV injection).
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _cells(table: Table) -> list[list]:
    return [[str(column.label) for column in table.columns]] + [[_cell(v) for v in row] for row in table.rows]


def _attachment(response: HttpResponse, table: Table, today, extension: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{table.slug}-{today.isoformat()}.{extension}"'
    return response


def export_csv(table: Table, today) -> HttpResponse:
    buffer = io.StringIO()
    # The byte-order mark makes spreadsheet programs read Kazakh and Russian as UTF-8.
    buffer.write("\ufeff")
    csv.writer(buffer).writerows(_cells(table))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _attachment(response, table, today, "csv")


def export_xlsx(table: Table, today) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.slug[:31])
    for row in _cells(table):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, table, today, "xlsx")


EXPORTERS = {"csv": export_csv, "xlsx": export_xlsx}
