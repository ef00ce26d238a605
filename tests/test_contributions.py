"""Co-executors contribute to the answer: the lead agency asks a co-executing agency by a date,
the worker reminds it once, its staff add the contribution (staff only), the official answer and
its letter name the agencies that contributed, and the statistics and digests count it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail

from remarks import deadlines, notify, services
from remarks.models import ContributionRequest, NoticeKind, Notification, Remark
from remarks.selectors import available_actions, overdue_digest_for
from remarks.services import TransitionError
from remarks.workflow import Action, Status
from tests.conftest import _member, login


@pytest.fixture
def co_officer(world):
    """An officer of NIT, the co-executing agency below."""
    return _member("nikolai", "Nikolai", "Coexec", world.nit, "officer")


@pytest.fixture
def co_head(world):
    return _member("nazira", "Nazira", "Cohead", world.nit, "head")


@pytest.fixture
def shared(world, submit, coordinator, officer):
    """In review at MIA with NIT as a co-executing agency."""
    remark = submit()
    return services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia,
                                      assignee=officer, co_agencies=[world.nit])


def _ask(remark, actor, world, *, due=None):
    due = due or deadlines.last_working_day_by(Remark.objects.get(pk=remark.pk).due_date)
    return services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action=Action.REQUEST_CONTRIBUTION,
                                      actor=actor, co_agency=world.nit, due_date=due,
                                      text="Your part: the payment gateway logs.")


def _actions(user, remark) -> set:
    return {t.action for t in available_actions(user, Remark.objects.get(pk=remark.pk))}


def test_only_the_lead_agency_asks_and_only_the_co_executor_contributes(shared, officer, co_officer, other_officer,
                                                                        coordinator, author):
    assert Action.REQUEST_CONTRIBUTION in _actions(officer, shared)
    assert Action.CONTRIBUTE not in _actions(officer, shared)
    assert Action.CONTRIBUTE in _actions(co_officer, shared)
    assert Action.REQUEST_CONTRIBUTION not in _actions(co_officer, shared)
    for nobody in (coordinator, author):
        assert not {Action.CONTRIBUTE, Action.REQUEST_CONTRIBUTION} & _actions(nobody, shared)


def test_asking_tells_the_co_executor_staff_and_nobody_else(shared, officer, co_officer, co_head, head, author,
                                                            world):
    mail.outbox.clear()
    _ask(shared, officer, world)
    told = set(Notification.objects.filter(event__action=Action.REQUEST_CONTRIBUTION).values_list("user", flat=True))
    assert told == {co_officer.pk, co_head.pk}
    request = ContributionRequest.objects.get()
    assert (request.agency, request.requested_by, request.contributed_at) == (world.nit, officer, None)
    assert Remark.objects.get(pk=shared.pk).status == Status.IN_REVIEW


def test_the_contribution_is_staff_only_and_the_answer_names_who_contributed(shared, officer, co_officer, world,
                                                                           author, other_commissioner):
    _ask(shared, officer, world)
    services.remark_transition(remark=Remark.objects.get(pk=shared.pk), action=Action.CONTRIBUTE, actor=co_officer,
                               text="The gateway dropped the callback on 3 May; fixed on our side.")
    request = ContributionRequest.objects.get()
    assert request.contributed_at is not None and request.on_time
    # Whoever asked is told.
    assert Notification.objects.filter(user=officer, event__action=Action.CONTRIBUTE).exists()

    secret = "The gateway dropped the callback"
    assert secret in login(officer).get(shared.get_absolute_url()).content.decode()
    assert secret in login(co_officer).get(shared.get_absolute_url()).content.decode()
    for reader in (author, other_commissioner):
        assert secret not in login(reader).get(shared.get_absolute_url()).content.decode()

    services.remark_transition(remark=Remark.objects.get(pk=shared.pk), action=Action.RESOLVE, actor=officer,
                               text="Fixed together with NIT.")
    page = login(author).get(shared.get_absolute_url()).content.decode()
    assert "Prepared with the contributions of: NIT JSC" in page
    assert secret not in page
    letter = Remark.objects.get(pk=shared.pk).responses.get().letter
    assert letter.content["contributors"] == {"kk": ["NIT JSC (kk)"]}


def test_the_due_date_is_a_working_day_from_today_to_the_answer_due_date(shared, officer, world):
    remark = Remark.objects.get(pk=shared.pk)
    with pytest.raises(TransitionError, match="answer's due date"):
        _ask(remark, officer, world, due=remark.due_date + dt.timedelta(days=7))
    with pytest.raises(TransitionError, match="before today"):
        _ask(remark, officer, world, due=remark.registered_on - dt.timedelta(days=1))
    saturday = remark.registered_on + dt.timedelta(days=(5 - remark.registered_on.weekday()) % 7 or 7)
    if saturday < remark.due_date:
        with pytest.raises(TransitionError, match="working day"):
            _ask(remark, officer, world, due=saturday)
    assert not ContributionRequest.objects.exists()


def test_an_agency_that_is_no_co_executor_cannot_be_asked(shared, officer, world):
    with pytest.raises(TransitionError, match="co-executing"):
        services.remark_transition(remark=Remark.objects.get(pk=shared.pk), action=Action.REQUEST_CONTRIBUTION,
                                   actor=officer, co_agency=world.mj, due_date=shared.due_date, text="Please.")


def test_the_worker_reminds_once_when_the_date_nears(shared, officer, co_officer, co_head, world):
    due = deadlines.add_working_days(shared.registered_on, 5)
    _ask(shared, officer, world, due=due)
    early = deadlines.add_working_days(shared.registered_on, 1)
    assert notify.contribution_reminders_send(today=early) == 0
    near = deadlines.add_working_days(due, -2)
    assert notify.contribution_reminders_send(today=near) == 1
    assert notify.contribution_reminders_send(today=near) == 0  # idempotent
    reminders = Notification.objects.filter(kind=NoticeKind.CONTRIBUTION_DUE)
    assert set(reminders.values_list("user", flat=True)) == {co_officer.pk, co_head.pk}
    page = login(co_officer).get("/notifications/").content.decode()
    assert "contribution due" in page


def test_the_co_executor_head_digest_lists_contributions_due(shared, officer, co_head, world):
    due = deadlines.add_working_days(shared.registered_on, 5)
    _ask(shared, officer, world, due=due)
    today = deadlines.add_working_days(due, -1)
    digests = [d for d in overdue_digest_for(today=today) if d.reader == co_head]
    assert len(digests) == 1 and [r.remark_id for r in digests[0].contributions_due] == [shared.pk]


def test_statistics_count_the_co_executors_part(shared, officer, co_officer, coordinator, world):
    _ask(shared, officer, world)
    page = login(coordinator).get("/stats/")
    table = page.context["tables"]["co_executors"]
    (row,) = table.rows
    assert row[:4] == ["NIT JSC", 1, 0, 0] and row[5] == 1  # asked, given, on time ... waiting
    services.remark_transition(remark=Remark.objects.get(pk=shared.pk), action=Action.CONTRIBUTE, actor=co_officer,
                               text="Done.")
    table = login(coordinator).get("/stats/").context["tables"]["co_executors"]
    assert table.rows[0][:4] == ["NIT JSC", 1, 1, 1] and table.rows[0][5] == 0


def test_no_reminder_once_the_remark_is_answered(shared, officer, world):
    due = deadlines.add_working_days(shared.registered_on, 5)
    _ask(shared, officer, world, due=due)
    services.remark_transition(remark=Remark.objects.get(pk=shared.pk), action=Action.RESOLVE, actor=officer,
                               text="Answered without the co-executor.")
    assert notify.contribution_reminders_send(today=due) == 0


def test_a_staff_only_step_does_not_date_the_remark(shared, officer, world):
    before = Remark.objects.get(pk=shared.pk).updated_at
    _ask(shared, officer, world)
    assert Remark.objects.get(pk=shared.pk).updated_at == before


def test_the_new_lead_is_no_longer_its_own_co_executor(shared, coordinator, world):
    services.remark_transition(remark=Remark.objects.get(pk=shared.pk), action=Action.REASSIGN, actor=coordinator,
                               agency=world.nit)
    assert list(Remark.objects.get(pk=shared.pk).co_agencies.all()) == []


def test_the_lead_officer_asks_through_the_page_a_co_executor_offered_from_the_remarks_own_list(
        shared, officer, co_officer, client_for, world):
    client = client_for(officer)
    html = client.get(shared.get_absolute_url()).content.decode()
    select = re.search(r'<select name="request_contribution-co_agency"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\d*)"', select) == ["", str(world.nit.pk)]  # the co-executors only
    due = deadlines.last_working_day_by(Remark.objects.get(pk=shared.pk).due_date)
    response = client.post(f"{shared.get_absolute_url()}act/request_contribution/", {
        "seen_status": Status.IN_REVIEW, "request_contribution-co_agency": world.mia.pk,
        "request_contribution-due_date": due.isoformat(), "request_contribution-text": "Your part."})
    assert response.status_code == 400 and not ContributionRequest.objects.exists()  # MIA is no co-executor
    response = client.post(f"{shared.get_absolute_url()}act/request_contribution/", {
        "seen_status": Status.IN_REVIEW, "request_contribution-co_agency": world.nit.pk,
        "request_contribution-due_date": due.isoformat(), "request_contribution-text": "Your part."})
    assert response.status_code == 302
    assert ContributionRequest.objects.get().agency == world.nit
