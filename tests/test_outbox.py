"""A mail server that refuses loses nothing: the e-mail waits in the outbox and is retried."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from remarks import services
from remarks.models import Notification, OutboxEmail
from remarks.workflow import Action, Status


@pytest.fixture
def _worker_queue(settings):
    """The database queue of production, and a worker that only delivers."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}
    settings.PERIODIC_JOBS = []


@pytest.mark.django_db(transaction=True)
def test_author_is_emailed_in_their_language_when_the_remark_moves(remark_in, officer, author,
                                                                    _worker_queue):
    remark = remark_in(Status.IN_REVIEW)
    author.commissioner.language = "en"
    author.commissioner.save()
    # the e-mails of the earlier steps
    OutboxEmail.objects.update(state=OutboxEmail.State.SENT, sent_at=timezone.now())
    mail.outbox.clear()
    services.remark_transition(remark=remark, action=Action.RESOLVE, actor=officer, text="Fixed.")
    assert mail.outbox == []  # committed, and waiting for the worker
    call_command("worker", once=True)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [author.email]
    assert remark.reference in message.subject and "Resolved" in message.subject
    assert "MIA-" in message.body and "dispute" in message.body
    assert OutboxEmail.objects.latest("pk").sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_refusing_mail_server_keeps_the_email_and_send_outbox_retries(remark_in, officer,
                                                                      _worker_queue):
    remark = remark_in(Status.IN_REVIEW)
    OutboxEmail.objects.update(state=OutboxEmail.State.SENT, sent_at=timezone.now())
    mail.outbox.clear()
    closed = services.remark_transition(remark=remark, action=Action.RESOLVE, actor=officer, text="Fixed.")
    refusing = ConnectionRefusedError("mail server down")
    with mock.patch("remarks.outbox.EmailMessage.send", side_effect=refusing):
        call_command("worker", once=True)
    assert closed.status == Status.RESOLVED
    waiting = OutboxEmail.objects.get(sent_at__isnull=True)
    assert waiting.state == OutboxEmail.State.PENDING and waiting.attempts == 1
    assert "mail server down" in waiting.last_error
    assert Notification.objects.filter(remark=remark, event__action=Action.RESOLVE).count() == 1

    call_command("send_outbox")  # not due yet: the next try comes a minute later
    assert mail.outbox == []
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        call_command("send_outbox")
    waiting.refresh_from_db()
    assert waiting.state == OutboxEmail.State.SENT and waiting.attempts == 2
    assert len(mail.outbox) == 1


def test_no_email_when_the_author_turned_it_off(remark_in, officer, author,
                                                django_capture_on_commit_callbacks):
    remark = remark_in(Status.IN_REVIEW)
    author.commissioner.email_notifications = False
    author.commissioner.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.remark_transition(remark=remark, action=Action.RESOLVE, actor=officer, text="Fixed.")
    assert mail.outbox == []
    assert Notification.objects.filter(user=author, remark=remark).exists()
