"""The statistics are running facts from the history (remarks.stats.facts): written by the
services with each event, equal to a rebuild from RemarkEvent, and equal to a slow reference
computed here straight from the history by the definitions of the issue."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agencies.models import CommissionSession
from remarks import deadlines, services, workflow
from remarks.actions import TransitionError
from remarks.models import AuthorFact, FlowFact, Remark, RemarkEvent, Response, StateFact, Support, SupportWithdrawal
from remarks.stats import facts, rollup
from remarks.stats.figures import Selection, compute, nearest_rank
from remarks.stats.models import Grain
from remarks.workflow import CLOCK_RUNNING, CLOSED, OPEN, Action, Outcome, Status

TZ = dt.timezone(dt.timedelta(hours=5))
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday; Nauryz (21-23 March) lies ahead


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=TZ)


def fresh(remark) -> Remark:
    return Remark.objects.get(pk=remark.pk)


def answers() -> list[tuple]:
    return sorted(FlowFact.objects.filter(measure=FlowFact.Measure.ANSWERED).values_list(
        "day", "agency", "days", "on_time", "outcome").annotate(total=Sum("n")))


def sums(model, key) -> Counter:
    """The ledger itself: pending and day rows (the checkpoints are sums of these)."""
    rows = (model.objects.filter(grain__in=(Grain.PENDING, Grain.DAY)).values(*key).annotate(total=Sum("n"))
            .values_list(*key, "total"))
    return Counter({tuple(row[:-1]): row[-1] for row in rows if row[-1]})


def db_facts() -> tuple[Counter, Counter, Counter]:
    return sums(FlowFact, facts.FLOW_KEY), sums(StateFact, facts.STATE_KEY), sums(AuthorFact, facts.AUTHOR_KEY)


def assert_checkpoints_add_up() -> None:
    """Every checkpoint is the sum of the day rows up to its day, kept by its grain's key."""
    for model, (dims, grains) in rollup.CHECKPOINTS.items():
        days = model.objects.filter(grain=Grain.DAY).values_list("day", *dims, "n")
        for grain, keep in grains.items():
            for point in set(model.objects.filter(grain=grain).values_list("day", flat=True)):
                expected = Counter()
                for day, *key, n in days:
                    kept = keep(tuple(key))
                    if day <= point and kept is not None:
                        expected[kept] += n
                stored = Counter({tuple(key): n for *key, n in
                                  model.objects.filter(grain=grain, day=point).values_list(*dims, "n")})
                assert stored == Counter({k: n for k, n in expected.items() if n}), (model, grain, point)


def test_a_remark_reopened_and_answered_again_counts_twice_on_both_days(world, submit, coordinator, officer,
                                                                         author):
    remark = submit(now=at(3, 2))
    remark = services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia,
                                        assignee=officer, now=at(3, 2, 11))
    services.remark_transition(remark=fresh(remark), action=Action.RESOLVE, actor=officer, text="Fixed.",
                               now=at(3, 5))
    services.remark_transition(remark=fresh(remark), action=Action.REOPEN, actor=author, text="Not fixed.",
                               now=at(3, 10))
    services.remark_transition(remark=fresh(remark), action=Action.RESOLVE, actor=officer, text="Fixed now.",
                               now=at(3, 12))
    # Both answers, each on its day, for MIA: 3 working days from registration, then 2 from
    # the reopening (its clock restarts), both on time.
    assert answers() == [(dt.date(2026, 3, 5), world.mia.pk, 3, True, "resolved_agency", 1),
                         (dt.date(2026, 3, 12), world.mia.pk, 2, True, "resolved_agency", 1)]
    figures = compute(Selection(as_of=dt.date(2026, 3, 31)), public=True)
    assert (figures["answered"], figures["resolved"], figures["reopened"], figures["open"]) == (2, 2, 1, 0)
    # Before the second answer the remark was open again, as of 10 March.
    assert compute(Selection(as_of=dt.date(2026, 3, 10)), public=True)["open"] == 1


def test_days_waiting_for_the_author_are_left_out_of_time_to_close(world, submit, coordinator, officer, author):
    remark = submit(now=at(3, 2))
    remark = services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia,
                                        assignee=officer, now=at(3, 2, 11))
    services.remark_transition(remark=fresh(remark), action=Action.REQUEST_INFO, actor=officer,
                               text="Which browser?", now=at(3, 3))
    services.remark_transition(remark=fresh(remark), action=Action.PROVIDE_INFO, actor=author,
                               text="Firefox.", now=at(3, 10))
    services.remark_transition(remark=fresh(remark), action=Action.RESOLVE, actor=officer, text="Fixed.",
                               now=at(3, 12))
    # 7 working days from 2 to 12 March (9 March is the day off for Women's Day), of which 4
    # (4 to 10 March) waiting for the author: the answer took 3.
    assert deadlines.working_days_between(dt.date(2026, 3, 2), dt.date(2026, 3, 12)) == 7
    assert deadlines.working_days_between(dt.date(2026, 3, 3), dt.date(2026, 3, 10)) == 4
    assert answers() == [(dt.date(2026, 3, 12), world.mia.pk, 3, True, "resolved_agency", 1)]


def test_withdrawn_remarks_take_no_part_in_time_to_close(world, submit, author, coordinator):
    remark = submit(now=at(3, 2))
    services.remark_transition(remark=remark, action=Action.WITHDRAW, actor=author, text="Solved myself.",
                               now=at(3, 20))
    figures = compute(Selection(as_of=dt.date(2026, 3, 31)), public=True)
    assert (figures["closed"], figures["answered"], figures["median_days"]) == (1, 0, None)
    assert figures["split"]["withdrawn"] == 1


def test_a_remark_handed_over_counts_for_the_body_that_answered(world, submit, coordinator, secretary,
                                                                 other_officer):
    remark = submit(now=at(3, 2))
    remark = services.remark_transition(remark=remark, action=Action.ESCALATE, actor=coordinator,
                                        commission=world.commission, competent_agency=world.nit,
                                        text="NIT's competence", now=at(3, 2, 11))
    world.session.held_on = dt.date(2026, 3, 3)
    world.session.save()
    services.remark_transition(remark=fresh(remark), action=Action.COMMISSION_DECIDE, actor=secretary,
                               session=world.session, outcome=Outcome.HAND_OVER, competent_agency=world.nit,
                               text="To NIT.", now=at(3, 3))
    services.remark_transition(remark=fresh(remark), action=Action.RESOLVE, actor=other_officer, text="Fixed.",
                               now=at(3, 6))
    assert answers() == [(dt.date(2026, 3, 6), world.nit.pk, 4, True, "resolved_commission", 1)]
    league = compute(Selection(as_of=dt.date(2026, 3, 31)), public=True)["agencies"]
    assert [(row["code"], row["received"], row["answered"]) for row in league] == [("NIT", 1, 1)]


def test_rebuild_command_gives_the_facts_the_services_wrote(dataset_small):
    written = db_facts()
    out = StringIO()
    call_command("rebuild_facts", stdout=out)
    assert "Rebuilt the facts" in out.getvalue()
    assert db_facts() == written
    call_command("rebuild_facts", "--compact", stdout=out)
    assert db_facts() == written
    # Compacted: one day row per key, nothing pending, checkpoints that add up.
    assert FlowFact.objects.filter(grain=Grain.DAY).count() == len(written[0])
    assert not FlowFact.objects.filter(grain=Grain.PENDING).exists()
    assert FlowFact.objects.filter(grain=Grain.TOTAL).exists()
    assert_checkpoints_add_up()


@pytest.fixture
def dataset_small(world, submit, coordinator, officer, author):
    for day in (2, 3, 4):
        remark = submit(now=at(3, day))
        remark = services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator,
                                            agency=world.mia, assignee=officer, now=at(3, day, 11))
        services.remark_transition(remark=fresh(remark), action=Action.RESOLVE, actor=officer, text="Fixed.",
                                   now=at(3, day + 7))


# --- a random history ------------------------------------------------------------------------

# (which remark, which of the actions its state allows, days later, a choice within the action)
STEP = st.tuples(st.integers(0, 5), st.integers(0, 11), st.integers(0, 3), st.integers(0, 2))


def _take(world, people, remarks, index, which, choice, now):
    """Take one of the actions the remark's state allows, as the person who may; a refusal
    (a guard, a missing right) is part of a random history too."""
    remark = fresh(remarks[index % len(remarks)])
    possible = workflow.transitions_from(remark.status)
    if not possible:
        return
    action = possible[which % len(possible)].action
    agencies = [world.mia, world.nit]
    inputs = {}
    actor = people["coordinator"]
    if action == Action.ACCEPT:
        inputs = {"agency": agencies[choice % 2]}
    elif action == Action.REASSIGN:
        inputs = {"agency": agencies[(choice + 1) % 2]}
    elif action in (Action.REQUEST_INFO, Action.DECLINE):
        inputs = {"text": "Text."}
    elif action in (Action.PROVIDE_INFO, Action.WITHDRAW, Action.REOPEN):
        actor, inputs = people["author"], {"text": "Text."}
    elif action == Action.ESCALATE:
        inputs = {"commission": world.commission, "competent_agency": world.nit, "text": "Text."}
    elif action == Action.COMMISSION_DECIDE:
        actor = people["secretary"]
        session = CommissionSession.objects.create(commission=world.commission, held_on=deadlines.local_date(now),
                                                   protocol_number=f"P-{now:%j%H%M}-{remark.pk}")
        inputs = {"session": session, "outcome": list(Outcome)[choice % 3], "competent_agency": world.nit,
                  "text": "Decision."}
    elif action == Action.RESOLVE:
        actor = {world.mia.pk: people["officer"], world.nit.pk: people["other_officer"]}.get(
            remark.agency_id, actor) if choice else actor
        inputs = {"text": "Answer."}
    elif action == Action.MARK_DUPLICATE:
        inputs = {"original": remarks[(index + 1 + choice) % len(remarks)]}
    elif action == Action.EXTEND_DEADLINE:
        actor = people["head"]
        inputs = {"due_date": remark.due_date + dt.timedelta(days=3), "text": "More time."}
    try:
        services.remark_transition(remark=remark, action=action, actor=actor, now=now, **inputs)
    except TransitionError:
        pass


def _reference(as_of: dt.date) -> dict:
    """The figures by the definitions, straight from RemarkEvent and Response, not the facts."""
    local = deadlines.local_date
    days, on_time, by_agency, overdue = Counter(), 0, Counter(), 0
    for remark in Remark.objects.all():
        events = list(remark.events.order_by("created_at", "pk"))
        responses = list(Response.objects.filter(remark=remark).order_by("sent_at", "pk"))
        start, paused, paused_on, due = remark.registered_on, 0, None, None
        status_then = due_then = None  # as they stood at the end of the as-of day
        for event in events:
            day = local(event.created_at)
            if event.payload.get("due_date"):
                due = dt.date.fromisoformat(event.payload["due_date"])
            if day <= as_of:
                status_then, due_then = event.to_status or status_then, due
            if event.to_status == Status.NEEDS_INFO and event.from_status != Status.NEEDS_INFO:
                paused_on = day
            if event.from_status == Status.NEEDS_INFO and paused_on:
                paused += deadlines.working_days_between(paused_on, day)
                paused_on = None
            if event.action == Action.REOPEN:
                start, paused = day, 0
            answer = next((r for r in responses if r.sent_at == event.created_at), None)
            if answer is not None and event.to_status in CLOSED and day <= as_of:
                taken = deadlines.working_days_between(start, day) - paused
                days[taken] += 1
                on_time += day <= due
                by_agency[answer.agency_id] += 1
        # Overdue on the as-of day: clock running then, and the due date then in force before it.
        overdue += status_then in CLOCK_RUNNING and due_then is not None and due_then < as_of
    events = RemarkEvent.objects.all()
    upto = [e for e in events if local(e.created_at) <= as_of]
    filed = sum(e.action == RemarkEvent.Kind.SUBMIT for e in upto)
    closings = sum(e.to_status in CLOSED and e.from_status not in CLOSED for e in upto)
    reopenings = sum(e.action == Action.REOPEN for e in upto)
    return {"total": filed, "answered": sum(days.values()), "on_time": on_time,
            "median_days": nearest_rank(days, 50), "p90_days": nearest_rank(days, 90),
            "reopened": reopenings, "open": filed - closings + reopenings, "by_agency": dict(by_agency),
            "overdue": overdue}


def _commissioners_reference(selection: Selection) -> dict[int, tuple]:
    """The commissioners' table by its definitions: per author, SUBMIT events and answers that
    resolved their remarks in the period; supports given (+1) and withdrawn (-1) in it."""
    local, table = deadlines.local_date, {}

    def add(user, column, n=1):
        table.setdefault(user, [0, 0, 0, 0])[column] += n

    def within(moment):
        return (selection.start or dt.date.min) <= local(moment) <= selection.as_of

    for event in RemarkEvent.objects.select_related("remark"):
        if not within(event.created_at) or selection.kind not in (None, event.remark.kind):
            continue
        if event.action == RemarkEvent.Kind.SUBMIT:
            add(event.remark.author_id, 0)
        answered = Response.objects.filter(remark=event.remark, sent_at=event.created_at).exists()
        if answered and workflow.is_resolved(event.to_status) and event.from_status not in CLOSED:
            add(event.remark.author_id, 1)
    given = [(s.remark.author_id, s.user_id, s.created_at, 1, s.remark_id)
             for s in Support.objects.select_related("remark")]
    for w in SupportWithdrawal.objects.select_related("remark"):
        given += [(w.remark.author_id, w.user_id, w.given_at, 1, w.remark_id),
                  (w.remark.author_id, w.user_id, w.withdrawn_at, -1, w.remark_id)]
    given = [g for g in given if selection.kind in (None, Remark.objects.get(pk=g[4]).kind)]
    for author_id, user_id, moment, n, _remark in given:
        if within(moment):
            add(author_id, 2, n)
            add(user_id, 3, n)
    return {user: tuple(row) for user, row in table.items() if any(row)}


def _check_commissioners(selection: Selection) -> None:
    rows = compute(selection, public=False)["commissioners"]
    assert {r["id"]: (r["filed"], r["resolved"], r["supports_received"], r["supports_given"])
            for r in rows} == _commissioners_reference(selection), selection


def _selections(first: dt.date, as_of: dt.date) -> list[Selection]:
    """As of several days, whole and partial periods, with and without a filter."""
    middle = first + (as_of - first) / 2
    return [Selection(as_of=as_of), Selection(as_of=middle), Selection(as_of=as_of, start=middle),
            Selection(as_of=middle, start=first + dt.timedelta(days=3)),
            Selection(as_of=as_of, start=as_of.replace(day=1)), Selection(as_of=as_of, kind="remark"),
            Selection(as_of=as_of, start=first.replace(day=1) + dt.timedelta(days=31))]


def _check_reference(as_of: dt.date) -> None:
    figures = compute(Selection(as_of=as_of), public=True)
    expected = _reference(as_of)
    for key in ("total", "answered", "on_time", "median_days", "p90_days", "reopened", "open"):
        assert figures[key] == expected[key], key
    assert {row["id"]: row["answered"] for row in figures["agencies"] if row["answered"]} == expected["by_agency"]
    # From the history: the remarks' current state would miss a due date extended since.
    assert figures["overdue"] == expected["overdue"]


def _figures(first: dt.date, as_of: dt.date) -> list[dict]:
    # A selection is made per request: it keeps the checkpoints it found (rollup.span).
    return [{key: value for key, value in compute(selection, public=False).items() if key != "computed_at"}
            for selection in _selections(first, as_of)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=8, max_size=40), filed=st.integers(1, 4), cut=st.floats(0, 1),
       supports=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 5)), max_size=8))
# Found by this test: a history of one day, so that one selection starts after its end (as a
# "period from" in the future does); its flows must be empty before and after a compaction.
@example(steps=[(0, 0, 0, 0), (0, 0, 1, 0)] + [(0, 0, 0, 0)] * 6, filed=1, cut=0.0, supports=[])
# Found by this test: a due date extended after the compaction day; overdue as of that day is
# read from the history (the remark's current due date is later).
@example(steps=[(0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 2, 0), (0, 0, 2, 0), (0, 0, 3, 0), (0, 0, 1, 0), (0, 0, 2, 0),
                (0, 0, 1, 0), (0, 0, 1, 0), (0, 0, 3, 0), (0, 0, 0, 0), (0, 0, 3, 0), (0, 0, 3, 0), (0, 0, 3, 0),
                (0, 0, 2, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 1), (0, 7, 2, 0)],
         filed=1, cut=0.7503768370075581, supports=[])
def test_incremental_facts_equal_the_rebuild_and_the_reference_after_a_random_history(
        world, submit, author, other_commissioner, coordinator, officer, other_officer, secretary, head, steps,
        filed, cut, supports):
    people = {"author": author, "coordinator": coordinator, "officer": officer, "other_officer": other_officer,
              "secretary": secretary, "head": head}
    with transaction.atomic():
        now = START
        remarks = [submit(f"Remark {n}", now=now + dt.timedelta(minutes=n)) for n in range(filed)]
        half = int(len(steps) * cut)

        def run(number, index, action, gap, choice):
            nonlocal now
            now += dt.timedelta(days=gap, minutes=7)
            _take(world, people, remarks, index, action, choice, now)
            for _after, which in (s for s in supports if s[0] == number):
                # Another commissioner supports the remark, or takes the support back.
                try:
                    services.support_toggle(remark=fresh(remarks[which % len(remarks)]), user=other_commissioner,
                                            now=now + dt.timedelta(minutes=1))
                except TransitionError:
                    pass

        for number, step in enumerate(steps[:half]):
            run(number, *step)
        # Compacted as the hourly job would on that day; then more events, pending again.
        facts.compact(today=deadlines.local_date(now))
        compacted_on = deadlines.local_date(now)
        for number, step in enumerate(steps[half:], start=half):
            run(number, *step)
        as_of = deadlines.local_date(now)

        # Rebuild equals incremental, before and after a compaction.
        written = db_facts()
        assert tuple(Counter({k: n for k, n in c.items() if n}) for c in facts.replay()) == written

        # The figures equal the slow reference, half compacted, compacted, and rebuilt.
        _check_reference(as_of)
        _check_reference(compacted_on)
        for selection in _selections(START.date(), as_of):
            _check_commissioners(selection)
        before = _figures(START.date(), as_of)
        facts.compact(today=as_of + dt.timedelta(days=1))
        assert db_facts() == written
        assert_checkpoints_add_up()
        _check_reference(as_of)
        assert _figures(START.date(), as_of) == before
        facts.rebuild()
        assert db_facts() == written
        assert _figures(START.date(), as_of) == before
        _check_commissioners(Selection(as_of=as_of, start=compacted_on))
        # What stands now equals the remarks' own state.
        figures = compute(Selection(as_of=as_of), public=True)
        assert figures["open"] == Remark.objects.filter(status__in=OPEN).count()
        transaction.set_rollback(True)


def test_checkpoints_are_kept_every_sunday_and_month_end_and_a_sum_reads_days_after_the_latest(
        world, submit, coordinator, officer):
    """A sum up to a day starts from the latest checkpoint on or before it: a Sunday's for the flows,
    the ledger and the commissioners' facts without their dimensions (at most six days of day rows
    after it), a month's end for the commissioners' facts with them (120,000 rows a checkpoint at
    1,000,000 remarks)."""
    for day in (2, 9, 16, 25):
        remark = submit(now=at(3, day))
        services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia,
                                   assignee=officer, now=at(3, day, 11))
    facts.compact(today=dt.date(2026, 4, 20))
    assert_checkpoints_add_up()
    wednesday = dt.date(2026, 4, 15)
    for model, grain, point in ((FlowFact, Grain.TOTAL, dt.date(2026, 4, 12)),
                                (FlowFact, Grain.SUMMARY, dt.date(2026, 4, 12)),
                                (StateFact, Grain.TOTAL, dt.date(2026, 4, 12)),
                                (AuthorFact, Grain.SUMMARY, dt.date(2026, 4, 12)),
                                (AuthorFact, Grain.TOTAL, dt.date(2026, 3, 31))):
        assert rollup.upto(model, grain, wednesday)[1] == point, (model, grain)
    sundays = set(FlowFact.objects.filter(grain=Grain.TOTAL).values_list("day", flat=True))
    assert {dt.date(2026, 3, 8), dt.date(2026, 3, 31), dt.date(2026, 4, 12), dt.date(2026, 4, 19)} <= sundays
    assert dt.date(2026, 3, 8) not in set(AuthorFact.objects.filter(grain=Grain.TOTAL).values_list("day", flat=True))


def test_a_compaction_with_nothing_new_rewrites_no_checkpoint(world, submit, coordinator, officer):
    """The first day row falls on a Monday, after its month's first Sunday: no checkpoint is due
    before it, so none is found missing and redone (with everything after it) every hour."""
    remark = submit(now=at(3, 2))  # Monday 2 March 2026; Sunday 1 March has no rows to keep
    services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia,
                               assignee=officer, now=at(3, 9, 11))
    facts.compact(today=dt.date(2026, 5, 20))
    checkpoints = {model: set(model.objects.exclude(grain__in=(Grain.PENDING, Grain.DAY)).values_list("pk", "day"))
                   for model in (FlowFact, StateFact, AuthorFact)}
    assert all(checkpoints.values())
    assert dt.date(2026, 3, 1) not in {day for _pk, day in checkpoints[FlowFact]}
    facts.compact(today=dt.date(2026, 5, 20))
    for model, rows in checkpoints.items():
        assert set(model.objects.exclude(grain__in=(Grain.PENDING, Grain.DAY)).values_list("pk", "day")) == rows


def test_the_commissioners_facts_without_dimensions_keep_the_kind_the_migration_writes_them_so(
        world, submit, coordinator, officer):
    import importlib

    from django.db import connection

    submit(now=at(3, 2), kind="suggestion")
    submit(now=at(3, 3), kind="remark")
    facts.compact(today=dt.date(2026, 4, 16))
    rows = lambda: sorted(AuthorFact.objects.filter(detail=False).values_list(  # noqa: E731
        "grain", "day", "measure", "user", "kind", "n"))
    written = rows()
    assert {row[4] for row in written} == {"suggestion", "remark"}
    # As they stood before the migration (which knew no summary checkpoints of them).
    AuthorFact.objects.filter(detail=False, grain__in=(Grain.PENDING, Grain.DAY, Grain.TOTAL)).update(kind="")
    editor = type("Editor", (), {"connection": connection})()
    importlib.import_module("remarks.migrations.0025_author_facts_keep_kind").forward(None, editor)
    assert rows() == written
