"""The queue is turned by keyset ("seek") pages: every remark is reachable in every sort order,
with no repeats and no gaps, a deep page costs what the first costs, and an old `?page=N` link
or a tampered link opens the first page with a note."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from remarks.models import Remark
from remarks.querysets import search_text
from remarks.workflow import Status
from tests.test_queue import QUEUE

SIZE = 1200
NEXT = re.compile(r'<a rel="next" href="\?([^"]+)"')
PREVIOUS = re.compile(r'<a rel="prev" href="\?([^"]+)"')


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def remarks(world, author, officer):
    """1,200 remarks whose sort keys tie often (7 due dates, 13 filing minutes, 5 support
    counts), so that only the tie-breaker keeps the pages apart: every fourth awaits routing,
    the others are with the MIA, every third of all is assigned to the officer."""
    today = timezone.localdate()
    base = timezone.now() - dt.timedelta(days=30)
    rows = []
    for i in range(SIZE):
        routing = i % 4 == 0
        rows.append(Remark(
            reference=f"R-1998-{i:07d}", title=f"Paged remark {i}", description="Generated.",
            search_text=search_text(f"Paged remark {i}", "Generated."), category=world.vehicles, author=author,
            status=Status.SUBMITTED if routing else Status.IN_REVIEW, agency=None if routing else world.mia,
            assignee=officer if i % 3 == 0 and not routing else None, registered_on=today,
            routing_due=today + dt.timedelta(days=i % 5), due_date=today + dt.timedelta(days=i % 7),
            submitted_at=base + dt.timedelta(minutes=i % 13), support_count=i % 5))
    Remark.objects.bulk_create(rows, batch_size=1000)
    return {r.reference: r for r in Remark.objects.all()}


def walk(client, query: str, link=NEXT) -> list[str]:
    """The references of every page, following the page's own Next (or Previous) link."""
    seen, pages = [], 0
    while True:
        response = client.get(f"{QUEUE}?{query}")
        assert response.status_code == 200
        seen.extend(r.reference for r in response.context["page"].object_list)
        pages += 1
        assert pages <= SIZE // 50 + 2, "the pages do not end"
        found = link.search(response.content.decode())
        if found is None:
            return seen
        query = html.unescape(found.group(1))


# The orders the design gives each sort (DESIGN.md, the queue): keys, then the reference's number.
ORDERS = {
    "due": lambda r: (r.due_date, r.pk),
    "submitted": lambda r: (r.submitted_at, r.pk),
    "-submitted": lambda r: (-r.submitted_at.timestamp(), -r.pk),
    "-supports": lambda r: (-r.support_count, -r.submitted_at.timestamp(), r.pk),
}


@pytest.mark.parametrize("sort", sorted(ORDERS))
def test_every_remark_is_reached_once_in_every_sort_order(client_for, coordinator, remarks, sort):
    client = client_for(coordinator)
    seen = walk(client, f"view=all&sort={sort}")
    assert len(seen) == len(set(seen)) == SIZE
    assert seen == [r.reference for r in sorted(remarks.values(), key=ORDERS[sort])]


def test_the_default_views_reach_every_remark_they_hold(client_for, coordinator, officer, remarks):
    routing = sorted((r for r in remarks.values() if r.status == Status.SUBMITTED),
                     key=lambda r: (r.routing_due, r.pk))
    assert walk(client_for(coordinator), "view=mine") == [r.reference for r in routing]
    # The officer's own first, then the agency's open ones, each by due date.
    with_mia = sorted((r for r in remarks.values() if r.agency_id is not None),
                      key=lambda r: (r.assignee_id != officer.pk, r.due_date, r.pk))
    assert walk(client_for(officer), "view=mine") == [r.reference for r in with_mia]


def test_previous_pages_lead_back_to_the_first_in_the_same_order(client_for, coordinator, remarks):
    client = client_for(coordinator)
    forward = walk(client, "view=all&sort=-supports")
    response = client.get(f"{QUEUE}?view=all&sort=-supports")
    for _ in range(5):  # five pages in
        query = html.unescape(NEXT.search(response.content.decode()).group(1))
        response = client.get(f"{QUEUE}?{query}")
    last_query = html.unescape(PREVIOUS.search(response.content.decode()).group(1))
    backward = walk(client, last_query, link=PREVIOUS)
    # Pages 5, 4, ... 1, each in reading order.
    pages = [forward[i:i + 50] for i in range(0, 250, 50)]
    assert backward == [ref for page in reversed(pages) for ref in page]


def test_a_deep_page_costs_the_queries_of_the_first(client_for, coordinator, remarks):
    client = client_for(coordinator)
    response = client.get(f"{QUEUE}?view=all&sort=due")
    with CaptureQueriesContext(connection) as first:
        client.get(f"{QUEUE}?view=all&sort=due")
    for _ in range(20):
        query = html.unescape(NEXT.search(response.content.decode()).group(1))
        response = client.get(f"{QUEUE}?{query}")
    with CaptureQueriesContext(connection) as deep:
        client.get(f"{QUEUE}?{query}")
    assert len(deep) == len(first)
    assert "OFFSET" not in " ".join(q["sql"] for q in deep.captured_queries).upper()


@pytest.mark.parametrize("query", ["view=all&page=7", "view=all&after=not-a-token", "view=all&before=eyJ4Ijox"])
def test_an_old_page_number_or_a_bad_link_opens_the_first_page_with_a_note(client_for, coordinator, remarks, query):
    client = client_for(coordinator)
    first = [r.reference for r in client.get(f"{QUEUE}?view=all").context["page"].object_list]
    response = client.get(f"{QUEUE}?{query}")
    assert [r.reference for r in response.context["page"].object_list] == first
    assert "an old page number opens its first page" in response.content.decode()


def test_the_tabs_and_the_search_do_not_carry_the_position(client_for, coordinator, remarks):
    client = client_for(coordinator)
    response = client.get(f"{QUEUE}?view=all")
    query = html.unescape(NEXT.search(response.content.decode()).group(1))
    second = client.get(f"{QUEUE}?{query}")
    assert all("after=" not in tab["query"] for tab in second.context["status_tabs"])
    assert all(name not in ("after", "before") for name, _value in second.context["search_keeps"])


def test_the_officers_pages_lead_back_across_their_own_and_the_agencys(client_for, officer, remarks):
    """The officer's own remarks and the agency's others are read one part after the other:
    the pages back from the last one are the same pages, the one that spans both included."""
    client = client_for(officer)
    forward = walk(client, "view=mine")
    response = client.get(f"{QUEUE}?view=mine")
    while (found := NEXT.search(response.content.decode())) is not None:
        response = client.get(f"{QUEUE}?{html.unescape(found.group(1))}")
    last = [r.reference for r in response.context["page"].object_list]
    backward = walk(client, html.unescape(PREVIOUS.search(response.content.decode()).group(1)), link=PREVIOUS)
    pages = [forward[i:i + 50] for i in range(0, len(forward), 50)]
    assert pages[-1] == last
    assert backward == [ref for page in reversed(pages[:-1]) for ref in page]


def test_the_officers_page_costs_one_query_more_only_at_the_seam_of_their_own(client_for, officer, remarks):
    """300 of the officer's own, six pages: the pages within them and within the agency's others
    cost what the first costs; the two at the seam read both parts (the sixth looks for its
    next row, the seventh starts after the last of the officer's own). No page sorts by "mine
    first" itself, which no index can follow."""
    client = client_for(officer)
    costs, query = [], "view=mine"
    for _page in range(8):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{QUEUE}?{query}")
        costs.append(len(captured))
        assert not any("ORDER BY CASE" in q["sql"].upper() for q in captured.captured_queries)
        query = html.unescape(NEXT.search(response.content.decode()).group(1))
    assert costs == [costs[0]] * 5 + [costs[0] + 1] * 2 + [costs[0]]
