"""Periodic jobs, run by the workers once per period whatever the number of workers and nodes.

The jobs are named in settings.PERIODIC_JOBS (core imports no domain app). A job's period is
its key: the local date for "daily", the date and hour for "hourly". A worker claims a
period by inserting the (job, period) row, and runs the job in that same transaction: two
workers that try at once are told apart by the unique constraint (on PostgreSQL the second
waits for the first to commit), and a worker that dies halfway rolls its claim back with the
job's writes, so the next sweep runs the job again.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import PeriodicRun

logger = logging.getLogger(__name__)

PERIOD_KEYS = {"hourly": "%Y-%m-%dT%H", "daily": "%Y-%m-%d"}
# Finished task results and periodic runs older than this are deleted by prune_task_results.
KEEP_TASK_RESULTS_DAYS = 7
KEEP_PERIODIC_RUNS = dt.timedelta(days=90)


@dataclass(frozen=True)
class Job:
    name: str
    function: str
    period: str
    due_when: str | None = None  # a function of the local time: is this period's run due yet?

    def period_key(self, local_now: dt.datetime) -> str:
        return local_now.strftime(PERIOD_KEYS[self.period])

    def is_due(self, local_now: dt.datetime) -> bool:
        return self.due_when is None or import_string(self.due_when)(local_now)


def configured_jobs() -> list[Job]:
    jobs = [Job(*entry) for entry in settings.PERIODIC_JOBS]
    for job in jobs:
        if job.period not in PERIOD_KEYS:
            raise ValueError(f"PERIODIC_JOBS: {job.name} has period {job.period!r}, "
                             f"not one of {sorted(PERIOD_KEYS)}")
    return jobs


def run_due_jobs(*, now: dt.datetime | None = None) -> list[str]:
    """Run every job whose current period has no run yet; returns the names run here."""
    local_now = timezone.localtime(now or timezone.now())
    ran = []
    for job in configured_jobs():
        if not job.is_due(local_now):
            continue
        period = job.period_key(local_now)
        if PeriodicRun.objects.filter(job=job.name, period=period).exists():
            continue  # the common case, answered without a write
        if _claim_and_run(job, period, local_now):
            ran.append(job.name)
    return ran


def _claim_and_run(job: Job, period: str, local_now: dt.datetime) -> bool:
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    run = PeriodicRun.objects.create(job=job.name, period=period, created_at=local_now)
            except IntegrityError:
                return False  # another worker has run it for this period
            import_string(job.function)()
    except Exception as exc:  # a job that fails is recorded, not retried every second
        logger.exception("periodic job %s for %s failed", job.name, period)
        PeriodicRun.objects.get_or_create(job=job.name, period=period, defaults={
            "created_at": local_now, "error": "".join(traceback.format_exception(exc))[-4000:]})
        return False
    logger.info("periodic job %s for %s done (run %s)", job.name, period, run.pk)
    return True


def prune_task_results() -> None:
    """Delete the finished results of the task queue, and old runs of the periodic jobs."""
    call_command("prune_db_task_results", queue_name="*", min_age_days=KEEP_TASK_RESULTS_DAYS, verbosity=0)
    PeriodicRun.objects.filter(created_at__lt=timezone.now() - KEEP_PERIODIC_RUNS).delete()
