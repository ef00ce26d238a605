"""The statistics tables as files: CSV (UTF-8 with a byte-order mark) and XLSX. The remark
list's export (remarks.exports) lends the spreadsheet conventions both share."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

from remarks.exports import FORMULA_PREFIXES, XLSX_CONTENT_TYPE
from remarks.stats.tables import Table


def _cell(value, *, guard: bool):
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    text = str(value)
    # A name that starts like a formula must stay text in a CSV (formula injection); the
    # XLSX has cell types instead and holds the name exactly, as a string cell.
    return "'" + text if guard and text.startswith(FORMULA_PREFIXES) else text


def _cells(table: Table, *, guard: bool = True) -> list[list]:
    return [[str(column.label) for column in table.columns]] + [
        [_cell(v, guard=guard) for v in row] for row in table.rows
    ]


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
    from openpyxl.cell import WriteOnlyCell

    sheet = workbook.create_sheet(title=table.slug[:31])
    for row in _cells(table, guard=False):
        cells = []
        for value in row:
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                value = WriteOnlyCell(sheet, value)
                value.data_type = "s"  # a string, never a formula
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, table, today, "xlsx")


EXPORTERS = {"csv": export_csv, "xlsx": export_xlsx}
