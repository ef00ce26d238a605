"""E-mail leaves through the task queue, never inside a request: the outbox row is the truth.
A refusing mail server is retried with backoff and then the row is failed (staff retry it);
a worker that dies while sending only delays the e-mail; a row that is sent is never sent
again; two workers deliver each of 500 e-mails exactly once (PostgreSQL); and on SQLite a
worker and the server write at the same time."""

from __future__ import annotations

import datetime as dt
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from remarks import outbox
from remarks.models import OutboxEmail
from remarks.tasks import deliver_email

pytestmark = pytest.mark.django_db(transaction=True)  # commits and on_commit happen for real

PROJECT = Path(__file__).resolve().parent.parent
State = OutboxEmail.State


@pytest.fixture(autouse=True)
def _database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}
    settings.PERIODIC_JOBS = []  # tests/test_worker.py has them


class WorkerKilled(BaseException):
    """Stands for the process being killed while it talks to the mail server."""


def queue(n: int = 1) -> list[OutboxEmail]:
    with transaction.atomic():
        return [outbox.outbox_queue(to=f"reader{i}@example.kz", subject=f"Update {i}", body="Body")
                for i in range(n)]


def run_worker(**options) -> None:
    call_command("worker", once=True, **options)


def message_ids() -> list[str]:
    return [message.message()["Message-ID"] for message in mail.outbox]


def refusing(message="421 try again later"):
    return mock.patch("remarks.outbox.EmailMessage.send", side_effect=smtplib.SMTPServerDisconnected(message))


def row(email: OutboxEmail) -> OutboxEmail:
    return OutboxEmail.objects.get(pk=email.pk)


def test_a_remark_action_queues_the_email_and_the_request_opens_no_mail_connection(client_for, coordinator,
                                                                                   submit, world, author):
    remark = submit()
    OutboxEmail.objects.all().delete()
    DBTaskResult.objects.all().delete()
    opened = []

    def refuse_in_request(*args, **kwargs):
        opened.append(args)
        raise AssertionError("a mail connection was opened inside the request")

    with mock.patch.object(smtplib.SMTP, "__init__", refuse_in_request), \
            mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse_in_request):
        response = client_for(coordinator).post(reverse("remarks:act", args=[remark.reference, "accept"]),
                                                {"accept-agency": world.mia.pk})
    assert response.status_code == 302
    assert opened == [] and mail.outbox == []
    email = OutboxEmail.objects.get()
    assert (email.to, email.state, email.attempts) == (author.email, State.PENDING, 0)
    task = DBTaskResult.objects.get()
    assert (task.task_path, task.queue_name, task.args_kwargs["args"]) == (deliver_email.module_path, "mail",
                                                                          [email.pk])

    run_worker()
    assert message_ids() == [email.message_id]
    assert mail.outbox[0].to == [author.email] and remark.reference in mail.outbox[0].subject
    email = row(email)
    assert email.state == State.SENT and email.sent_at is not None and email.attempts == 1


def test_the_message_id_is_fixed_when_the_email_is_written():
    first, second = queue(2)
    assert first.message_id.startswith("<") and first.message_id.endswith("@127.0.0.1>")
    assert first.message_id != second.message_id


def test_nothing_is_queued_for_a_change_that_is_rolled_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.outbox_queue(to="reader@example.kz", subject="Never", body="Body")
        raise RuntimeError
    assert not OutboxEmail.objects.exists() and not DBTaskResult.objects.exists()


def test_a_refusing_mail_server_backs_off_and_a_later_run_delivers():
    (email,) = queue()
    with refusing():
        run_worker()
    email = row(email)
    assert email.state == State.PENDING and email.attempts == 1 and "try again later" in email.last_error
    assert email.lease_until is None
    now = timezone.now()
    assert now + dt.timedelta(seconds=50) < email.next_attempt_at <= now + dt.timedelta(minutes=1)
    # The retry is a task of its own, deferred to the row's next attempt.
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == email.next_attempt_at

    run_worker()  # too early: nothing is due
    assert mail.outbox == [] and row(email).attempts == 1
    with time_machine.travel(email.next_attempt_at + dt.timedelta(seconds=1)):
        run_worker()
    assert message_ids() == [email.message_id]
    assert row(email).state == State.SENT and row(email).attempts == 2


def test_the_backoff_grows_to_about_a_day_then_the_row_is_failed():
    assert [outbox.retry_delay(n) for n in range(1, outbox.MAX_ATTEMPTS)] == [
        dt.timedelta(minutes=m) for m in (1, 4, 16, 64, 256, 480, 480)]
    assert dt.timedelta(hours=20) < sum(map(outbox.retry_delay, range(1, outbox.MAX_ATTEMPTS)),
                                        dt.timedelta()) < dt.timedelta(hours=26)
    (email,) = queue()
    outcomes = []
    with refusing():
        for _ in range(outbox.MAX_ATTEMPTS):
            with time_machine.travel(row(email).next_attempt_at + dt.timedelta(seconds=1)):
                outcomes.append(outbox.deliver(email.pk))
    assert outcomes == ["retry"] * (outbox.MAX_ATTEMPTS - 1) + ["failed"]
    email = row(email)
    assert email.state == State.FAILED and email.attempts == outbox.MAX_ATTEMPTS
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        assert outbox.deliver(email.pk) == "skipped"  # failed stays failed until staff retry it
        assert outbox.outbox_requeue() == 0


def test_staff_see_the_queue_health_and_retry_a_failed_email(client_for, operator):
    failed, waiting, later = queue(3)
    OutboxEmail.objects.filter(pk=failed.pk).update(state=State.FAILED, attempts=outbox.MAX_ATTEMPTS,
                                                    last_error="550 mailbox unavailable")
    now = timezone.now()
    OutboxEmail.objects.filter(pk=waiting.pk).update(next_attempt_at=now - dt.timedelta(minutes=10))
    OutboxEmail.objects.filter(pk=later.pk).update(next_attempt_at=now + dt.timedelta(hours=1))
    health = outbox.outbox_health()
    assert (health.ready, health.failed) == (1, 1)
    assert dt.timedelta(minutes=10) <= health.oldest_ready_age < dt.timedelta(minutes=11)

    admin = client_for(operator)
    changelist = reverse("admin:remarks_outboxemail_changelist")
    page = admin.get(changelist).content.decode()
    assert "Ready to send: 1, the oldest waiting for 10" in page and "Failed: 1." in page
    assert "550 mailbox unavailable" in page

    response = admin.post(changelist, {"action": "retry_now", "_selected_action": [failed.pk]}, follow=True)
    assert "1 e-mail will be tried again now." in response.content.decode()
    failed = row(failed)
    assert failed.state == State.PENDING and failed.attempts == outbox.MAX_ATTEMPTS
    assert failed.next_attempt_at <= timezone.now()
    run_worker()
    assert row(failed).state == State.SENT and failed.message_id in message_ids()
    # Refused once more, a retried row is failed again at once: its attempts were kept.
    OutboxEmail.objects.filter(pk=failed.pk).update(state=State.FAILED, sent_at=None)
    outbox.outbox_retry(ids=[failed.pk])
    with refusing():
        assert outbox.deliver(failed.pk) == "failed"


def test_staff_cannot_add_or_edit_outbox_rows(client_for, operator):
    (email,) = queue()
    admin = client_for(operator)
    assert admin.get(reverse("admin:remarks_outboxemail_add")).status_code == 403
    admin.post(reverse("admin:remarks_outboxemail_change", args=[email.pk]), {"to": "someone@else.kz"})
    assert row(email).to == email.to


def test_a_worker_that_died_after_claiming_is_replaced_when_the_lease_runs_out():
    (email,) = queue()
    with mock.patch("remarks.outbox.EmailMessage.send", side_effect=WorkerKilled):
        run_worker()
    dead = row(email)
    assert dead.state == State.PENDING and dead.lease_until is not None and dead.attempts == 0

    deliver_email.enqueue(email.pk)  # a second task for it, say
    run_worker()
    with time_machine.travel(timezone.now() + outbox.LEASE - dt.timedelta(seconds=30)):
        run_worker()  # the lease still holds: nobody else may send it
        assert outbox.deliver(email.pk) == "skipped"
    assert mail.outbox == []
    with time_machine.travel(dead.lease_until + dt.timedelta(seconds=1)):
        run_worker()  # the sweeper enqueues it again, and a worker sends it
    assert message_ids() == [email.message_id]
    assert row(email).state == State.SENT and row(email).lease_until is None


def test_a_row_whose_task_went_missing_is_requeued_once_per_interval():
    with transaction.atomic():
        email = OutboxEmail.objects.create(to="reader@example.kz", subject="Lost", body="Body")  # no task
    run_worker()
    assert mail.outbox == []  # not yet: its task may still be on the way
    later = timezone.now() + outbox.REQUEUE_AFTER + dt.timedelta(seconds=5)
    with time_machine.travel(later), mock.patch("remarks.outbox.EmailMessage.send", side_effect=WorkerKilled):
        assert outbox.outbox_requeue() == 1
        assert outbox.outbox_requeue() == 0  # one sweeper, or the next sweep, does not enqueue it twice
    with time_machine.travel(later + dt.timedelta(seconds=1)):
        run_worker()
    assert message_ids() == [email.message_id]


def test_a_sent_email_is_never_sent_again():
    (email,) = queue()
    assert outbox.deliver(email.pk) == "sent"
    assert outbox.deliver(email.pk) == "skipped"
    deliver_email.enqueue(email.pk)  # a duplicate task, as a sweeper might leave
    run_worker()
    assert outbox.outbox_retry(ids=[email.pk]) == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        run_worker()
        assert outbox.outbox_requeue() == 0
    assert message_ids() == [email.message_id]


def test_send_outbox_delivers_what_is_due_for_installations_without_a_worker(capsys):
    due, later = queue(2)
    OutboxEmail.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + dt.timedelta(hours=1))
    call_command("send_outbox")
    assert "sent 1, failed 0" in capsys.readouterr().out
    assert message_ids() == [due.message_id]


@pytest.mark.postgres
def test_two_workers_deliver_each_of_500_emails_exactly_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    emails = queue(500)
    for email in emails:  # a second task for every row, as after a sweep: the row decides
        deliver_email.enqueue(email.pk)
    errors = []

    def work(worker_id):
        try:
            run_worker(worker_id=worker_id)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"test-worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sent = message_ids()
    assert len(sent) == 500 and set(sent) == {email.message_id for email in emails}
    assert OutboxEmail.objects.filter(state=State.SENT).count() == 500
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert {wid for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for wid in ids} == {
        "test-worker-0", "test-worker-1"}


WRITER = """
import django, os
django.setup()
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from remarks.models import OutboxEmail
from remarks.outbox import outbox_queue
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(get_user_model().objects.create_user(username="writer"))
for i in range(int(os.environ["ROWS"])):
    with transaction.atomic():  # as a service does: read, then write
        OutboxEmail.objects.filter(state="pending").count()
        outbox_queue(to=f"reader{i}@example.kz", subject=f"Update {i}", body="Body")
    response = client.get("/notifications/")  # a request that writes: its session is saved
    assert response.status_code == 200, response.status_code
print("written")
"""


def test_on_sqlite_a_worker_and_requests_write_at_the_same_time(tmp_path):
    # Processes of their own on a SQLite file, whatever database the suite runs on. Without
    # the settings' SQLite options the writer fails within a few rows: "database is locked".
    rows = 60
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "ROWS": str(rows),
           "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1", "LOG_LEVEL": "WARNING",
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    manage = [sys.executable, str(PROJECT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=PROJECT, check=True, timeout=300)
    worker = subprocess.Popen([*manage, "worker", "--interval", "0.05"], env=env, cwd=PROJECT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        writer = subprocess.run([sys.executable, "-c", WRITER], env=env, cwd=PROJECT, capture_output=True,
                                text=True, timeout=300)
        assert writer.returncode == 0 and "written" in writer.stdout, writer.stderr
        count = [*manage, "shell", "-c",
                 "from remarks.models import OutboxEmail as O; print(O.objects.filter(state='sent').count())"]
        deadline = time.monotonic() + 120
        while (sent := int(subprocess.run(count, env=env, cwd=PROJECT, capture_output=True, text=True,
                                          timeout=120).stdout.split()[-1])) < rows:
            assert time.monotonic() < deadline, f"{sent} of {rows} sent"
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0 and "stopped" in out, err
    assert "locked" not in err + writer.stderr and "Traceback" not in err, err
