"""The queue (/remarks/): who sees which rows, the filters and search, the status tabs,
bad input, and a query count that does not grow with the number of remarks."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from remarks import services
from remarks.filters import RemarkFilter
from remarks.models import Remark, Support
from remarks.querysets import search_text
from remarks.workflow import Action, Status

QUEUE = reverse("remarks:list")
# Exact query counts of each page, so that an added query per page shows up; a change of
# the code that changes a count changes the number here, on purpose.
QUEUE_QUERIES = {"coordinator": 13, "officer": 12, "coordinator_default": 13, "officer_default": 12, "head_default": 12}
# An officer's "needs me" page is read part by part (their own remarks, then the agency's
# others: listing.SeekPage): one query more when their own do not fill the page.
SECOND_PART_QUERIES = 1
# A search on PostgreSQL asks two more: the query's word forms among the written words, and
# whether it matches many remarks (remarks.filters: then the sort's index is walked).
SEARCH_QUERIES_ON_POSTGRESQL = 2


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def make_rows(count: int, *, world, author, agency=None, status=Status.SUBMITTED, title="Generated remark",
              prefix="R-1999", **fields) -> list[Remark]:
    """Minimal remarks straight into the table (bulk_create): for sizes, not for behaviour."""
    today = timezone.localdate()
    closed = status in (Status.RESOLVED, Status.DECLINED, Status.WITHDRAWN)
    due = fields.pop("due_date", today + dt.timedelta(days=10))
    rows = [
        Remark(reference=f"{prefix}-{i:07d}", title=f"{title} {i}", description="Generated.",
               search_text=search_text(f"{title} {i}", "Generated."),
               category=world.vehicles, author=author, status=status, agency=agency, registered_on=today,
               routing_due=today, due_date=due, closed_at=timezone.now() if closed else None, **fields)
        for i in range(count)
    ]
    return Remark.objects.bulk_create(rows, batch_size=1000)


def references(response) -> set[str]:
    return {remark.reference for remark in response.context["page"].object_list}


def queue(client, **params):
    response = client.get(QUEUE, params)
    assert response.status_code == 200
    return response


# --- who sees what ---------------------------------------------------------------------


def test_coordinator_sees_every_remark(client_for, coordinator, remark_in, world, other_commissioner, submit):
    mia = remark_in(Status.IN_REVIEW)
    unrouted = submit(title="Portal login loops", service=world.portal)
    assert references(queue(client_for(coordinator), view="all")) == {mia.reference, unrouted.reference}


def test_officer_sees_own_agency_and_co_executed_remarks_only(client_for, officer, coordinator, world,
                                                              remark_in, submit):
    own = remark_in(Status.IN_REVIEW)
    co_executed = services.remark_transition(remark=submit(title="Co-executed"), action=Action.ACCEPT,
                                             actor=coordinator, agency=world.nit, co_agencies=[world.mia])
    services.remark_transition(remark=submit(title="NIT only"), action=Action.ACCEPT, actor=coordinator,
                               agency=world.nit)
    submit(title="Not routed yet")
    assert references(queue(client_for(officer))) == {own.reference, co_executed.reference}


def test_officer_of_other_agency_sees_no_row_count_or_page_of_this_agency(client_for, other_officer,
                                                                          remark_in):
    remark = remark_in(Status.IN_REVIEW, title="Secret MIA matter")
    client = client_for(other_officer)
    response = queue(client)
    assert references(response) == set()
    assert all(tab["count"] == 0 for tab in response.context["status_tabs"])
    assert remark.reference not in response.content.decode()
    assert references(queue(client, q=remark.reference)) == set()
    assert client.get(remark.get_absolute_url()).status_code == 404


def test_commissioner_reads_all_remarks_newest_first_without_bulk_or_export(client_for, other_commissioner,
                                                                             submit):
    first = submit(title="First", now=timezone.now() - dt.timedelta(days=2))
    second = submit(title="Second")
    response = queue(client_for(other_commissioner))
    assert [r.reference for r in response.context["page"].object_list] == [second.reference, first.reference]
    assert response.context["bulk_form"] is None
    body = response.content.decode()
    assert "All remarks" in body and 'name="remarks"' not in body and "/remarks/export/" not in body
    assert 'name="assignee"' not in body
    assert client_for(other_commissioner).get(reverse("remarks:export", args=["csv"])).status_code == 403


# --- filters on a known dataset --------------------------------------------------------


@pytest.fixture
def dataset(world, author, other_commissioner, coordinator, officer, head, submit, remark_in):
    """Six remarks that differ in one thing each."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        early = submit(title="Payment of the state fee is lost", kind="remark")
    with time_machine.travel(dt.datetime(2026, 4, 6, 10, 0, tzinfo=dt.UTC), tick=False):
        suggestion = submit(title="Add a dark theme to the portal", kind="suggestion", service=world.portal,
                            description="Night reading of e-gov is hard on the eyes.")
        routed = remark_in(Status.IN_REVIEW, title="Licence renewal form freezes")
        co = services.remark_transition(remark=submit(title="Police certificate delayed"),
                                        action=Action.ACCEPT, actor=coordinator, agency=world.nit,
                                        co_agencies=[world.mia])
        resolved = remark_in(Status.RESOLVED, title="Fine payment receipt missing")
        by_bob = submit(title="Queue at the PSC is too long", by=other_commissioner)
    services.remark_transition(remark=Remark.objects.get(pk=routed.pk), action=Action.REASSIGN, actor=head,
                               assignee=head)
    Support.objects.create(remark=by_bob, user=author)
    Remark.objects.filter(pk=by_bob.pk).update(support_count=1)
    return type("Dataset", (), dict(early=early, suggestion=suggestion, routed=routed, co=co,
                                    resolved=resolved, by_bob=by_bob))


def refs(*remarks) -> set[str]:
    return {r.reference for r in remarks}


@time_machine.travel(dt.datetime(2026, 4, 20, 6, 0, tzinfo=dt.UTC), tick=False)
def test_filters_return_exactly_the_expected_remarks(client_for, coordinator, dataset, world, author,
                                                     other_commissioner, head):
    d, client = dataset, client_for(coordinator)
    everything = refs(d.early, d.suggestion, d.routed, d.co, d.resolved, d.by_bob)
    cases = [
        ({"view": "all"}, everything),
        ({"status": "in_review"}, refs(d.routed, d.co)),
        ({"status": ["resolved", "submitted"]}, refs(d.resolved, d.early, d.suggestion, d.by_bob)),
        ({"kind": "suggestion"}, refs(d.suggestion)),
        ({"agency": world.mia.pk}, refs(d.routed, d.resolved)),
        ({"co_agency": world.mia.pk}, refs(d.co)),
        ({"service": world.portal.pk}, refs(d.suggestion)),
        ({"category": world.egov.pk}, refs(d.suggestion)),
        ({"author": other_commissioner.pk}, refs(d.by_bob)),
        ({"assignee": head.pk}, refs(d.routed)),
        ({"overdue": "on"}, refs(d.early)),
        ({"due_before": "2026-04-01"}, refs(d.early)),
        ({"submitted_after": "2026-04-01", "submitted_before": "2026-04-30"},
         everything - refs(d.early)),
        ({"submitted_before": "2026-03-31"}, refs(d.early)),
        ({"supported": "on"}, refs(d.by_bob)),
        ({"q": "dark theme"}, refs(d.suggestion)),
        ({"q": "night reading"}, refs(d.suggestion)),
        ({"q": d.resolved.reference.lower()}, refs(d.resolved)),
        ({"q": "licence", "status": "in_review"}, refs(d.routed)),
    ]
    for params, expected in cases:
        assert references(queue(client, **params)) == expected, params


def test_staff_queue_is_sorted_by_due_date_and_can_sort_by_supports(client_for, coordinator, dataset):
    client = client_for(coordinator)
    by_due = [r.reference for r in queue(client, view="all").context["page"].object_list]
    assert by_due[0] == dataset.early.reference
    by_supports = [r.reference for r in queue(client, sort="-supports").context["page"].object_list]
    assert by_supports[0] == dataset.by_bob.reference
    newest = [r.reference for r in queue(client, sort="-submitted").context["page"].object_list]
    assert newest[-1] == dataset.early.reference


def test_tabs_count_per_status_with_the_other_filters_but_not_the_status(client_for, coordinator, dataset,
                                                                         world):
    response = queue(client_for(coordinator), status="resolved", agency=world.mia.pk)
    counts = {tab["label"]: tab["count"] for tab in response.context["status_tabs"]}
    assert (counts["All"], counts["In review"], counts["Resolved"], counts["Submitted"]) == (2, 1, 1, 0)
    assert references(response) == refs(dataset.resolved)
    # Each tab keeps the other filters, so the view stays bookmarkable.
    in_review = next(tab for tab in response.context["status_tabs"] if tab["label"] == "In review")
    assert f"agency={world.mia.pk}" in in_review["query"] and "status=in_review" in in_review["query"]
    assert "status=resolved" not in in_review["query"]


@pytest.mark.parametrize("params", [
    {"due_before": "not-a-date"}, {"submitted_after": "2026-13-45"}, {"agency": "999999"}, {"agency": "abc"},
    {"status": "on_fire"}, {"kind": "poem"}, {"author": "-1"}, {"sort": "random"},
])
def test_bad_filter_input_gives_a_message_and_no_rows_not_an_error(client_for, coordinator, dataset, params):
    response = queue(client_for(coordinator), **params)
    assert references(response) == set()
    assert "could not be understood" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "999999", "-3", "0"])
def test_any_page_number_gives_a_page(client_for, coordinator, dataset, page):
    assert references(queue(client_for(coordinator), page=page))


def test_queue_pages_by_50(client_for, coordinator, world, author):
    make_rows(120, world=world, author=author)
    client = client_for(coordinator)
    response = queue(client)
    assert len(response.context["page"].object_list) == 50
    for expected in (50, 20):
        next_link = re.search(r'<a rel="next" href="\?([^"]+)"', response.content.decode())
        response = client.get(f"{QUEUE}?{html.unescape(next_link.group(1))}")
        assert len(response.context["page"].object_list) == expected
    assert 'rel="next"' not in response.content.decode()


# --- cost ------------------------------------------------------------------------------



@pytest.mark.parametrize("size", [10, 1000])
def test_queue_costs_the_same_queries_at_10_and_1000_remarks(client_for, coordinator, officer, world, author,
                                                             django_assert_num_queries, size):
    make_rows(size, world=world, author=author, agency=world.mia, status=Status.IN_REVIEW, assignee=officer)
    search = SEARCH_QUERIES_ON_POSTGRESQL if connection.vendor == "postgresql" else 0
    for user, queries in ((coordinator, QUEUE_QUERIES["coordinator"]), (officer, QUEUE_QUERIES["officer"])):
        client = client_for(user)
        with django_assert_num_queries(queries + search):
            response = queue(client, overdue="", sort="due", q="Generated")
        assert len(response.context["page"].object_list) == min(size, 50)


def test_the_queue_offers_an_agency_added_since_in_its_filters_and_its_bulk_form(client_for, coordinator, world,
                                                                                  submit):
    """The agencies are read once a request for the three lists that offer them, never kept
    across requests."""
    from agencies.models import Agency

    submit()  # a row, so that the bulk form is shown
    client = client_for(coordinator)

    def offered(agency) -> list[str]:
        page = queue(client).content.decode()
        return [select for select, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', page, re.S)
                if select.endswith("agency") and f'<option value="{agency.pk}"' in options]

    assert offered(world.mia) == ["agency", "co_agency", "agency"]  # the filters, then the bulk form
    added = Agency.objects.create(code="NEW", name_kk="Жаңа", name_ru="Новое", name_en="New body", kind="agency")
    assert offered(added) == ["agency", "co_agency", "agency"]


def test_the_queue_offers_the_same_assignees_in_its_filters_and_its_bulk_form_read_once(
        client_for, coordinator, officer, other_officer, submit):
    """One list of the officers and heads for both forms (a coordinator may assign anyone), and
    a row reads neither the description nor its case-folded copy, which no list shows."""
    submit()
    with CaptureQueriesContext(connection) as context:
        page = queue(client_for(coordinator)).content.decode()
    lists = dict(re.findall(r'<select name="(\w*assignee)"[^>]*>(.*?)</select>', page, re.S))
    assert set(lists) == {"assignee"} and len(re.findall(r'<select name="assignee"', page)) == 2
    for person in (officer, other_officer):
        assert page.count(f'<option value="{person.pk}">{person.get_full_name()}</option>') == 2
    staff = [q["sql"] for q in context.captured_queries if "agencies_agencymembership" in q["sql"]
             and q["sql"].startswith("SELECT DISTINCT")]
    assert len(staff) == 1
    assert not any('"remarks_remark"."description"' in q["sql"] or '"remarks_remark"."search_text"' in q["sql"]
                   for q in context.captured_queries)


# --- PostgreSQL full-text search -------------------------------------------------------


@pytest.mark.postgres
def test_full_text_search_on_postgresql_uses_the_gin_index(client_for, coordinator, dataset):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    client = client_for(coordinator)
    assert references(queue(client, q="dark theme")) == refs(dataset.suggestion)
    assert references(queue(client, q="reading night")) == refs(dataset.suggestion)
    assert references(queue(client, q="licence -payment")) == refs(dataset.routed)
    assert references(queue(client, q=dataset.co.reference)) == refs(dataset.co)

    remark_filter = RemarkFilter({"q": "theme"}, queryset=Remark.objects.all())
    # A table this small would be read whole; forbid the plans that do not need an index
    # condition, so the plan shows whether the search expression matches the index.
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        plan = remark_filter.qs.explain()
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    assert "remark_search_gin" in plan


@pytest.mark.postgres
def test_an_officers_remarks_are_found_by_indexes_not_by_checking_every_row(officer, dataset):
    """Led by the officer's agency, co-executed by it, or filed by the officer: three index
    scans ORed (a BitmapOr), not the whole table with the co-executed ones checked row by
    row (a hashed subplan cannot be an index condition)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    from remarks.capabilities import visible_remarks_q

    visible = Remark.objects.filter(visible_remarks_q(officer)).order_by()
    # Tables this small would be read whole or along any index: forbid the plans that need no
    # index condition, so the plan shows whether each part of the OR is one.
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off; SET enable_indexonlyscan = off")
        plan = visible.explain()
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan; RESET enable_indexonlyscan")
    assert "BitmapOr" in plan and "hashed SubPlan" not in plan, plan


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_queue_renders_in_every_language(client_for, coordinator, remark_in, language):
    remark = remark_in(Status.IN_REVIEW)
    client = client_for(coordinator)
    client.cookies["django_language"] = language
    response = queue(client, view="all")
    assert f'lang="{language}"' in response.content.decode() and remark.reference in response.content.decode()


def _ordered_plan(queryset) -> str:
    """The plan of a list's first page with sorting forbidden: an index that gives the list's
    order is walked, and without one the plan still has to sort (its cost only goes up)."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_sort = off; SET enable_seqscan = off")
        plan = queryset[:51].explain()
        cursor.execute("RESET enable_sort; RESET enable_seqscan")
    return plan


@pytest.mark.postgres
def test_the_coordinators_remarks_to_route_are_read_in_the_order_of_an_index(rf, coordinator, dataset):
    """The coordinator's landing page walks the remarks to route by routing date: 50 rows
    read, not every submitted remark sorted (at 1,000,000 remarks: 56 ms against 0.5)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    from remarks import selectors

    request = rf.get(QUEUE)
    request.user = coordinator
    remark_filter = RemarkFilter({"view": "mine"}, queryset=selectors.remark_list_for(coordinator), request=request)
    plan = _ordered_plan(remark_filter.qs)
    assert "remark_awaiting_routing_due" in plan and "Sort" not in plan, plan


@pytest.mark.postgres
def test_a_commissioners_own_remarks_are_read_in_the_order_of_an_index(author, dataset):
    """/remarks/mine/ lists the author's remarks last changed first along an index, whatever
    how many they filed."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    from remarks import selectors
    from remarks.filters import MyRemarkFilter

    mine = MyRemarkFilter({}, queryset=selectors.remark_list_for(author).filter(author=author)).qs
    plan = _ordered_plan(mine)
    assert "remark_author_updated" in plan and "Sort" not in plan, plan


@pytest.mark.postgres
def test_an_officers_own_remarks_are_walked_along_their_index_however_many_they_hold(
        rf, world, author, officer, other_officer):
    """The officer's "needs me" page reads their own open remarks first, along the index made
    for it, 50 rows, with no sort, when they hold thousands. Read within the whole view (their
    agency's open remarks, ORed), the planner took a sixtieth of them for the own part and
    sorted them all (at 1,000,000 remarks: 142 ms against 0.6)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    from remarks import selectors

    make_rows(4000, world=world, author=author, agency=world.mia, status=Status.IN_REVIEW, assignee=officer,
              prefix="R-1997")
    make_rows(4000, world=world, author=author, agency=world.nit, status=Status.IN_REVIEW, assignee=other_officer,
              prefix="R-1998")
    make_rows(8000, world=world, author=author, agency=world.nit, status=Status.RESOLVED, prefix="R-1999")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE remarks_remark")
    request = rf.get(QUEUE)
    request.user = officer
    remark_filter = RemarkFilter({"view": "mine"}, queryset=selectors.remark_list_for(officer), request=request)
    own, _others = remark_filter.seek_parts
    plan = own.order_by("due_date", "pk")[:51].explain()
    assert "remark_assignee_open_due" in plan and "Sort" not in plan, plan


@pytest.mark.parametrize("day, kept", [("01.01.0001", True), ("31.12.9999", True), ("02.03.2026", True),
                                       ("03.03.2026", False)])
def test_submission_days_are_days_in_kazakhstan_and_the_calendars_ends_bound_nothing(
        client_for, coordinator, submit, day, kept):
    """A remark filed at 00:30 in Almaty on 3 March (19:30 UTC on the 2nd) was filed on the 3rd."""
    remark = submit(now=dt.datetime(2026, 3, 2, 19, 30, tzinfo=dt.UTC))
    client = client_for(coordinator)
    after = references(queue(client, view="all", submitted_after=day))
    before = references(queue(client, view="all", submitted_before=day))
    if day == "03.03.2026":
        assert (after, before) == ({remark.reference}, {remark.reference})
    elif day == "02.03.2026":
        assert (after, before) == ({remark.reference}, set())
    else:
        assert remark.reference in (after if day.endswith("0001") else before)


@pytest.mark.postgres
def test_a_period_of_submission_is_found_along_the_submission_times_index(rf, coordinator, dataset):
    """Days compared as moments, not as each row's local date: at 1,000,000 remarks an export of
    a period read the whole table (1.5 s of CPU for 10,000 rows)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    request = rf.get(QUEUE)
    request.user = coordinator
    remark_filter = RemarkFilter({"view": "all", "submitted_after": "01.04.2026", "submitted_before": "30.04.2026"},
                                 queryset=Remark.objects.all(), request=request)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a table this small would be read whole
        plan = remark_filter.qs.explain()
        cursor.execute("RESET enable_seqscan")
    assert "remark_submitted" in plan and "Index Cond" in plan, plan
