"""Work outside the request: tasks of Django's Tasks framework on the database queue
(django-tasks-db), run by `manage.py worker`, and the periodic jobs it runs (named in
settings.PERIODIC_JOBS). A task carries only a row's id; the row says what is left to do,
so a task that runs twice does no harm."""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.utils import timezone

from core import periodic
from remarks import deadlines, drafts, notify, outbox, services

# The agency heads' digest goes out in the morning of each working day.
OVERDUE_DIGEST_TIME = dt.time(8, 0)


@task(queue_name="mail")
def deliver_email(pk: int) -> str:
    return outbox.deliver(pk)


@task(queue_name="default")
def render_letter(pk: int) -> str:
    """Render an issued letter's PDF once (remarks.letters.snapshot.letter_render)."""
    from remarks.letters import snapshot

    return snapshot.letter_render(pk)


def requeue_letters() -> None:
    """Letters whose rendering task went missing are enqueued again."""
    from remarks.letters import snapshot

    snapshot.letters_requeue()


@task
def sweep() -> dict:
    """What a worker does between batches: run the periodic jobs that are due, and enqueue
    again the deliveries whose task went missing."""
    return {"jobs": periodic.run_due_jobs(), "requeued": outbox.outbox_requeue()}


def overdue_digest() -> None:
    services.overdue_digest_queue(today=timezone.localdate())


def overdue_digest_is_due(local_now: dt.datetime) -> bool:
    return local_now.time() >= OVERDUE_DIGEST_TIME and deadlines.is_working_day(local_now.date())


def staff_notice_digest() -> None:
    """The daily e-mail of notices for the staff who chose it, with the heads' digest."""
    notify.daily_digest_send()


def deadline_notices() -> None:
    """The "due soon" and "overdue" notices of the hour (each told once per due date), and the
    reminders of contributions asked of co-executors."""
    notify.deadline_notices_send(today=timezone.localdate())
    notify.contribution_reminders_send(today=timezone.localdate())


def purge_drafts() -> None:
    """Checked files of remark forms that were never sent again, past their lifetime."""
    drafts.draft_uploads_purge()
