"""`inhouse worker`: runs queued background tasks and sweeps the SLA clocks every minute.

Any number of workers may run at once: task rows are claimed by the database
backend, and the sweep marks each clock with a conditional UPDATE, so nothing
is done twice.
"""

import logging
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("inhouse.worker")


def _enqueue_sweep() -> None:
    from inhouse.sla.tasks import sweep_clocks

    try:
        sweep_clocks.enqueue()
    finally:
        # This runs on the scheduler's own thread, which must not keep a connection open.
        connection.close()


def _schedule_sweeps(every: float, stop: threading.Event) -> None:
    while not stop.wait(every):
        try:
            _enqueue_sweep()
        except Exception:  # noqa: BLE001 - one failed enqueue must not end the schedule
            logger.exception("Could not enqueue the SLA sweep; trying again next time")


class Command(BaseCommand):
    help = "Run queued background tasks and sweep SLA clocks every minute."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument(
            "--sweep-every", type=float, default=60.0, help="Seconds between SLA sweeps."
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Sweep once, run every task already queued, then exit (for cron and tests).",
        )

    def handle(
        self, *args: Any, interval: float, sweep_every: float, once: bool, **options: Any
    ) -> None:
        if interval <= 0 or sweep_every <= 0:
            raise CommandError("--interval and --sweep-every must be positive.")
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if once:
            from inhouse.sla.services import sweep_breaches, sweep_warnings

            now = timezone.now()
            warned, breached = sweep_warnings(now=now), sweep_breaches(now=now)
            self.stdout.write(f"Swept SLA clocks: {warned} warned, {breached} breached.")
        if not isinstance(backend, DatabaseBackend):
            if once:
                return
            raise CommandError(
                "The worker runs the database task backend (INHOUSE_TASK_BACKEND=database); "
                f"the configured backend is {type(backend).__name__}."
            )
        worker = Worker(
            queue_names=["*"],
            interval=0 if once else interval,
            batch=once,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not once,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        if once:
            worker.run()
            return
        stop = threading.Event()
        scheduler = threading.Thread(
            target=_schedule_sweeps, args=(sweep_every, stop), name="sla-sweep", daemon=True
        )
        close_old_connections()
        _enqueue_sweep()
        scheduler.start()
        self.stdout.write(f"Worker running; SLA sweep every {sweep_every:g} s. Ctrl-C stops it.")
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
