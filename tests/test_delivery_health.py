"""A dead worker or a refusing mail server is noticed: the coordinators' queue says so when an
e-mail has waited longer than terms.DELIVERY_LATE or could not be delivered; others see nothing."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from remarks import terms
from remarks.models import OutboxEmail
from remarks.outbox import outbox_queue

QUEUE = reverse("remarks:list")


def test_the_coordinator_is_told_when_an_email_waits_too_long(client_for, coordinator, officer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}
    outbox_queue(to="someone@example.kz", subject="Subject", body="Body")
    assert "E-mail delivery is behind" not in client_for(coordinator).get(QUEUE).content.decode()
    with time_machine.travel(timezone.now() + terms.DELIVERY_LATE + dt.timedelta(minutes=1)):
        page = client_for(coordinator).get(QUEUE).content.decode()
        assert "E-mail delivery is behind: 1 e-mail waits, the oldest for 16" in page
        assert "E-mail delivery is behind" not in client_for(officer).get(QUEUE).content.decode()


def test_a_failed_email_is_shown_to_the_coordinator(client_for, coordinator):
    row = outbox_queue(to="someone@example.kz", subject="Subject", body="Body")
    OutboxEmail.objects.filter(pk=row.pk).update(state=OutboxEmail.State.FAILED)
    assert "1 e-mail could not be delivered." in client_for(coordinator).get(QUEUE).content.decode()
