"""`inhouse worker`: runs queued background tasks, queues the SLA sweep and the survey
notices every minute and the removal of confidential cases past their retention period
once a day.

Any number of workers may run at once: the database backend claims each task
row for one worker, and the sweep marks each clock with a conditional UPDATE,
so a sweep queued by two workers does its work once.
"""

import logging
import math
import threading
import time
from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("inhouse.worker")
RETENTION_EVERY = 24 * 60 * 60.0


def positive_seconds(raw: str) -> float:
    """An argparse type: a finite number of seconds greater than 0."""
    try:
        value = float(raw)
    except ValueError:
        raise ArgumentTypeError(f"{raw!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise ArgumentTypeError("must be a number of seconds greater than 0")
    return value


def enqueue_sweep() -> None:
    # Imported here so the worker starts, and keeps running its other tasks, even
    # when the SLA app's tasks cannot be imported.
    from inhouse.sla.tasks import sweep_clocks

    try:
        sweep_clocks.enqueue()
    finally:
        # The scheduler thread's connection would otherwise stay open between sweeps,
        # holding a PostgreSQL slot and, on SQLite, a file handle.
        connection.close()


def enqueue_retention() -> None:
    from inhouse.desk.tasks import remove_expired_cases

    try:
        remove_expired_cases.enqueue()
    finally:
        connection.close()


def enqueue_survey_notices() -> None:
    from inhouse.feedback.tasks import send_survey_notices

    try:
        send_survey_notices.enqueue()
    finally:
        connection.close()


def schedule_sweeps(*, every: float, stop: threading.Event) -> None:
    """Queues the SLA sweep and the survey notices now and then every ``every`` seconds
    until ``stop`` is set, and
    the retention run now and then daily (an idempotent task, so several workers may)."""
    retention_due = time.monotonic()
    while not stop.is_set():
        try:
            enqueue_sweep()
        except Exception:  # noqa: BLE001
            # One failed enqueue (say, while the database restarts) must not end the schedule.
            logger.exception("Could not queue the SLA sweep; trying again in %g s", every)
        try:
            enqueue_survey_notices()
        except Exception:  # noqa: BLE001
            logger.exception("Could not queue the survey notices; trying again in %g s", every)
        if time.monotonic() >= retention_due:
            try:
                enqueue_retention()
                retention_due = time.monotonic() + RETENTION_EVERY
            except Exception:  # noqa: BLE001
                logger.exception("Could not queue the retention run; trying again in %g s", every)
        stop.wait(every)


def sweep_now() -> dict[str, int]:
    """Runs the SLA sweep in this process, bypassing the queue."""
    from inhouse.sla.tasks import sweep_clocks

    return sweep_clocks.call()


def survey_notices_now() -> dict[str, int]:
    """Sends the due survey invitations and reminders in this process."""
    from inhouse.feedback.tasks import send_survey_notices

    return send_survey_notices.call()


def describe_counts(counts: dict[str, int]) -> str:
    """``{"warned": 2, "breached": 1}`` reads "2 warned, 1 breached"."""
    return ", ".join(f"{count} {what}" for what, count in counts.items()) or "nothing to do"


class Command(BaseCommand):
    help = (
        "Run queued background tasks, queue the SLA sweep every minute and the "
        "retention run once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=positive_seconds,
            default=1.0,
            help="seconds to wait between polls of an empty queue (default: 1)",
        )
        parser.add_argument(
            "--sweep-every",
            type=positive_seconds,
            default=60.0,
            help="seconds between SLA sweeps (default: 60)",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="sweep the SLA clocks, run every task already queued, then exit (cron, tests)",
        )

    def handle(
        self, *args: Any, interval: float, sweep_every: float, once: bool, **options: Any
    ) -> None:
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        is_database_backend = isinstance(backend, DatabaseBackend)
        if once:
            swept = sweep_now()
            self.stdout.write("Swept SLA clocks: " + describe_counts(swept) + ".")
            self.stdout.write("Survey notices: " + describe_counts(survey_notices_now()) + ".")
            # Other backends run tasks as they are queued, or in their own workers.
            if is_database_backend:
                self.worker(interval=0, batch=True).run()
            return
        if not is_database_backend:
            raise CommandError(
                "inhouse worker runs the tasks of the database backend "
                f"(INHOUSE_TASK_BACKEND=database); the configured {type(backend).__name__} "
                "runs tasks by itself or with its own workers."
            )
        self.run_forever(interval=interval, sweep_every=sweep_every)

    def run_forever(self, *, interval: float, sweep_every: float) -> None:
        stop = threading.Event()
        # A daemon thread: it never holds up the process once the task loop has ended.
        scheduler = threading.Thread(
            target=schedule_sweeps,
            kwargs={"every": sweep_every, "stop": stop},
            name="sla-sweep-scheduler",
            daemon=True,
        )
        scheduler.start()
        self.stdout.write(f"Worker running; SLA sweep every {sweep_every:g} s. Ctrl-C stops it.")
        worker = self.worker(interval=interval, batch=False)
        # SIGINT/SIGTERM let the running task finish, then end the loop; a second one
        # abandons the task (marked failed).
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()

    def worker(self, *, interval: float, batch: bool) -> Worker:
        return Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            # Spreads workers started together; pointless for a one-off drain.
            startup_delay=not batch,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
