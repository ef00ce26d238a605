"""Each remark's assignee and its agency's heads are told once when the answer falls due soon
(terms.DUE_SOON_WORKING_DAYS working days before) and once when it is overdue, per due date:
in-app (/notifications/) and by e-mail as each chose; a second run, or a second node, tells
nobody twice, and an extended deadline gets its notices again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from remarks import notify, services
from remarks.models import DeadlineNotice, Notification, OutboxEmail, Remark, StaffNotificationSettings
from remarks.workflow import Action

# Monday 15 June 2026: two working days on is Wednesday 17 June.
TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def routed(world, coordinator, officer, head, submit):
    def _routed(due_date, title="Routed remark"):
        remark = services.remark_transition(remark=submit(title=title), action=Action.ACCEPT, actor=coordinator,
                                            agency=world.mia, assignee=officer)
        Remark.objects.filter(pk=remark.pk).update(due_date=due_date)
        return Remark.objects.get(pk=remark.pk)

    return _routed


def deadline_notices(user):
    return list(Notification.objects.filter(user=user).exclude(kind="event").values_list("kind", "due_date"))


def test_assignee_and_heads_are_told_once_of_due_soon_and_once_of_overdue(routed, officer, head,
                                                                          other_officer, coordinator):
    soon = routed(dt.date(2026, 6, 17), title="Due on Wednesday")
    later = routed(dt.date(2026, 6, 18), title="Due on Thursday")
    late = routed(dt.date(2026, 6, 12), title="Due last Friday")
    assert notify.deadline_notices_send(today=TODAY) == 2
    assert notify.deadline_notices_send(today=TODAY) == 0  # idempotent
    for user in (officer, head):
        assert sorted(deadline_notices(user)) == [("due_soon", soon.due_date), ("overdue", late.due_date)]
    assert deadline_notices(other_officer) == deadline_notices(coordinator) == []
    subjects = set(OutboxEmail.objects.filter(to=officer.email).values_list("subject", flat=True))
    assert {f"{soon.reference} is due on 17.06.2026", f"{late.reference} is overdue"} <= subjects
    assert not DeadlineNotice.objects.filter(remark=later).exists()


def test_the_overdue_day_follows_the_due_soon_notice_and_an_extension_tells_again(routed, officer):
    remark = routed(dt.date(2026, 6, 17))
    notify.deadline_notices_send(today=TODAY)
    notify.deadline_notices_send(today=dt.date(2026, 6, 18))
    assert sorted(deadline_notices(officer)) == [("due_soon", remark.due_date), ("overdue", remark.due_date)]
    Remark.objects.filter(pk=remark.pk).update(due_date=dt.date(2026, 6, 22))
    notify.deadline_notices_send(today=dt.date(2026, 6, 19))
    assert ("due_soon", dt.date(2026, 6, 22)) in deadline_notices(officer)


def test_email_follows_the_staff_members_settings(routed, officer, head):
    StaffNotificationSettings.objects.create(user=officer, email=StaffNotificationSettings.Email.OFF)
    StaffNotificationSettings.objects.create(user=head, email=StaffNotificationSettings.Email.DAILY, language="ru")
    remark = routed(dt.date(2026, 6, 12))
    OutboxEmail.objects.all().delete()
    notify.deadline_notices_send(today=TODAY)
    assert not OutboxEmail.objects.exists()  # none now: one chose none, the other the digest
    assert len(deadline_notices(officer)) == len(deadline_notices(head)) == 1
    notify.daily_digest_send()
    (digest,) = OutboxEmail.objects.filter(to=head.email)
    assert remark.reference in digest.body and "12.06.2026" in digest.body


def test_the_notice_is_listed_on_the_notifications_page(routed, officer, client_for):
    remark = routed(dt.date(2026, 6, 12))
    notify.deadline_notices_send(today=TODAY)
    body = client_for(officer).get(reverse("notifications:list")).content.decode()
    assert remark.reference in body and "overdue: the answer was due 12.06.2026" in body


def test_a_deactivated_assignee_is_not_told(routed, officer, head):
    routed(dt.date(2026, 6, 12))
    officer.is_active = False
    officer.save()
    notify.deadline_notices_send(today=TODAY)
    assert deadline_notices(officer) == [] and len(deadline_notices(head)) == 1


def test_the_hourly_job_is_a_periodic_job(settings):
    assert ("deadline-notices", "remarks.tasks.deadline_notices", "hourly") in settings.PERIODIC_JOBS
