"""core.rows.insert_rows: the plain-row writer of the facts and the synthetic load. What it
writes reads back through the ORM exactly as bulk_create would have written it, on both
backends and on both of PostgreSQL's paths (INSERT below COPY_FROM rows, COPY above)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.rows import COPY_FROM, insert_rows
from remarks.models import RemarkEvent
from remarks.stats.models import AuthorFact, Grain

# Texts COPY's CSV could take for something else: an empty string and its NULL marker, quotes,
# commas, a line break, and the article's own letters.
AWKWARD = ["", r"\N", 'a "quoted", text\nover two lines', "Ескерту қабылданды; ХҚКО"]


@pytest.mark.parametrize("count", [len(AWKWARD), COPY_FROM + 7])
def test_rows_read_back_as_written(world, submit, author, count):
    remark = submit()
    moment = timezone.now().replace(microsecond=123456) - dt.timedelta(days=3)
    rows = [[remark.pk, None if n % 2 else author.pk, "comment", "", "", AWKWARD[n % len(AWKWARD)],
             {"n": n, "note": AWKWARD[n % len(AWKWARD)]}, moment + dt.timedelta(minutes=n)] for n in range(count)]
    before = set(RemarkEvent.objects.values_list("pk", flat=True))
    insert_rows(RemarkEvent, ("remark_id", "actor_id", "action", "from_status", "to_status", "text", "payload",
                              "created_at"), rows)
    written = list(RemarkEvent.objects.exclude(pk__in=before).order_by("created_at"))
    assert [(e.actor_id, e.text, e.payload, e.created_at) for e in written] == [
        (row[1], row[5], row[6], row[7]) for row in rows]


@pytest.mark.parametrize("count", [3, COPY_FROM])
def test_facts_keep_their_dates_booleans_and_signs(db, count):
    day = dt.date(2026, 3, 31)
    rows = [(day + dt.timedelta(days=n % 40), "filed", 10 + n, n % 2 == 0, n % 5, 0, 0, "remark", -1 if n % 3 else 2,
             Grain.PENDING) for n in range(count)]
    insert_rows(AuthorFact, ("day", "measure", "user", "detail", "agency", "service", "category", "kind", "n",
                             "grain"), rows)
    assert list(AuthorFact.objects.order_by("user").values_list(
        "day", "measure", "user", "detail", "agency", "service", "category", "kind", "n", "grain")) == rows


def test_a_request_sized_write_is_one_counted_query(db):
    """What a request writes stays visible to the query counts the tests pin."""
    rows = [(dt.date(2026, 1, 1), "filed", n, True, 0, 0, 0, "remark", 1, Grain.PENDING) for n in range(50)]
    with CaptureQueriesContext(connection) as captured:
        insert_rows(AuthorFact, ("day", "measure", "user", "detail", "agency", "service", "category", "kind", "n",
                                 "grain"), rows)
    assert len(captured.captured_queries) == 1
    assert AuthorFact.objects.count() == 50


@pytest.mark.postgres
def test_a_bulk_fold_writes_the_day_rows_in_the_order_of_their_days(db):
    """After a bulk load the day rows of one day share pages: in the order of the grouping (a
    hash), a day's 3,000 rows lay on 2,200 pages at 1,000,000 remarks."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    import random

    from remarks.stats import rollup

    days = [dt.date(2026, 1, 1) + dt.timedelta(days=n) for n in range(60)]
    rows = [(day, "filed", user, True, user % 4, 0, 0, "remark", 1, Grain.PENDING)
            for day in days for user in range(20)]
    random.Random(3).shuffle(rows)
    insert_rows(AuthorFact, ("day", "measure", "user", "detail", "agency", "service", "category", "kind", "n",
                             "grain"), rows)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_sort = off")  # a sort is then taken only where one is asked for
        try:
            rollup._fold_pending(AuthorFact)
        finally:
            cursor.execute("RESET enable_sort")
        cursor.execute("SELECT day FROM remarks_authorfact WHERE grain = %s ORDER BY ctid", [Grain.DAY])
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == len(rows) and stored == sorted(stored)
