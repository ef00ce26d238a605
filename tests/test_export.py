"""Export of the filtered queue as CSV and XLSX: content cell by cell, language, scoping,
and streaming of a large queue."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse

from remarks.models import Remark, Response
from remarks.workflow import Status
from tests.test_queue import make_rows

CSV = reverse("remarks:export", args=["csv"])
XLSX = reverse("remarks:export", args=["xlsx"])
# Exact query counts of each page, so that an added query per page shows up; a change of
# the code that changes a count changes the number here, on purpose.
CSV_EXPORT_QUERIES = 4
HEADER = ["Reference", "Kind", "Title", "Status", "Executing agency", "Service", "Sector", "Author",
          "Submitted", "Due date", "Overdue", "Closed", "Outgoing number"]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[list]:
    assert isinstance(response, FileResponse)
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


@pytest.fixture
def known(world, remark_in, submit):
    with time_machine.travel(dt.datetime(2026, 5, 4, 5, 30, tzinfo=dt.UTC), tick=False):  # 10:30 in Almaty
        resolved = remark_in(Status.RESOLVED, title="=HYPERLINK(\"http://evil\") fee lost")
    with time_machine.travel(dt.datetime(2026, 5, 5, 5, 30, tzinfo=dt.UTC), tick=False):
        routed = remark_in(Status.IN_REVIEW, title="Licence renewal form freezes")
        waiting = submit(title="Dark theme", kind="suggestion", service=world.portal)
    return type("Known", (), dict(resolved=resolved, routed=routed, waiting=waiting))


@time_machine.travel(dt.datetime(2026, 6, 15, 6, 0, tzinfo=dt.UTC), tick=False)
def test_csv_export_has_the_expected_cells(client_for, coordinator, known):
    rows = csv_rows(client_for(coordinator).get(CSV, {"sort": "-submitted"}))
    number = Response.objects.get(remark=known.resolved).outgoing_number
    assert rows[0] == HEADER
    routed, resolved = Remark.objects.get(pk=known.routed.pk), Remark.objects.get(pk=known.resolved.pk)
    assert rows[1:] == [
        [known.waiting.reference, "Suggestion", "Dark theme", "Submitted", "", "E-gov interface", "E-gov",
         "Alice Author", "2026-05-05 10:30", known.waiting.due_date.isoformat(), "Yes", "", ""],
        [routed.reference, "Remark", "Licence renewal form freezes", "In review",
         "Ministry of Internal Affairs", "Vehicle registration", "Vehicles", "Alice Author",
         "2026-05-05 10:30", routed.due_date.isoformat(), "Yes", "", ""],
        [resolved.reference, "Remark", "'=HYPERLINK(\"http://evil\") fee lost", "Resolved",
         "Ministry of Internal Affairs", "Vehicle registration", "Vehicles", "Alice Author",
         "2026-05-04 10:30", resolved.due_date.isoformat(), "No", "2026-05-04 10:30", number],
    ]
    assert number.startswith("MIA-2026-")


@time_machine.travel(dt.datetime(2026, 6, 15, 6, 0, tzinfo=dt.UTC), tick=False)
def test_xlsx_export_has_the_expected_cells(client_for, coordinator, known):
    response = client_for(coordinator).get(XLSX, {"status": "resolved"})
    assert response["Content-Disposition"].startswith('attachment; filename="remarks-2026-06-15.xlsx"')
    rows = xlsx_rows(response)
    resolved = Remark.objects.get(pk=known.resolved.pk)
    assert rows == [HEADER, [
        resolved.reference, "Remark", "=HYPERLINK(\"http://evil\") fee lost", "Resolved",
        "Ministry of Internal Affairs", "Vehicle registration", "Vehicles", "Alice Author",
        dt.datetime(2026, 5, 4, 10, 30), dt.datetime.combine(resolved.due_date, dt.time()), "No",
        dt.datetime(2026, 5, 4, 10, 30), Response.objects.get(remark=resolved).outgoing_number,
    ]]


def test_export_is_in_the_users_language(client_for, coordinator, known):
    client = client_for(coordinator)
    client.cookies["django_language"] = "ru"
    rows = csv_rows(client.get(CSV, {"status": "in_review"}))
    assert rows[1][4] == "Ministry of Internal Affairs (ru)" and rows[1][6] == "Транспорт"
    assert rows[1][0] == known.routed.reference


def test_export_keeps_the_filters_of_the_queue(client_for, coordinator, known, world):
    client = client_for(coordinator)
    rows = csv_rows(client.get(CSV, {"service": world.portal.pk}))
    assert [r[0] for r in rows[1:]] == [known.waiting.reference]
    page = client.get(reverse("remarks:list"), {"service": world.portal.pk}).content.decode()
    assert f'{CSV}?service={world.portal.pk}' in page and f'{XLSX}?service={world.portal.pk}' in page


def test_officer_export_has_only_rows_the_officer_may_see(client_for, officer, other_officer, known):
    assert [r[0] for r in csv_rows(client_for(officer).get(CSV))[1:]] == sorted(
        [known.routed.reference, known.resolved.reference],
        key=lambda ref: Remark.objects.get(reference=ref).due_date)
    assert csv_rows(client_for(other_officer).get(CSV)) == [HEADER]
    assert xlsx_rows(client_for(other_officer).get(XLSX)) == [HEADER]


def test_unknown_export_format_is_404(client_for, coordinator, world):
    assert client_for(coordinator).get(reverse("remarks:export", args=["pdf"])).status_code == 404


def test_export_costs_a_fixed_number_of_queries(client_for, coordinator, world, author,
                                                django_assert_num_queries):
    make_rows(300, world=world, author=author, agency=world.mia, status=Status.IN_REVIEW)
    client = client_for(coordinator)
    with django_assert_num_queries(CSV_EXPORT_QUERIES):
        assert len(csv_rows(client.get(CSV))) == 301


@pytest.mark.postgres
def test_a_large_csv_export_streams(client_for, coordinator, world, author):
    # 100,000 rows on PostgreSQL; 20,000 on SQLite, where building them is slower.
    size = 100_000 if connection.vendor == "postgresql" else 20_000
    make_rows(size, world=world, author=author, agency=world.mia, status=Status.IN_REVIEW)
    response = client_for(coordinator).get(CSV)
    assert isinstance(response, StreamingHttpResponse)
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    assert lines == size + 1
