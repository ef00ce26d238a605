"""Statistics for leadership: exact figures on a known dataset, filters, permissions,
exports and a query count that does not grow with the data."""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import itertools

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from remarks import services
from remarks.models import Measure, Remark, RemarkEvent
from remarks.stats import facts
from remarks.workflow import CLOSED, Action, Outcome, Status

TZ = timezone.get_fixed_timezone(5 * 60)  # Asia/Almaty
STATS = "/stats/"
# Exact query counts of each page, so that an added query per page shows up; a change of
# the code that changes a count changes the number here, on purpose. No cache: the grouped
# sums of the facts (headline, split, working days, agencies, months, and on /stats/ sectors,
# services and commissioners), the names of what they list, and the page's own queries; and
# the lookups of the checkpoints each sum starts from (remarks.stats.rollup; an unfiltered page's
# headline reads the summary checkpoints, two lookups more). The commissioners' table: its
# checkpoint, its facts and the commissioners' names.
STATS_PAGE_QUERIES = 33
STATS_FILTERED_PAGE_QUERIES = 31
TRANSPARENCY_PAGE_QUERIES = 20
TODAY = dt.datetime(2026, 7, 1, 15, 0, tzinfo=TZ)  # a Wednesday
TITLES = {
    "r1": "Payment of the state fee is not seen by the portal",
    "r2": "Registration certificate is not issued for weeks",
    "r3": "Benefit for a child born abroad is refused",
    "r4": "The e-gov login page hides the EDS option",
    "r5": "An e-application was closed without an answer",
    "r6": "Another e-application closed without an outgoing number",
    "r7": "Abolish the state fee altogether",
    "r8": "The payment is not seen, once more",
    "r9": "The registration queue is too long",
    "r10": "The appointment slot disappears after payment",
    "r11": "The photo upload fails on the mobile app",
    "r12": "Consular registration is not recognised",
    "r13": "The SMS code arrives after it expires",
    "r14": "The vehicle history extract is empty",
}


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dataset(world, author, other_commissioner, coordinator, officer, other_officer, secretary, submit,
            remark_in, time_machine):
    """Fifteen remarks of June 2026 (no public holidays in June: 22 working days), each
    moved through the real services at a known moment. The expected figures are worked
    out by hand in the tests below."""
    fresh = lambda remark: Remark.objects.get(pk=remark.pk)  # noqa: E731

    def accepted(key, day, *, kind="remark"):
        remark = submit(TITLES[key], now=at(6, day), kind=kind)
        return services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator,
                                          agency=world.mia, assignee=officer, now=at(6, day, 11))

    def resolve(remark, when, actor=officer):
        return services.remark_transition(remark=fresh(remark), action=Action.RESOLVE, actor=actor,
                                          text="Fixed in the release.", now=when)

    def escalate(remark, when):
        return services.remark_transition(remark=fresh(remark), action=Action.ESCALATE, actor=coordinator,
                                          commission=world.commission, competent_agency=world.mj,
                                          text="Competence of the Ministry of Justice", now=when)

    def decide(remark, when, outcome, competent):
        return services.remark_transition(remark=fresh(remark), action=Action.COMMISSION_DECIDE,
                                          actor=secretary, session=world.session, outcome=outcome,
                                          competent_agency=competent, text="Decision of the commission.",
                                          now=when)

    r = {}
    # Resolved by the executing agency: in 4 working days, and late in 22.
    r["r1"] = resolve(accepted("r1", 1), at(6, 5))
    r["r2"] = resolve(accepted("r2", 1), at(7, 1, 9))
    # Resolved after the commission: by its decision (6 working days; no executing agency) ...
    r["r3"] = decide(escalate(submit(TITLES["r3"], kind="suggestion", now=at(6, 2)), at(6, 2, 12)), at(6, 10),
                     Outcome.RESOLVE, world.mj)
    # ... and by the competent agency it handed the remark over to (4 working days, NIT).
    r["r4"] = submit(TITLES["r4"], by=other_commissioner, service=world.portal, now=at(6, 2))
    decide(escalate(r["r4"], at(6, 2, 12)), at(6, 3), Outcome.HAND_OVER, world.nit)
    r["r4"] = resolve(r["r4"], at(6, 8), actor=other_officer)
    # Resolved by a systemic measure, both in 7 working days.
    measure = Measure.objects.create(title="No e-application closes without an answer", agency=world.ministry,
                                     adopted_on=dt.date(2026, 6, 12))
    r["r5"], r["r6"] = accepted("r5", 3), accepted("r6", 3)
    services.measure_apply(measure=measure, remarks=[fresh(r["r5"]), fresh(r["r6"])], actor=coordinator,
                           response_text="The systemic measure is adopted.", now=at(6, 12))
    # Closed on the day of filing: declined, duplicate (its original stays submitted), withdrawn.
    time_machine.move_to(at(6, 3), tick=False)
    r["r7"] = remark_in(Status.DECLINED, title=TITLES["r7"], kind="suggestion")
    time_machine.move_to(at(6, 4), tick=False)
    r["r8"] = remark_in(Status.DUPLICATE, title=TITLES["r8"])
    r["r9"] = remark_in(Status.WITHDRAWN, title=TITLES["r9"])
    # Still open: in review since 1 June (overdue), awaiting clarification, with the
    # commission, freshly submitted, and one reopened after a disputed answer.
    time_machine.move_to(at(6, 1), tick=False)
    r["r10"] = remark_in(Status.IN_REVIEW, title=TITLES["r10"])
    services.support_toggle(remark=r["r10"], user=other_commissioner)
    time_machine.move_to(at(6, 5), tick=False)
    r["r11"] = remark_in(Status.NEEDS_INFO, title=TITLES["r11"])
    time_machine.move_to(at(6, 8), tick=False)
    r["r12"] = remark_in(Status.ESCALATED, title=TITLES["r12"])
    time_machine.move_to(at(6, 29), tick=False)
    r["r13"] = remark_in(Status.SUBMITTED, title=TITLES["r13"])
    r["r14"] = resolve(accepted("r14", 8), at(6, 9))
    r["r14"] = services.remark_transition(remark=fresh(r["r14"]), action=Action.REOPEN, actor=author,
                                         text="Still empty.", now=at(6, 15))
    time_machine.move_to(TODAY, tick=False)
    return r


def stats_page(client, **query):
    response = client.get(STATS, query)
    assert response.status_code == 200
    return response


def test_headline_figures_of_the_known_dataset(dataset, client_for, analyst):
    figures = stats_page(client_for(analyst)).context["figures"]
    assert figures["total"] == 15
    assert (figures["remarks"], figures["suggestions"]) == (13, 2)
    # Every answer counts: r14's answer of 9 June counts although it was reopened since.
    assert (figures["resolved"], figures["resolved_share"]) == (7, 47)
    assert figures["open"] == 6
    # r10 (due 22 June) and the original of r8 (submitted 4 June, due 25 June).
    assert (figures["overdue"], figures["overdue_share"]) == (2, 33)
    # Eight official answers, only r2's after its due date; plus a duplicate and a withdrawal.
    assert (figures["answered"], figures["on_time"], figures["on_time_share"]) == (8, 7, 88)
    assert figures["closed"] == 10
    # Working days of the answers (withdrawn and duplicate take no part): 0, 1, 4, 4, 6, 7, 7, 22.
    assert (figures["median_days"], figures["p90_days"]) == (4, 22)
    assert (figures["reopened"], figures["reopened_share"]) == (1, 7)


def test_every_remark_is_in_exactly_one_bucket_of_the_split(dataset, client_for, analyst):
    figures = stats_page(client_for(analyst)).context["figures"]
    assert figures["split"] == {
        "resolved_agency": 2, "resolved_commission": 2, "resolved_measure": 2,
        "declined": 1, "duplicate": 1, "withdrawn": 1,
        "in_review": 2, "needs_info": 1, "escalated": 1, "submitted": 2,
    }
    assert sum(figures["split"].values()) == figures["total"]


def test_agency_league_table_rows(dataset, client_for, coordinator):
    figures = stats_page(client_for(coordinator)).context["figures"]
    rows = {row["code"]: row for row in figures["agencies"]}
    # Received = routed to the body; answers count for the body that signed them: the
    # ministry signed the coordinator's answers (r5, r6, r7) and the commission's (r3).
    assert list(rows) == ["MIA", "NIT", "MDDIAI"]
    mia, nit, ministry = rows["MIA"], rows["NIT"], rows["MDDIAI"]
    assert (mia["received"], mia["answered"], mia["on_time"], mia["on_time_share"],
            mia["open"], mia["overdue"]) == (7, 3, 2, 67, 3, 1)
    # MIA answered in 1 (r14, before its reopening), 4 and 22 working days.
    assert (mia["median_days"], mia["p90_days"]) == (4, 22)
    # r4, handed over by the commission to NIT, counts for NIT, which answered it.
    assert (nit["received"], nit["answered"], nit["on_time"], nit["overdue"]) == (1, 1, 1, 0)
    assert (nit["median_days"], nit["p90_days"]) == (4, 4)
    assert (ministry["received"], ministry["answered"], ministry["on_time"]) == (0, 4, 4)
    assert (ministry["median_days"], ministry["p90_days"]) == (6, 7)


def test_by_sector_service_month_and_commissioner(dataset, client_for, analyst):
    figures = stats_page(client_for(analyst)).context["figures"]
    assert [(r["name"], r["received"], r["resolved"]) for r in figures["categories"]] == [
        ("Vehicles", 14, 6), ("E-gov", 1, 1)]
    assert [(r["received"], r["resolved"], r["overdue"])
            for r in figures["services"]] == [(14, 6, 2), (1, 1, 0)]
    # Open at the end of June: the six open now and r2, answered on 1 July.
    assert [(r["label"], r["received"], r["answered"], r["on_time"], r["open"]) for r in figures["months"]] == [
        ("2026-06", 15, 7, 7, 7), ("2026-07", 0, 1, 0, 6)]
    # Per commissioner, every answer that resolved their remark: Alice's r14 counts, answered
    # on 9 June though reopened since, as in the headline; Bob supported Alice's r10.
    assert [(r["name"], r["filed"], r["resolved"], r["resolved_share"], r["supports_received"], r["supports_given"])
            for r in figures["commissioners"]] == [("Alice Author", 14, 6, 43, 1, 0), ("Bob Other", 1, 1, 100, 0, 1)]
    # The table adds up to the headline.
    assert sum(r["filed"] for r in figures["commissioners"]) == figures["total"]
    assert sum(r["resolved"] for r in figures["commissioners"]) == figures["resolved"]


def test_the_commissioners_table_follows_the_filters_and_the_period(dataset, client_for, analyst, world):
    def table(**query):
        return [(r["name"], r["filed"], r["resolved"], r["supports_received"], r["supports_given"])
                for r in stats_page(client_for(analyst), **query).context["figures"]["commissioners"]]

    # For MIA: the remarks routed to it (7) and the answers it gave that resolved them (r1, r2,
    # r14); Bob supported r10 while MIA held it, and filed nothing MIA received.
    assert table(agency=world.mia.pk) == [("Alice Author", 7, 3, 1, 0), ("Bob Other", 0, 0, 0, 1)]
    # The column says so, on the page and in the export.
    header = _csv(client_for(analyst).get("/stats/export/commissioners.csv", {"agency": world.mia.pk}))[0]
    assert header[:2] == ["Digital commissioner", "Received"]
    assert _csv(client_for(analyst).get("/stats/export/commissioners.csv"))[0][:2] == ["Digital commissioner",
                                                                                     "Filed"]
    # NIT received Bob's r4 from the commission and resolved it.
    assert table(agency=world.nit.pk) == [("Bob Other", 1, 1, 0, 0)]
    assert table(kind="suggestion") == [("Alice Author", 2, 1, 0, 0)]  # r3 resolved, r7 declined
    assert table(service=world.portal.pk) == [("Bob Other", 1, 1, 0, 0)]
    # From 8 June: filed r12, r13, r14; resolved r3, r5, r6, r14 and, on 1 July, r2; r4 is Bob's.
    # The support of 1 June lies before the period.
    assert table(submitted_from="2026-06-08") == [("Alice Author", 3, 5, 0, 0), ("Bob Other", 0, 1, 0, 0)]
    # As of 5 June: ten of the titled remarks and r8's original filed, r1 resolved that day;
    # nothing of Bob's resolved yet.
    assert table(submitted_to="2026-06-05") == [("Alice Author", 11, 1, 1, 0), ("Bob Other", 1, 0, 0, 1)]


def test_a_withdrawn_support_counts_on_the_day_it_was_given_and_off_on_the_day_it_was_withdrawn(
        dataset, client_for, analyst, other_commissioner):
    services.support_toggle(remark=dataset["r10"], user=other_commissioner, now=at(6, 20))
    client = client_for(analyst)

    def supports(**query):
        return {r["name"]: (r["supports_received"], r["supports_given"])
                for r in stats_page(client, **query).context["figures"]["commissioners"]}

    assert supports() == {"Alice Author": (0, 0), "Bob Other": (0, 0)}
    # As it stood on 19 June, and in the days it stood, it counts; taken back on the 20th.
    assert supports(submitted_to="2026-06-19") == {"Alice Author": (1, 0), "Bob Other": (0, 1)}
    assert supports(submitted_from="2026-06-01", submitted_to="2026-06-19")["Bob Other"] == (0, 1)
    assert supports(submitted_from="2026-06-20", submitted_to="2026-06-20")["Bob Other"] == (0, -1)
    # The withdrawal is kept, and a rebuild from the history gives the same table.
    before = stats_page(client, submitted_to="2026-06-19").context["figures"]["commissioners"]
    facts.rebuild()
    assert stats_page(client, submitted_to="2026-06-19").context["figures"]["commissioners"] == before
    assert supports() == {"Alice Author": (0, 0), "Bob Other": (0, 0)}


def test_a_support_counts_for_the_body_that_held_the_remark_when_it_was_given_and_so_does_its_withdrawal(
        dataset, client_for, analyst, coordinator, other_commissioner, world):
    # Bob supported r10 on 1 June while MIA held it; on 15 June it goes to NIT; on the 20th Bob
    # takes the support back. MIA had it from the 1st to the 19th; NIT never had it.
    services.remark_transition(remark=Remark.objects.get(pk=dataset["r10"].pk), action=Action.REASSIGN,
                               actor=coordinator, agency=world.nit, now=at(6, 15))
    services.support_toggle(remark=dataset["r10"], user=other_commissioner, now=at(6, 20))
    client = client_for(analyst)

    def supports(agency, **query):
        return {r["name"]: (r["supports_received"], r["supports_given"]) for r in stats_page(
            client, agency=agency.pk, **query).context["figures"]["commissioners"]}

    assert supports(world.mia, submitted_to="2026-06-19") == {"Alice Author": (1, 0), "Bob Other": (0, 1)}
    assert supports(world.mia) == {"Alice Author": (0, 0)}  # Bob, with nothing left, is not listed
    assert supports(world.mia, submitted_from="2026-06-20")["Bob Other"] == (0, -1)
    # NIT received r10 (and Bob's r4), never its support: no -1 for NIT on the 20th.
    assert supports(world.nit, submitted_from="2026-06-20") == {}
    assert supports(world.nit)["Bob Other"] == (0, 0)
    before = [supports(agency, **period) for agency in (world.mia, world.nit)
              for period in ({}, {"submitted_to": "2026-06-19"}, {"submitted_from": "2026-06-20"})]
    facts.rebuild()
    assert [supports(agency, **period) for agency in (world.mia, world.nit)
            for period in ({}, {"submitted_to": "2026-06-19"}, {"submitted_from": "2026-06-20"})] == before


def test_the_migration_gives_the_supports_already_given_the_holder_of_their_moment(
        dataset, coordinator, other_commissioner, world):
    from django.apps import apps as django_apps

    from remarks.models import Support, SupportWithdrawal

    migration = importlib.import_module("remarks.migrations.0018_support_holder")
    r10 = Remark.objects.get(pk=dataset["r10"].pk)  # supported by Bob on 1 June, MIA holding it
    services.remark_transition(remark=r10, action=Action.REASSIGN, actor=coordinator, agency=world.nit,
                               now=at(6, 15))
    services.support_toggle(remark=r10, user=other_commissioner, now=at(6, 20))  # taken back under NIT
    services.support_toggle(remark=r10, user=other_commissioner, now=at(6, 21))  # and given again
    Support.objects.update(agency=None)  # as they stood before the migration
    SupportWithdrawal.objects.update(agency=None)
    migration.fill_holders(django_apps, None)
    assert list(SupportWithdrawal.objects.values_list("agency", flat=True)) == [world.mia.pk]
    assert list(Support.objects.values_list("agency", flat=True)) == [world.nit.pk]


def test_page_shows_the_figures_charts_and_names_for_leadership(dataset, client_for, analyst):
    html = stats_page(client_for(analyst)).content.decode()
    assert '<span class="value" id="figure-total">15</span>' in html
    assert '<span class="value" id="figure-resolved-share">47%</span>' in html
    assert 'id="computed-at">Computed at 15:00 ' in html
    assert html.count('role="img"') == 3
    assert html.count("<svg") == 3
    assert "Alice Author" in html and "Bob Other" in html
    assert 'style="' not in html and "<style" not in html and "<script" not in html


def test_filters_select_remarks(dataset, client_for, analyst, world):
    client = client_for(analyst)
    assert stats_page(client, kind="suggestion").context["figures"]["total"] == 2
    # For one agency: routed to it, answered by it (r1, r2, r14), overdue with it (r10).
    mia = stats_page(client, agency=world.mia.pk).context["figures"]
    assert (mia["total"], mia["resolved"], mia["overdue"]) == (7, 3, 1)
    assert stats_page(client, service=world.portal.pk).context["figures"]["total"] == 1
    assert stats_page(client, category=world.egov.pk).context["figures"]["total"] == 1
    late_june = stats_page(client, submitted_from="2026-06-08", submitted_to="2026-06-30").context["figures"]
    assert late_june["total"] == 3  # r12, r14 (8 June) and r13 (29 June)
    # Answered in the period: r3 (10 June), r4 (8 June), r5 and r6 (12 June), r14 (9 June).
    assert (late_june["answered"], late_june["resolved"]) == (5, 5)
    # What stood on 30 June: r2 was still open, answered on 1 July.
    assert (late_june["open"], late_june["today"]) == (7, dt.date(2026, 6, 30))


def test_empty_period_shows_zeros_not_an_error(dataset, client_for, analyst):
    response = stats_page(client_for(analyst), submitted_from="2025-01-01", submitted_to="2025-01-31")
    figures = response.context["figures"]
    shares = (figures["resolved_share"], figures["overdue_share"], figures["on_time_share"])
    assert (figures["total"], *shares) == (0, 0, 0, 0)
    assert (figures["median_days"], figures["p90_days"]) == (None, None)
    assert set(figures["split"].values()) == {0}
    assert figures["agencies"] == figures["months"] == figures["commissioners"] == []
    html = response.content.decode()
    assert '<span class="value" id="figure-total">0</span>' in html
    assert "No remarks match these filters." in html


@pytest.mark.parametrize("query", [
    {"submitted_from": "yesterday"},
    {"agency": "MIA"},
    {"agency": "999999"},
    {"kind": "complaint"},
    {"submitted_from": "2026-07-01", "submitted_to": "2026-06-01"},
])
def test_filter_that_is_not_understood_gives_a_message_not_an_error(dataset, client_for, analyst, query):
    response = stats_page(client_for(analyst), **query)
    messages = [str(m) for m in response.context["messages"]]
    assert any("could not be understood" in m for m in messages)
    # The wrong filter is left out; the page shows every remark.
    assert response.context["figures"]["total"] == 15


def test_anonymous_visitor_is_sent_to_login(client, world):
    response = client.get(STATS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["author", "officer", "head", "other_officer", "secretary"])
def test_commissioners_and_agency_staff_may_not_see_statistics(personas, client_for, persona):
    assert client_for(personas[persona]).get(STATS).status_code == 403
    assert client_for(personas[persona]).get("/stats/export/agencies.csv").status_code == 403


@pytest.mark.parametrize("persona", ["analyst", "coordinator"])
def test_analysts_and_coordinators_see_statistics(personas, client_for, persona):
    assert client_for(personas[persona]).get(STATS).status_code == 200


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_agency_table_exports_as_csv_with_the_page_filters(dataset, client_for, analyst):
    response = client_for(analyst).get("/stats/export/agencies.csv", {"submitted_to": "2026-06-10"})
    # The figures as of 10 June, reproduced from the facts.
    assert 'filename="agencies-2026-06-10.csv"' in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Executing agency", "Received", "Official answers", "Answered on time", "On time, %",
                       "Median working days to close", "90th percentile, working days", "Still open",
                       "Overdue now"]
    # By 10 June: seven remarks routed to MIA, which had answered r1 (4 working days) and r14
    # (1, reopened only on 15 June) and held r2, r5, r6, r10, r11; r4 handed over to NIT and
    # answered; the ministry had answered r7 (0) and r3 (6).
    assert rows[1:] == [["Ministry of Internal Affairs", "7", "2", "2", "100", "1", "4", "5", "0"],
                        ["NIT JSC", "1", "1", "1", "100", "4", "4", "0", "0"],
                        ["Ministry of Digital Development", "0", "2", "2", "100", "0", "6", "0", "0"]]


def test_every_table_exports_as_xlsx(dataset, client_for, analyst):
    client = client_for(analyst)
    for table in ("headline", "split", "agencies", "months", "categories", "services", "commissioners"):
        response = client.get(f"/stats/export/{table}.xlsx")
        assert response.status_code == 200, table
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert len(rows) > 1, table
        if table == "split":
            assert rows[1] == ["Resolved by the executing agency", 2, 13]
            assert sum(row[1] for row in rows[1:]) == 15
        if table == "commissioners":
            assert rows[1][:3] == ["Alice Author", 14, 6]
        if table == "headline":
            assert rows[1] == ["Remarks and suggestions received", 15]


def test_export_of_an_unknown_table_or_format_is_404(client_for, analyst):
    client = client_for(analyst)
    assert client.get("/stats/export/salaries.csv").status_code == 404
    assert client.get("/stats/export/agencies.pdf").status_code == 404


def test_names_that_look_like_formulas_stay_text_in_exports(world, client_for, analyst, submit):
    from commissioners.models import Commissioner
    from tests.conftest import _commissioner

    user = _commissioner("eve", "Eve Evil")
    Commissioner.objects.filter(user=user).update(full_name="=HYPERLINK(1)")
    submit("Title", by=user)
    rows = _csv(client_for(analyst).get("/stats/export/commissioners.csv"))
    assert rows[1][0] == "'=HYPERLINK(1)"


def _bulk_remarks(world, author, count: int, *, first: int = 0) -> None:
    """Minimal rows straight into the table, spread over statuses, agencies and dates."""
    original = Remark.objects.order_by("pk").first()
    rows = []
    start = dt.date(2026, 3, 2)
    for index, status in zip(range(first, first + count), itertools.cycle(list(Status))):
        registered = start + dt.timedelta(days=index % 90)
        closed = status in CLOSED
        rows.append(Remark(
            reference=f"R-2026-{index + 1:05d}", kind="remark" if index % 3 else "suggestion",
            title=f"Remark {index}", description="…", category=world.vehicles if index % 2 else world.egov,
            service=world.registration if index % 2 else None,
            agency=[world.mia, world.nit, world.mj][index % 3] if status != Status.SUBMITTED else None,
            author=author, status=status,
            submitted_at=dt.datetime.combine(registered, dt.time(10), tzinfo=TZ),
            registered_on=registered, routing_due=registered, due_date=registered + dt.timedelta(days=21),
            closed_at=(dt.datetime.combine(registered + dt.timedelta(days=index % 40), dt.time(12), tzinfo=TZ)
                       if closed else None),
            return_status=Status.IN_REVIEW if status == Status.NEEDS_INFO else "",
            commission=world.commission if status == Status.ESCALATED else None,
            reopen_count=1 if index % 17 == 0 else 0, support_count=index % 4,
        ))
    if original is None:
        original = Remark.objects.bulk_create(rows[:1])[0]
        rows = rows[1:]
    for remark in rows:
        if remark.status == Status.DUPLICATE:
            remark.duplicate_of = original
    Remark.objects.bulk_create(rows, batch_size=2000)
    # Their histories (filed, routed, closed), and the facts replayed from them as the
    # services would have written them.
    events = []
    for remark in rows:
        events.append(RemarkEvent(remark=remark, action=RemarkEvent.Kind.SUBMIT, to_status=Status.SUBMITTED,
                                  payload={"registered_on": remark.registered_on.isoformat(),
                                           "due_date": remark.due_date.isoformat()},
                                  created_at=remark.submitted_at))
        if remark.agency_id:
            events.append(RemarkEvent(remark=remark, action=Action.ACCEPT, from_status=Status.SUBMITTED,
                                      to_status=Status.IN_REVIEW, payload={"agency": remark.agency.code},
                                      created_at=remark.submitted_at + dt.timedelta(hours=1)))
        if remark.status != Status.IN_REVIEW and remark.status != Status.SUBMITTED:
            number = f"{remark.agency.code}-2026-{remark.pk:05d}" if remark.agency_id else ""
            events.append(RemarkEvent(remark=remark, action=Action.RESOLVE, from_status=Status.IN_REVIEW,
                                      to_status=remark.status, payload={"outgoing_number": number},
                                      created_at=remark.closed_at or remark.submitted_at + dt.timedelta(hours=2)))
    RemarkEvent.objects.bulk_create(events, batch_size=2000)
    facts.write(*facts.replay([remark.pk for remark in rows]))


def _queries(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url, queries", [
    (STATS, STATS_PAGE_QUERIES),
    (STATS + "?agency={mia}&kind=remark&submitted_from=2026-01-01", STATS_FILTERED_PAGE_QUERIES),
    ("/transparency/", TRANSPARENCY_PAGE_QUERIES),
])
def test_pages_cost_the_same_queries_for_10_and_10000_remarks(world, author, analyst, client_for, url,
                                                              queries, django_assert_num_queries):
    client = client_for(analyst)
    url = url.format(mia=world.mia.pk)
    _bulk_remarks(world, author, 10)
    small = _queries(client, url)
    _bulk_remarks(world, author, 9_990, first=10)
    assert Remark.objects.count() == 10_000
    large = _queries(client, url)
    assert small == large
    cache.clear()
    with django_assert_num_queries(queries):
        client.get(url)


def test_demo_data_shows_about_fifty_remarks_half_resolved(db, client_for):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    analyst = get_user_model().objects.get(username="analyst")
    for response in (client_for(analyst).get(STATS), client_for(analyst).get("/transparency/")):
        figures = response.context["figures"]
        assert 45 <= figures["total"] <= 50
        assert 45 <= figures["resolved_share"] <= 55
        html = response.content.decode()
        assert f'<span class="value" id="figure-total">{figures["total"]}</span>' in html
        assert f'<span class="value" id="figure-resolved-share">{figures["resolved_share"]}%</span>' in html


def test_charts_escape_every_text_and_use_no_inline_styles():
    from remarks.stats import charts

    evil = '<script>alert("x")</script> & "quotes"'
    svg = str(charts.bar_chart(chart_id="c", title=evil, items=[(evil, 3, "bar-open")]))
    svg += str(charts.grouped_bars(chart_id="g", title=evil, series=[charts.Series("received", evil)],
                                   groups=[(evil, [2])]))
    svg += str(charts.line_chart(chart_id="l", title=evil, labels=[evil],
                                 series=[charts.Series("closed", evil)], values=[[1]]))
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert 'style="' not in svg and "<style" not in svg
    assert svg.count('role="img"') == 3


def test_chart_of_nothing_says_so():
    from remarks.stats import charts

    svg = str(charts.line_chart(chart_id="l", title="Trend", labels=[], series=[], values=[]))
    assert 'role="img"' in svg and "No remarks match these filters." in svg


def test_percentiles_are_nearest_rank():
    from collections import Counter

    from remarks.stats.figures import nearest_rank, percent

    days = Counter({0: 3, 4: 2, 6: 1, 7: 2, 22: 1})
    assert (nearest_rank(days, 50), nearest_rank(days, 90)) == (4, 22)
    assert nearest_rank(Counter(), 50) is None
    assert (percent(1, 3), percent(1, 2), percent(2, 3), percent(0, 0)) == (33, 50, 67, 0)


def test_the_unfiltered_headline_sums_the_summary_checkpoints_the_migration_writes_as_the_compaction_does(
        dataset, client_for, analyst):
    """The unfiltered page's headline and months read a checkpoint without the agency, service and
    sector (a few dozen rows instead of every key): the same figures; migration 0024 writes those
    summaries for the checkpoints that exist, as the compaction would."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from remarks.models import FlowFact, StateFact
    from remarks.stats.models import Grain

    facts.compact(today=dt.date(2026, 7, 1))
    client = client_for(analyst)
    with CaptureQueriesContext(connection) as queries:
        figures = stats_page(client).context["figures"]
    assert any(f'"grain" = {Grain.SUMMARY}' in q["sql"] for q in queries.captured_queries)
    assert figures["total"] == 15 and figures["resolved"] == stats_page(client, kind="remark").context[
        "figures"]["resolved"] + stats_page(client, kind="suggestion").context["figures"]["resolved"]
    models = (FlowFact, StateFact)

    def summaries():
        return [sorted(model.objects.filter(grain=Grain.SUMMARY).values_list("day", "kind", "n")) for model in models]

    written = summaries()
    for model in models:
        assert 0 < model.objects.filter(grain=Grain.SUMMARY).count() < model.objects.filter(grain=Grain.TOTAL).count()
        model.objects.filter(grain=Grain.SUMMARY).delete()
    # What the migration asks of its schema editor (SQLite's cannot open in a test's transaction).
    editor = type("Editor", (), {"connection": connection,
                                 "execute": lambda self, sql: connection.cursor().execute(sql)})()
    importlib.import_module("remarks.migrations.0024_fact_summaries").summarize(None, editor)
    assert summaries() == written


@pytest.mark.postgres
def test_the_commissioners_table_for_one_agency_checks_the_agency_in_the_index(dataset, client_for, analyst, world):
    """The facts with their dimensions are many (120,000 a checkpoint at 1,000,000 remarks): the
    table for one agency, sector or service reads only its own, the dimension an index condition."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    facts.compact(today=dt.date(2026, 7, 1))
    with CaptureQueriesContext(connection) as queries:
        stats_page(client_for(analyst), agency=world.mia.pk)
    [table] = [q["sql"] for q in queries.captured_queries if 'FROM "remarks_authorfact"' in q["sql"]
               and "SUM(" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")  # a table this small would be read whole
        cursor.execute("EXPLAIN " + table)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert "authorfact_grain_day_dims" in plan and any(f"agency = {world.mia.pk}" in c for c in conditions), plan
