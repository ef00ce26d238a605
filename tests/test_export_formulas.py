"""Text a commissioner typed never runs as a formula in an export (formula injection).

- CSV has no cell types: a spreadsheet runs a cell that starts with =, +, - or @, so the
  CSV exports put a ' before such text (the guard is for CSV only).
- XLSX has cell types: the text is a plain string cell, never a formula (<f>), and holds
  exactly what was typed, without the CSV's '.

The XLSX is read as the spreadsheet program reads it: the sheet's XML inside the zip."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.urls import reverse

from commissioners.models import Commissioner
from tests.conftest import _commissioner

FORMULA_LIKE = ['=HYPERLINK("http://evil.example/?x")', "+1", "-2", "@SUM(A1)"]
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body_of(response).decode("utf-8-sig"))))


def xlsx_sheet(response) -> tuple[str, list[list[tuple[str | None, str]]]]:
    """The first sheet's XML and its rows as (cell type, text) pairs, shared strings resolved."""
    book = zipfile.ZipFile(io.BytesIO(body_of(response)))
    xml = book.read("xl/worksheets/sheet1.xml").decode()
    shared = []
    if "xl/sharedStrings.xml" in book.namelist():
        root = ElementTree.fromstring(book.read("xl/sharedStrings.xml"))
        shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['x']}}}t"))
                  for si in root.findall("x:si", NS)]
    rows = []
    for row in ElementTree.fromstring(xml).iter(f"{{{NS['x']}}}row"):
        cells = []
        for cell in row.findall("x:c", NS):
            kind = cell.get("t")
            if kind == "s":
                text = shared[int(cell.find("x:v", NS).text)]
            elif kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{{{NS['x']}}}t"))
            else:
                value = cell.find("x:v", NS)
                text = value.text if value is not None and value.text is not None else ""
            cells.append((kind, text))
        rows.append(cells)
    return xml, rows


def assert_no_formula_and_exact_text(response, expected: list[str]):
    xml, rows = xlsx_sheet(response)
    assert not re.search(r"<(\w+:)?f[ >/]", xml), "a cell of the sheet is a formula"
    texts = {text: kind for row in rows for kind, text in row}
    for value in expected:
        assert value in texts, (value, sorted(texts))
        # A string cell (shared or inline), not a formula's cached result ("str") or a number.
        assert texts[value] in ("s", "inlineStr"), (value, texts[value])
    assert not [text for text in texts if text.startswith("'")], "the CSV guard leaked into the XLSX"


# --- the queue's export -------------------------------------------------------------------


@pytest.fixture
def formula_titles(submit):
    return [submit(title=title) for title in FORMULA_LIKE]


def test_queue_csv_puts_the_guard_before_formula_like_text(client_for, coordinator, formula_titles):
    rows = csv_rows(client_for(coordinator).get(reverse("remarks:export", args=["csv"])))
    titles = {row[2] for row in rows[1:]}
    assert titles == {"'" + title for title in FORMULA_LIKE}


def test_queue_xlsx_holds_formula_like_text_as_plain_strings(client_for, coordinator, formula_titles):
    response = client_for(coordinator).get(reverse("remarks:export", args=["xlsx"]))
    assert response.status_code == 200
    assert_no_formula_and_exact_text(response, FORMULA_LIKE)


# --- the statistics' exports ----------------------------------------------------------------


@pytest.fixture
def formula_commissioners(world, submit):
    """Commissioners whose names look like formulas, each with one remark, so that the
    'By digital commissioner' table lists them."""
    cache.clear()
    for n, name in enumerate(FORMULA_LIKE):
        user = _commissioner(f"formula{n}", "Formula Person")
        Commissioner.objects.filter(user=user).update(full_name=name)
        submit(title=f"Remark number {n}", by=user)
    yield
    cache.clear()


def test_statistics_csv_puts_the_guard_before_formula_like_names(client_for, analyst, formula_commissioners):
    rows = csv_rows(client_for(analyst).get(reverse("stats:export", args=["commissioners", "csv"])))
    assert {row[0] for row in rows[1:]} == {"'" + name for name in FORMULA_LIKE}


def test_statistics_xlsx_has_no_formula(client_for, analyst, formula_commissioners):
    response = client_for(analyst).get(reverse("stats:export", args=["commissioners", "xlsx"]))
    assert response.status_code == 200
    xml, _rows = xlsx_sheet(response)
    assert not re.search(r"<(\w+:)?f[ >/]", xml), "a cell of the sheet is a formula"


def test_statistics_xlsx_holds_formula_like_names_exactly(client_for, analyst, formula_commissioners):
    response = client_for(analyst).get(reverse("stats:export", args=["commissioners", "xlsx"]))
    assert_no_formula_and_exact_text(response, FORMULA_LIKE)
