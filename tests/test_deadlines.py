"""Deadlines of the appeals rules (APPC art. 76): 15 working days from registration, the day of
filing not counted, weekends and Kazakhstan's public holidays skipped."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from remarks import deadlines, services
from remarks.models import Remark
from remarks.services import TransitionError
from remarks.workflow import Action, Status

ALMATY = ZoneInfo("Asia/Almaty")
D = dt.date


@pytest.mark.parametrize("filed, registered, due", [
    (D(2026, 6, 3), D(2026, 6, 3), D(2026, 6, 24)),  # an ordinary Wednesday
    (D(2026, 6, 5), D(2026, 6, 5), D(2026, 6, 26)),  # Friday: the weekend is skipped
    (D(2026, 6, 6), D(2026, 6, 8), D(2026, 6, 29)),  # Saturday: registered on Monday
    (D(2026, 6, 7), D(2026, 6, 8), D(2026, 6, 29)),  # Sunday
    (D(2026, 3, 18), D(2026, 3, 18), D(2026, 4, 13)),  # Nauryz, 21-25 March, inside the term
    (D(2026, 3, 21), D(2026, 3, 26), D(2026, 4, 16)),  # filed on Nauryz: registered after it
    (D(2026, 4, 30), D(2026, 4, 30), D(2026, 5, 26)),  # the May holidays: 1, 7 and 11 May
    (D(2026, 5, 9), D(2026, 5, 12), D(2026, 6, 3)),  # Victory Day observed on Monday; Kurban ait 27 May
    (D(2026, 12, 31), D(2026, 12, 31), D(2027, 1, 26)),  # New Year, its observed Monday, Orthodox Christmas
    (D(2027, 1, 1), D(2027, 1, 5), D(2027, 1, 27)),  # filed on New Year's Day
])
def test_registration_and_answer_due_dates(filed, registered, due):
    assert deadlines.next_working_day(filed) == registered
    assert deadlines.answer_due(registered) == due


def test_routing_is_due_three_working_days_after_registration():
    assert deadlines.routing_due(D(2026, 3, 18)) == D(2026, 3, 26)
    assert deadlines.routing_due(D(2026, 6, 5)) == D(2026, 6, 10)


@pytest.mark.parametrize("day, working", [
    (D(2026, 3, 20), True), (D(2026, 3, 21), False), (D(2026, 3, 24), False), (D(2026, 3, 26), True),
    (D(2026, 1, 1), False), (D(2026, 1, 2), False), (D(2026, 1, 7), False), (D(2026, 5, 1), False),
    (D(2026, 6, 6), False), (D(2026, 6, 8), True),
])
def test_is_working_day(day, working):
    assert deadlines.is_working_day(day) is working


def test_working_days_between_counts_after_the_start_up_to_the_end():
    assert deadlines.working_days_between(D(2026, 6, 3), D(2026, 6, 3)) == 0
    assert deadlines.working_days_between(D(2026, 6, 3), D(2026, 6, 10)) == 5
    assert deadlines.working_days_between(D(2026, 3, 18), D(2026, 3, 27)) == 4  # Nauryz in between
    assert deadlines.working_days_between(D(2026, 6, 10), D(2026, 6, 3)) == 0


@pytest.mark.parametrize("start, months, end", [
    (D(2026, 3, 18), 2, D(2026, 5, 18)), (D(2026, 12, 31), 2, D(2027, 2, 28)),
    (D(2026, 11, 30), 2, D(2027, 1, 30)),
])
def test_add_months_keeps_the_day_or_the_month_end(start, months, end):
    assert deadlines.add_months(start, months) == end


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)


@pytest.mark.parametrize("moment, registered, due", [
    (local(2026, 3, 18, 9, 30), D(2026, 3, 18), D(2026, 4, 13)),
    (local(2026, 6, 6, 1, 0), D(2026, 6, 8), D(2026, 6, 29)),  # Saturday night in Astana, Friday in UTC
    (local(2026, 6, 5, 23, 59), D(2026, 6, 5), D(2026, 6, 26)),
    (local(2026, 5, 1, 12, 0), D(2026, 5, 4), deadlines.answer_due(D(2026, 5, 4))),
])
def test_filing_registers_on_the_next_working_day_of_local_time(moment, registered, due, submit):
    with time_machine.travel(moment, tick=False):
        remark = submit()
    assert remark.registered_on == registered
    assert remark.due_date == due
    assert remark.routing_due == deadlines.routing_due(registered)


def test_waiting_for_the_author_moves_the_due_date_by_the_working_days_waited(submit, coordinator, officer,
                                                                            author, world):
    with time_machine.travel(local(2026, 6, 1, 10), tick=False):
        remark = submit()
        remark = services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator,
                                            agency=world.mia, assignee=officer)
    assert remark.due_date == D(2026, 6, 22)
    with time_machine.travel(local(2026, 6, 3, 11), tick=False):
        remark = services.remark_transition(remark=remark, action=Action.REQUEST_INFO, actor=officer,
                                            text="Which browser?")
    with time_machine.travel(local(2026, 6, 10, 16), tick=False):
        remark = services.remark_transition(remark=remark, action=Action.PROVIDE_INFO, actor=author,
                                            text="Firefox on Android.")
    assert remark.status == Status.IN_REVIEW
    assert Remark.objects.get(pk=remark.pk).due_date == D(2026, 6, 29)  # 5 working days later


def test_a_pause_over_nauryz_counts_only_working_days(submit, coordinator, author):
    with time_machine.travel(local(2026, 3, 18, 10), tick=False):
        remark = submit()
        remark = services.remark_transition(remark=remark, action=Action.REQUEST_INFO, actor=coordinator,
                                            text="Which region?")
    with time_machine.travel(local(2026, 3, 27, 10), tick=False):
        remark = services.remark_transition(remark=remark, action=Action.PROVIDE_INFO, actor=author,
                                            text="Astana")
    assert remark.status == Status.SUBMITTED
    assert remark.due_date == deadlines.add_working_days(D(2026, 4, 13), 4)


def test_an_answer_on_the_day_of_the_question_moves_nothing(remark_in, author):
    remark = remark_in(Status.NEEDS_INFO)
    before = remark.due_date
    remark = services.remark_transition(remark=remark, action=Action.PROVIDE_INFO, actor=author, text="Here.")
    assert remark.due_date == before


def test_extension_beyond_two_months_of_registration_is_refused(submit, coordinator, head, officer, world):
    with time_machine.travel(local(2026, 3, 18, 10), tick=False):
        remark = submit()
        remark = services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator,
                                            agency=world.mia, assignee=officer)
    with time_machine.travel(local(2026, 4, 10, 10), tick=False):
        with pytest.raises(TransitionError, match="2026-05-18"):
            services.remark_transition(remark=remark, action=Action.EXTEND_DEADLINE, actor=head,
                                       due_date=D(2026, 5, 19), text="Awaiting the vendor.")
        remark = services.remark_transition(remark=remark, action=Action.EXTEND_DEADLINE, actor=head,
                                            due_date=D(2026, 5, 18), text="Awaiting the vendor.")
    assert Remark.objects.get(pk=remark.pk).due_date == D(2026, 5, 18)


def test_overdue_is_open_with_the_clock_running_and_past_due(remark_in, django_assert_num_queries):
    with time_machine.travel(local(2026, 6, 1, 10), tick=False):
        late = {status: remark_in(status) for status in Status}
    due = late[Status.SUBMITTED].due_date
    with time_machine.travel(local(2026, 6, 5, 10), tick=False):
        fresh = remark_in(Status.IN_REVIEW)
    assert fresh.due_date > due
    day_after = due + dt.timedelta(days=1)

    with django_assert_num_queries(1):
        overdue = set(Remark.objects.overdue(today=day_after).values_list("pk", flat=True))
    # The clock stops while the author is asked and while the commission holds it; closed is never late.
    # (the duplicate's original was filed with it and is still waiting for triage)
    assert overdue == {late[Status.SUBMITTED].pk, late[Status.IN_REVIEW].pk,
                       late[Status.DUPLICATE].duplicate_of_id}
    assert not Remark.objects.overdue(today=due).exists()

    flagged = dict(Remark.objects.with_overdue_flag(today=day_after).values_list("pk", "is_overdue"))
    assert {pk for pk, flag in flagged.items() if flag} == overdue

    with time_machine.travel(local(2026, 7, 1, 12), tick=False):
        assert fresh.pk in set(Remark.objects.overdue().values_list("pk", flat=True))
