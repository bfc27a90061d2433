"""`inhouse worker`: runs queued background tasks and queues the periodic ones: the SLA
sweep, settling deflections, due follow-ups and survey notices every minute, training
reminders hourly, the removal of confidential cases past their retention period and the
managers' kudos digests once a day.

Any number of workers may run at once: the database backend claims each task
row for one worker, and the sweep marks each clock with a conditional UPDATE,
so a sweep queued by two workers does its work once.
"""

import importlib
import logging
import math
import threading
import time
from argparse import ArgumentTypeError
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("inhouse.worker")
HOUR = 60 * 60.0
DAY = 24 * HOUR


def positive_seconds(raw: str) -> float:
    """An argparse type: a finite number of seconds greater than 0."""
    try:
        value = float(raw)
    except ValueError:
        raise ArgumentTypeError(f"{raw!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise ArgumentTypeError("must be a number of seconds greater than 0")
    return value


@dataclass(frozen=True)
class Periodic:
    """A task the worker queues on a schedule; every one is idempotent, so several
    workers queueing it do its work once."""

    task: str  # the task's dotted path, imported when queued
    what: str  # for the log and for ``--once``
    # Seconds between two queueings; None: at every sweep (``--sweep-every``).
    every: float | None = None
    # Whether ``--once`` runs it too (the per-minute jobs a cron line replaces).
    with_once: bool = False


PERIODIC = (
    Periodic("inhouse.sla.tasks.sweep_clocks", "Swept SLA clocks", with_once=True),
    # Views of articles from a request form whose window passed become deflections.
    Periodic("inhouse.knowledge.tasks.settle_article_deflections", "Deflections settled"),
    Periodic("inhouse.feedback.tasks_followups.send_follow_ups", "Follow-ups sent", with_once=True),
    Periodic("inhouse.feedback.tasks.send_survey_notices", "Survey notices", with_once=True),
    Periodic(
        "inhouse.feedback.tasks_kudos.remind_training_signups", "Training reminders", every=HOUR
    ),
    Periodic("inhouse.desk.tasks.remove_expired_cases", "Retention run", every=DAY),
    # Idempotent per manager and week: queued daily, it sends each week's digest once.
    Periodic("inhouse.feedback.tasks_kudos.send_kudos_digests", "Kudos digests", every=DAY),
)


def _task(path: str) -> Any:
    # Imported when used so the worker starts, and keeps running its other tasks, even
    # when one app's tasks cannot be imported.
    module, name = path.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def enqueue(periodic: Periodic) -> None:
    try:
        _task(periodic.task).enqueue()
    finally:
        # The scheduler thread's connection would otherwise stay open between sweeps,
        # holding a PostgreSQL slot and, on SQLite, a file handle.
        connection.close()


def schedule_sweeps(*, every: float, stop: threading.Event) -> None:
    """Queues each of ``PERIODIC`` now and then on its schedule (those without one every
    ``every`` seconds) until ``stop`` is set. A failed queueing (say, while the database
    restarts) is logged and tried again at the next sweep; it never ends the schedule."""
    due = dict.fromkeys(PERIODIC, time.monotonic())
    while not stop.is_set():
        for periodic in PERIODIC:
            if time.monotonic() < due[periodic]:
                continue
            try:
                enqueue(periodic)
            except Exception:  # noqa: BLE001
                logger.exception("Could not queue %s; trying again in %g s", periodic.task, every)
                continue
            if periodic.every is not None:
                due[periodic] = time.monotonic() + periodic.every
        stop.wait(every)


def run_now(periodic: Periodic) -> str:
    """Runs ``periodic`` in this process, bypassing the queue; what it did, in words."""
    done = _task(periodic.task).call()
    return describe_counts(done) if isinstance(done, dict) else str(done)


def describe_counts(counts: dict[str, int]) -> str:
    """``{"warned": 2, "breached": 1}`` reads "2 warned, 1 breached"."""
    return ", ".join(f"{count} {what}" for what, count in counts.items()) or "nothing to do"


class Command(BaseCommand):
    help = (
        "Run queued background tasks and queue the periodic ones: the SLA sweep every "
        "minute, the retention run once a day, and the others in PERIODIC."
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
            for periodic in PERIODIC:
                if periodic.with_once:
                    self.stdout.write(f"{periodic.what}: {run_now(periodic)}.")
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
