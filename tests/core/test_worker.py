"""`inhouse worker` runs queued tasks of the database backend and sweeps SLA clocks."""

import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from inhouse.desk.models import EventKind, RequestEvent
from inhouse.desk.services import submit_request
from inhouse.ops.management.commands.worker import schedule_sweeps
from inhouse.sla.models import Clock

DATABASE_TASKS = {"default": {"BACKEND": "inhouse.core.task_queue.DatabaseBackend", "QUEUES": []}}


@task()
def add(a: int, b: int) -> int:
    return a + b


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


# The worker closes connections between tasks as a long-running process must, which
# would end a test wrapped in one transaction: these tests commit like production does.
@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_a_queued_task_to_success(database_tasks):
    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY

    call_command("worker", "--once")

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert not DBTaskResult.objects.ready().exists()


@pytest.mark.django_db
def test_worker_once_marks_overdue_clocks_breached_once(cast):
    request = submit_request(actor=cast.rita, service=cast.printer, subject="Printer jam")
    clock = Clock.objects.get(request=request, kind="first_response")
    Clock.objects.filter(pk=clock.pk).update(
        started_at=clock.started_at.replace(year=2020), due_at=clock.due_at.replace(year=2020)
    )

    call_command("worker", "--once")
    call_command("worker", "--once")

    clock.refresh_from_db()
    assert clock.breached_at is not None
    assert RequestEvent.objects.filter(request=request, kind=EventKind.BREACHED).count() == 1
    request.refresh_from_db()
    assert request.sla_breached


@pytest.mark.django_db(transaction=True)
def test_scheduler_queues_the_sla_sweep_from_its_thread(database_tasks):
    stop = threading.Event()
    scheduler = threading.Thread(
        target=schedule_sweeps, kwargs={"every": 0.05, "stop": stop}, daemon=True
    )
    scheduler.start()
    sweeps = DBTaskResult.objects.filter(task_path="inhouse.sla.tasks.sweep_clocks")
    deadline = time.monotonic() + 10
    while sweeps.count() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    scheduler.join(timeout=10)

    assert not scheduler.is_alive()
    assert sweeps.count() >= 2

    call_command("worker", "--once")
    assert set(sweeps.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}


@pytest.mark.parametrize("option", ["--interval", "--sweep-every"])
@pytest.mark.parametrize("value", ["0", "-1", "soon", "inf"])
def test_worker_refuses_a_bad_duration(option, value):
    with pytest.raises(CommandError, match=option):
        call_command("worker", option, value)


def test_worker_refuses_to_poll_a_backend_that_is_not_the_database():
    # The test settings run tasks immediately; only --once makes sense with that backend.
    with pytest.raises(CommandError, match="INHOUSE_TASK_BACKEND=database"):
        call_command("worker")
