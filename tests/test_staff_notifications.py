"""Staff are told of the work an event gives them, and nobody else is (DESIGN: the staff loop).
The expected recipients are written here from the issue's list, never read from the code."""

from __future__ import annotations

import pytest
from django.core import mail

from remarks import services
from remarks.models import Notification, Remark, RemarkEvent, StaffNotificationSettings
from remarks.workflow import Action, Outcome, Status


def told(event) -> set[str]:
    return {n.user.username for n in Notification.objects.filter(event=event).select_related("user")}


def last_event(remark) -> RemarkEvent:
    return RemarkEvent.objects.filter(remark=remark).latest("pk")


def fresh(remark) -> Remark:
    return Remark.objects.get(pk=remark.pk)


@pytest.fixture
def everyone(personas):
    return personas


def test_a_new_remark_tells_the_coordinators_only(submit, everyone):
    remark = submit()
    assert told(last_event(remark)) == {"carol"}


def test_routing_tells_the_agency_and_the_assignee(submit, everyone, world):
    remark = submit()
    services.remark_transition(remark=remark, action=Action.ACCEPT, actor=everyone["coordinator"],
                               agency=world.mia, assignee=everyone["officer"])
    # The author (alice) hears of every change; MIA's officer and head of their new work.
    assert told(last_event(remark)) == {"alice", "oscar", "hanna"}


def test_a_co_executor_added_is_told(submit, everyone, world):
    remark = submit()
    services.remark_transition(remark=remark, action=Action.ACCEPT, actor=everyone["coordinator"],
                               agency=world.mia, co_agencies=[world.nit])
    assert told(last_event(remark)) == {"alice", "oscar", "hanna", "nina"}


def test_reassigning_to_another_agency_tells_that_agency(remark_in, everyone, world):
    remark = remark_in(Status.IN_REVIEW)
    services.remark_transition(remark=remark, action=Action.REASSIGN, actor=everyone["coordinator"],
                               agency=world.nit)
    assert told(last_event(remark)) == {"alice", "nina"}


def test_the_answer_to_a_clarification_tells_whoever_asked(remark_in, everyone):
    remark = remark_in(Status.NEEDS_INFO)  # asked by the officer
    services.remark_transition(remark=fresh(remark), action=Action.PROVIDE_INFO, actor=everyone["author"],
                               text="Chromium 130")
    assert told(last_event(remark)) == {"oscar"}


def test_a_dispute_tells_the_agency_that_answered(remark_in, everyone):
    remark = remark_in(Status.RESOLVED)
    services.remark_transition(remark=fresh(remark), action=Action.REOPEN, actor=everyone["author"],
                               text="Still broken")
    assert told(last_event(remark)) == {"oscar", "hanna"}


def test_an_escalation_tells_the_commissions_secretary(remark_in, everyone):
    remark = remark_in(Status.ESCALATED)
    assert told(last_event(remark)) == {"alice", "sam"}


def test_a_commission_hand_over_tells_the_competent_agency(remark_in, everyone, world):
    remark = remark_in(Status.ESCALATED)
    world.session.agenda.add(remark)
    services.remark_transition(remark=fresh(remark), action=Action.COMMISSION_DECIDE, actor=everyone["secretary"],
                               session=world.session, outcome=Outcome.HAND_OVER, competent_agency=world.mia,
                               text="To the Ministry of Internal Affairs.")
    assert told(last_event(remark)) == {"alice", "oscar", "hanna"}


def test_an_officer_of_another_agency_is_never_told(remark_in, everyone):
    for status in (Status.IN_REVIEW, Status.RESOLVED, Status.ESCALATED, Status.NEEDS_INFO):
        remark_in(status)
    assert not Notification.objects.filter(user=everyone["other_officer"]).exists()
    assert not Notification.objects.filter(user=everyone["analyst"]).exists()
    assert not Notification.objects.filter(user=everyone["other_commissioner"]).exists()


def test_staff_choose_how_they_are_emailed(submit, everyone, world, django_capture_on_commit_callbacks):
    officer, head = everyone["officer"], everyone["head"]
    StaffNotificationSettings.objects.create(user=officer, email="off")
    StaffNotificationSettings.objects.create(user=head, email="immediate", language="ru")
    remark = submit()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.remark_transition(remark=remark, action=Action.ACCEPT, actor=everyone["coordinator"],
                                   agency=world.mia)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([everyone["author"].email, head.email])
    [to_head] = [m for m in mail.outbox if m.to == [head.email]]
    assert "требует вашего внимания" in to_head.body  # in the language the head chose


def test_staff_choose_a_daily_digest_on_the_settings_page(client_for, submit, everyone, world):
    from django.urls import reverse

    from remarks import notify
    from remarks.models import OutboxEmail

    officer = everyone["officer"]
    page = client_for(officer).post(reverse("notifications:settings"), {"email": "daily", "language": "kk"})
    assert page.status_code == 302
    assert StaffNotificationSettings.objects.get(user=officer).email == "daily"
    first, second = submit(), submit(title="Another remark about the payment")
    for remark in (first, second):
        services.remark_transition(remark=remark, action=Action.ACCEPT, actor=everyone["coordinator"],
                                   agency=world.mia)
    assert not OutboxEmail.objects.filter(to=officer.email).exists()  # nothing at once
    assert notify.daily_digest_send() == 1
    [digest] = OutboxEmail.objects.filter(to=officer.email)
    assert first.reference in digest.body and second.reference in digest.body
    # The next digest holds only what came after this one: nothing yet.
    assert notify.daily_digest_send() == 0


def test_a_bulk_action_sends_each_member_of_staff_one_email(submit, everyone, world,
                                                           django_capture_on_commit_callbacks):
    remarks = [submit(title=f"Bulk remark number {i}") for i in range(3)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.remarks_bulk_transition(remarks=remarks, action=Action.ACCEPT, actor=everyone["coordinator"],
                                         agency=world.mia)
    to_head = [m for m in mail.outbox if m.to == [everyone["head"].email]]
    assert len(to_head) == 1
    assert all(r.reference in to_head[0].body for r in remarks)
    # The in-app notices stay one per remark.
    assert Notification.objects.filter(user=everyone["head"]).count() == 3
    # The author is told once, of all three remarks.
    [to_author] = [m for m in mail.outbox if m.to == [everyone["author"].email]]
    assert all(r.reference in to_author.body for r in remarks)
    assert Notification.objects.filter(user=everyone["author"], remark__in=remarks).count() == 3


# --- the actions that change no status ----------------------------------------------------


def _shared(remark_in, everyone, world):
    """In review at MIA, NIT co-executing (nina is NIT's officer)."""
    remark = remark_in(Status.SUBMITTED)
    return services.remark_transition(remark=remark, action=Action.ACCEPT, actor=everyone["coordinator"],
                                      agency=world.mia, assignee=everyone["officer"], co_agencies=[world.nit])


def test_asking_a_co_executor_tells_that_agency_only(remark_in, everyone, world):
    remark = _shared(remark_in, everyone, world)
    services.remark_transition(remark=fresh(remark), action=Action.REQUEST_CONTRIBUTION, actor=everyone["officer"],
                               co_agency=world.nit, due_date=remark.due_date, text="Your part, please.")
    # Staff business: the author is not told.
    assert told(last_event(remark)) == {"nina"}


def test_a_contribution_tells_whoever_asked(remark_in, everyone, world):
    remark = _shared(remark_in, everyone, world)
    services.remark_transition(remark=fresh(remark), action=Action.REQUEST_CONTRIBUTION, actor=everyone["head"],
                               co_agency=world.nit, due_date=remark.due_date, text="Your part, please.")
    services.remark_transition(remark=fresh(remark), action=Action.CONTRIBUTE, actor=everyone["other_officer"],
                               text="The gateway log shows the callback lost.")
    # hanna asked; oscar is the assignee who writes the answer.
    assert told(last_event(remark)) == {"hanna", "oscar"}


def test_consent_to_publish_an_answered_remark_tells_the_coordinators(remark_in, everyone):
    remark = remark_in(Status.RESOLVED)
    services.remark_transition(remark=fresh(remark), action=Action.CONSENT_PUBLICATION, actor=everyone["author"])
    assert told(last_event(remark)) == {"carol"}


def test_publication_tells_the_author_only(remark_in, everyone):
    from remarks.models import Publication

    remark = remark_in(Status.RESOLVED)
    Publication.objects.create(remark=remark, consent=True)
    services.remark_transition(remark=fresh(remark), action=Action.PUBLISH, actor=everyone["coordinator"],
                               public_title="T", public_description="D", public_answer="A")
    assert told(last_event(remark)) == {"alice"}
