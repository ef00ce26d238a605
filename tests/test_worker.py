"""`manage.py worker` and the periodic jobs: each job runs once per period whatever the number
of sweeps or workers (on PostgreSQL, two at the same instant), a worker that dies halfway
leaves the period to the next sweep, the agency heads' digest goes out once at 08:00 on
working days, and the worker stops cleanly on SIGTERM."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from core import periodic
from core.models import PeriodicRun
from remarks.management.commands.worker import default_worker_id
from remarks.models import Remark
from remarks.tasks import overdue_digest_is_due
from remarks.workflow import Status

ALMATY = ZoneInfo("Asia/Almaty")
MONDAY = dt.date(2026, 6, 15)
RUNS: list[str] = []


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ALMATY)


def count_run() -> None:
    RUNS.append("ran")


def slow_run() -> None:
    RUNS.append("ran")
    time.sleep(0.5)  # long enough for the other worker to try the same period meanwhile


def failing_run() -> None:
    RUNS.append("ran")
    raise ValueError("the job's bug")


class WorkerKilled(BaseException):
    pass


def dying_run() -> None:
    PeriodicRun.objects.create(job="written-by-the-job", period="x")
    raise WorkerKilled


@pytest.fixture(autouse=True)
def _fresh(settings):
    RUNS.clear()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "mail"]}}


@pytest.fixture
def jobs(settings):
    def _jobs(*entries):
        settings.PERIODIC_JOBS = list(entries)

    return _jobs


def test_two_sweeps_in_the_same_period_run_the_job_once(db, jobs):
    jobs(("count", "tests.test_worker.count_run", "daily"))
    with time_machine.travel(at(MONDAY, 9)):
        assert periodic.run_due_jobs() == ["count"]
        assert periodic.run_due_jobs() == []
    with time_machine.travel(at(MONDAY, 23, 59)):
        assert periodic.run_due_jobs() == []
    with time_machine.travel(at(MONDAY + dt.timedelta(days=1), 0, 1)):
        assert periodic.run_due_jobs() == ["count"]  # the local date is the period, not UTC's
    assert RUNS == ["ran", "ran"]
    assert list(PeriodicRun.objects.order_by("period").values_list("period", flat=True)) == [
        "2026-06-15", "2026-06-16"]


def test_an_hourly_job_runs_once_an_hour(db, jobs):
    jobs(("count", "tests.test_worker.count_run", "hourly"))
    for hour, minute in ((9, 0), (9, 59), (10, 0), (10, 30)):
        with time_machine.travel(at(MONDAY, hour, minute)):
            periodic.run_due_jobs()
    assert RUNS == ["ran", "ran"]


def test_a_failing_job_is_recorded_and_waits_for_the_next_period(db, jobs):
    jobs(("broken", "tests.test_worker.failing_run", "daily"))
    with time_machine.travel(at(MONDAY, 9)):
        assert periodic.run_due_jobs() == []
        assert periodic.run_due_jobs() == []
    assert RUNS == ["ran"]
    assert "the job's bug" in PeriodicRun.objects.get(job="broken").error


def test_a_worker_that_dies_halfway_leaves_the_period_to_the_next_sweep(db, jobs):
    jobs(("dying", "tests.test_worker.dying_run", "daily"), ("count", "tests.test_worker.count_run", "daily"))
    with time_machine.travel(at(MONDAY, 9)), pytest.raises(WorkerKilled):
        periodic.run_due_jobs()
    assert not PeriodicRun.objects.exists()  # the claim went with the job's own writes
    jobs(("count", "tests.test_worker.count_run", "daily"))
    with time_machine.travel(at(MONDAY, 9, 1)):
        assert periodic.run_due_jobs() == ["count"]


def test_an_unknown_period_is_refused(db, jobs):
    jobs(("count", "tests.test_worker.count_run", "weekly"))
    with pytest.raises(ValueError, match="weekly"):
        periodic.run_due_jobs()


def test_the_digest_is_due_from_eight_on_working_days():
    assert not overdue_digest_is_due(at(MONDAY, 7, 59))
    assert overdue_digest_is_due(at(MONDAY, 8, 0)) and overdue_digest_is_due(at(MONDAY, 23, 0))
    assert not overdue_digest_is_due(at(dt.date(2026, 6, 13), 10))  # Saturday
    assert not overdue_digest_is_due(at(dt.date(2026, 12, 16), 10))  # Independence Day


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_each_head_the_overdue_digest_once_on_a_working_morning(remark_in, head):
    with time_machine.travel(at(MONDAY, 7, 30)):
        overdue = remark_in(Status.IN_REVIEW, title="Overdue at MIA")
        Remark.objects.filter(pk=overdue.pk).update(due_date=MONDAY - dt.timedelta(days=3))
        call_command("worker", once=True)
    # Before eight: the head has had the notices of the routing and of the deadline, and no digest yet.
    assert [m for m in mail.outbox if m.to == [head.email] and "Overdue at MIA" in m.body
            and m.subject.startswith("MIA:")] == []
    assert [m.subject for m in mail.outbox if m.to == [head.email] and "is overdue" in m.subject] == [
        f"{overdue.reference} is overdue"]
    mail.outbox.clear()
    for minute in (30, 31):
        with time_machine.travel(at(MONDAY, 8, minute)):
            call_command("worker", once=True)
    digests = [m for m in mail.outbox if m.to == [head.email]]
    assert len(digests) == 1 and overdue.reference in digests[0].body
    assert set(PeriodicRun.objects.values_list("job", flat=True)) == {
        "overdue-digest", "staff-notice-digest", "deadline-notices", "drafts-purge", "prune-task-results",
        "prune-throttle", "compact-facts", "letters-requeue"}
    assert not PeriodicRun.objects.exclude(error="").exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_stops_at_sigterm_without_waiting_out_its_sleep(jobs):
    jobs()
    stopper = threading.Timer(1.0, os.kill, args=(os.getpid(), signal.SIGTERM))
    before = signal.getsignal(signal.SIGTERM)
    started = time.monotonic()
    stopper.start()
    try:
        call_command("worker", interval=60)
    finally:
        stopper.cancel()
    assert time.monotonic() - started < 10
    assert signal.getsignal(signal.SIGTERM) is before  # its handlers are gone with it


def test_the_worker_id_names_the_host_and_process():
    worker_id = default_worker_id()
    assert worker_id.endswith(f"-{os.getpid()}") and len(worker_id) <= 64


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_instant_run_a_periodic_job_once(jobs):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")
    jobs(("slow", "tests.test_worker.slow_run", "daily"))
    start, results, errors = threading.Barrier(2), [], []

    def sweep():
        try:
            start.wait()
            results.append(periodic.run_due_jobs())
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [[], ["slow"]] and RUNS == ["ran"]
    assert PeriodicRun.objects.filter(job="slow").count() == 1
