"""The background worker: run it beside the app servers, as many as you like on any nodes.

    manage.py worker                 # until SIGTERM or Ctrl+C
    manage.py worker --once          # until nothing is ready, then exit (cron, checks)

Each round sweeps (the periodic jobs that are due, deliveries whose task went missing), then
runs the ready tasks of every queue, at most ROUND_TASKS of them so that a busy queue does
not hold the sweep back, and sleeps `--interval` seconds when there was nothing to do.
SIGTERM or SIGINT lets the task that is running finish, then the worker exits; a second
signal stops it at once (the row's lease makes another worker send that e-mail later).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from remarks.tasks import sweep

logger = logging.getLogger(__name__)

ROUND_TASKS = 100


def default_worker_id() -> str:
    # Unique across the pool (the queue keeps it with each task it ran), at most 64 characters.
    return f"{socket.gethostname()[:50]}-{os.getpid()}"


class Command(BaseCommand):
    help = "Run background tasks (e-mail delivery, periodic jobs) until stopped, or until idle with --once."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="Sweep and run the ready tasks until nothing is ready, then exit.")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds to wait after a round with nothing to do (default: 1).")
        parser.add_argument("--worker-id", default=None, help="Unique id of this worker (default: host-pid).")

    def handle(self, *args, once: bool, interval: float, worker_id: str | None, **options):
        worker_id = (worker_id or default_worker_id())[:64]
        self.stopping = threading.Event()
        self.queue_worker = None
        previous = self._install_signal_handlers()
        if not once:
            self.stdout.write(f"Worker {worker_id}: all queues, every {interval:g} s; "
                              f"stop with SIGTERM or Ctrl+C.")
        try:
            while not self.stopping.is_set():
                if self._round(worker_id):
                    continue  # more is ready: no sleep, no exit
                if once:
                    break
                self.stopping.wait(interval)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        if not once:
            self.stdout.write(f"Worker {worker_id} stopped.")

    def _round(self, worker_id: str) -> bool:
        """Sweep, then run the ready tasks; returns whether more tasks are ready already."""
        try:
            sweep.call()
            # Built here rather than through `call_command("db_worker")`, which would install its
            # own signal handlers every round and hide a SIGTERM from this loop.
            self.queue_worker = Worker(queue_names=["*"], excluded_queue_names=[], interval=1, batch=True,
                                       backend_name=DEFAULT_TASK_BACKEND_ALIAS, startup_delay=False,
                                       max_tasks=ROUND_TASKS, worker_id=worker_id)
            if self.stopping.is_set():
                return False
            self.queue_worker.run()
            return DBTaskResult.objects.ready().exists()
        except Exception:  # the database is away, say: keep the worker alive and try again
            logger.exception("worker %s: round failed", worker_id)
            return False
        finally:
            self.queue_worker = None
            close_old_connections()

    def _install_signal_handlers(self) -> dict:
        if threading.current_thread() is not threading.main_thread():
            return {}  # signals reach only the main thread (tests run workers in threads)
        previous = {}
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, self._stop)
        return previous

    def _stop(self, signum, frame) -> None:
        if self.stopping.is_set():
            raise SystemExit(1)  # asked twice: stop now
        logger.warning("worker: %s, stopping after the current task", signal.strsignal(signum))
        self.stopping.set()
        if self.queue_worker is not None:
            self.queue_worker.running = False
