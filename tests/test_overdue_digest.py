"""`manage.py send_overdue_digest`: each agency head gets the agency's overdue remarks and
those due within 2 working days (terms.DUE_SOON_WORKING_DAYS), in their language, through the outbox."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command

from agencies.models import AgencyMembership
from remarks.models import OutboxEmail, Remark
from remarks.workflow import Status

# Monday 15 June 2026; 2 working days later is Wednesday 17 June.
TODAY = dt.date(2026, 6, 15)


def due(remark, day: dt.date):
    Remark.objects.filter(pk=remark.pk).update(due_date=day)
    return remark


def run(date=TODAY) -> str:
    out = io.StringIO()
    call_command("send_overdue_digest", date=date.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def nit_head(world, django_user_model):
    user = django_user_model.objects.create_user(username="nurlan", email="nurlan@example.kz",
                                                 first_name="Nurlan", last_name="Head")
    AgencyMembership.objects.create(user=user, agency=world.nit, role="head")
    return user


@pytest.fixture
def situation(world, coordinator, remark_in, submit):
    from remarks import services

    overdue = due(remark_in(Status.IN_REVIEW, title="Overdue at MIA"), TODAY - dt.timedelta(days=1))
    soon = due(remark_in(Status.IN_REVIEW, title="Due on Wednesday"), dt.date(2026, 6, 17))
    later = due(remark_in(Status.IN_REVIEW, title="Due on Thursday"), dt.date(2026, 6, 18))
    paused = due(remark_in(Status.NEEDS_INFO, title="Paused at MIA"), TODAY - dt.timedelta(days=5))
    closed = due(remark_in(Status.RESOLVED, title="Closed at MIA"), TODAY - dt.timedelta(days=5))
    nit = services.remark_transition(remark=submit(title="Overdue at NIT"), action="accept",
                                     actor=coordinator, agency=world.nit)
    due(nit, TODAY - dt.timedelta(days=2))
    return type("Situation", (), dict(overdue=overdue, soon=soon, later=later, paused=paused, closed=closed,
                                      nit=nit))


def test_each_head_gets_only_their_agencys_overdue_and_due_soon_remarks(world, head, officer, nit_head,
                                                                        situation, settings):
    output = run()
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {head.email, nit_head.email}  # heads only, never officers
    mia = by_recipient[head.email].body
    assert situation.overdue.reference in mia and situation.soon.reference in mia
    for absent in (situation.later, situation.paused, situation.closed, situation.nit):
        assert absent.reference not in mia
    nit = by_recipient[nit_head.email].body
    assert situation.nit.reference in nit and situation.overdue.reference not in nit
    assert by_recipient[head.email].subject.startswith("MIA")
    assert "2 e-mails" in output and "2 sent" in output


def test_a_head_with_nothing_due_gets_no_email(world, head, nit_head, remark_in):
    due(remark_in(Status.IN_REVIEW), dt.date(2026, 7, 30))
    assert "0 e-mails" in run()
    assert mail.outbox == []


def test_digest_is_in_the_heads_language_else_kazakh(world, head, situation):
    from commissioners.models import Commissioner

    run()
    kazakh = [m for m in mail.outbox if m.to == [head.email]][-1].body
    Commissioner.objects.create(user=head, full_name="Hanna Head", region="astana", background="expert",
                                appointed_on=dt.date(2025, 1, 1), language="en")
    run()
    english = [m for m in mail.outbox if m.to == [head.email]][-1].body
    assert "Overdue" in english and "Dear Hanna Head" in english
    assert situation.overdue.reference in kazakh


def test_a_refusing_mail_server_loses_nothing(world, head, situation):
    with mock.patch("remarks.outbox.EmailMessage.send", side_effect=ConnectionRefusedError("refused")):
        output = run()
    pending = OutboxEmail.objects.get(to=head.email, subject__startswith="MIA:")
    assert pending.sent_at is None and pending.attempts == 1 and "refused" in pending.last_error
    # The head's, and the coordinator's (NIT's overdue remark has no head to tell here).
    assert "2 left in the outbox" in output

