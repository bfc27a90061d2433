"""What the SLA sweep finds, recorded by the desk; and notices delivered only after commit."""

import ast
import inspect
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from tests.desk.helpers import START, frozen_time, submit

from inhouse.desk.models import Notification, RequestEvent
from inhouse.desk.services import add_comment, update_request
from inhouse.desk.services.sweep import sweep_breaches, sweep_warnings
from inhouse.desk.tasks import deliver_notifications
from inhouse.sla import services as sla_services
from inhouse.sla.models import Clock, ClockKind

pytestmark = pytest.mark.django_db


def test_the_sweep_records_a_breach_through_the_desk_and_tells_the_lead(cast):
    with frozen_time():
        request = submit(cast)
        update_request(actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy)
    due = Clock.objects.get(request=request, kind=ClockKind.FIRST_RESPONSE).due_at
    swept_at = due + timedelta(minutes=1)
    assert sweep_breaches(now=swept_at) == 1
    breached = RequestEvent.objects.get(request=request, kind="breached")
    assert (breached.actor, breached.created_at, breached.data) == (
        None,
        swept_at,
        {"clock": "first_response", "due_at": due.isoformat()},
    )
    notices = Notification.objects.filter(kind="breached")
    assert sorted(notices.values_list("recipient", flat=True)) == sorted(
        [cast.ivy.pk, cast.lena.pk]
    )
    assert [notice.params for notice in notices] == [
        {"reference": "IT-1000", "clock": "first_response"}
    ] * 2


def test_a_claim_another_worker_took_records_nothing(cast):
    with frozen_time():
        request = submit(cast)
    later = START + timedelta(days=2)
    taken = list(sla_services.overdue_clocks(now=later))
    assert [sla_services.claim_breach(candidate) is not None for candidate in taken] == [True, True]
    # The sweep finds nothing left to claim, so it records and tells nothing.
    assert sweep_breaches(now=later) == 0
    assert not RequestEvent.objects.filter(request=request, kind="breached").exists()
    assert not Notification.objects.filter(kind="breached").exists()


def test_the_at_risk_warning_is_a_notice_with_its_clock(cast):
    with frozen_time():
        request = submit(cast)
    assert sweep_warnings(now=START + timedelta(minutes=200)) == 1
    notice = Notification.objects.filter(request=request, kind="at_risk").first()
    assert notice.params == {"reference": "IT-1000", "clock": "first_response"}


def test_the_clock_services_never_import_the_desk_services():
    tree = ast.parse(inspect.getsource(sla_services))
    nodes = list(ast.walk(tree))
    imported = {node.module for node in nodes if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {
        alias.name for node in nodes if isinstance(node, ast.Import) for alias in node.names
    }
    assert not {name for name in imported if name.startswith("inhouse.desk.services")}


# --- after commit -------------------------------------------------------------------------------


def test_notices_are_delivered_once_the_change_commits(cast, django_capture_on_commit_callbacks):
    request = submit(cast)
    with django_capture_on_commit_callbacks(execute=True) as scheduled:
        add_comment(actor=cast.alex, request=request, body="On it.")
    # The reply and the move into progress: one delivery each, both run.
    assert len(scheduled) == 2
    assert Notification.objects.filter(recipient=cast.rita).count() == 2
    assert not Notification.objects.filter(recipient=cast.rita, delivered_at__isnull=True).exists()


def test_a_rolled_back_change_leaves_no_notice_and_schedules_nothing(
    cast, django_capture_on_commit_callbacks
):
    request = submit(cast)
    with (
        django_capture_on_commit_callbacks(execute=True) as scheduled,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        add_comment(actor=cast.alex, request=request, body="On it.")
        assert Notification.objects.filter(recipient=cast.rita).count() == 2
        raise RuntimeError("the surrounding change failed")
    assert scheduled == []
    assert not Notification.objects.filter(recipient=cast.rita).exists()


@pytest.fixture
def queue_in_the_database(settings):
    settings.TASKS = {"default": {"BACKEND": "inhouse.core.task_queue.DatabaseBackend"}}


def waiting_deliveries():
    return DBTaskResult.objects.ready().filter(task_path="inhouse.desk.tasks.deliver_notifications")


def test_a_queue_in_the_database_gets_the_delivery_in_the_change_s_own_transaction(
    cast, queue_in_the_database, django_capture_on_commit_callbacks
):
    request = submit(cast)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks() as scheduled:
        add_comment(actor=cast.alex, request=request, body="On it.")
    # Written with the notices, nothing left for after commit: one run for both of
    # the change's notices (the reply and the move into progress).
    assert scheduled == []
    [delivery] = DBTaskResult.objects.all()
    assert delivery.task_path == "inhouse.desk.tasks.deliver_notifications"
    assert delivery.args_kwargs == {"args": [], "kwargs": {}}
    assert Notification.objects.filter(recipient=cast.rita, delivered_at__isnull=True).count() == 2


def test_changes_committed_while_a_delivery_waits_share_it(cast, queue_in_the_database):
    request = submit(cast)
    [waiting] = waiting_deliveries()
    add_comment(actor=cast.alex, request=request, body="On it.")
    add_comment(actor=cast.rita, request=request, body="Thanks.")
    assert list(waiting_deliveries()) == [waiting]

    # Once a worker has claimed it, the next change queues a run of its own.
    waiting.claim("worker-1")
    add_comment(actor=cast.alex, request=request, body="Done soon.")
    [queued] = waiting_deliveries()
    assert queued.pk != waiting.pk

    assert queued.task.call() == Notification.objects.count()
    assert not Notification.objects.filter(delivered_at__isnull=True).exists()


def test_a_delivery_run_works_through_every_waiting_notice_in_batches(cast, monkeypatch):
    from inhouse.desk import tasks

    monkeypatch.setattr(tasks, "DELIVERY_BATCH", 2)
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="On it.")
    add_comment(actor=cast.rita, request=request, body="Thanks.")
    Notification.objects.update(delivered_at=None)
    waiting = Notification.objects.count()
    assert waiting > 2 * tasks.DELIVERY_BATCH

    with CaptureQueriesContext(connection) as captured:
        assert deliver_notifications.call() == waiting
    updates = [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == -(-waiting // tasks.DELIVERY_BATCH)
    assert not Notification.objects.filter(delivered_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row locks")
def test_on_postgresql_a_change_keeps_the_waiting_delivery_from_workers_until_it_ends(
    cast, queue_in_the_database
):
    """SQLite needs no lock: a worker's claim is a write and waits for the change's."""
    request = submit(cast)
    [waiting] = waiting_deliveries()

    def claim_as_a_worker():
        try:
            with transaction.atomic():
                claimed = DBTaskResult.objects.ready().get_locked()
                return claimed and claimed.pk
        finally:
            connections.close_all()

    with transaction.atomic():
        add_comment(actor=cast.alex, request=request, body="On it.")
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(claim_as_a_worker).result() is None
    assert list(waiting_deliveries()) == [waiting]
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(claim_as_a_worker).result() == waiting.pk


def test_a_rolled_back_change_leaves_no_delivery_in_a_queue_in_the_database(
    cast, queue_in_the_database
):
    request = submit(cast)
    DBTaskResult.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        add_comment(actor=cast.alex, request=request, body="On it.")
        assert DBTaskResult.objects.exists()
        raise RuntimeError("the surrounding change failed")
    assert not DBTaskResult.objects.exists()
    assert not Notification.objects.filter(recipient=cast.rita).exists()


def test_delivering_twice_delivers_each_notice_once(cast):
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="On it.")
    Notification.objects.update(delivered_at=None)
    waiting = Notification.objects.count()
    assert deliver_notifications.call() == waiting
    first = dict(Notification.objects.values_list("pk", "delivered_at"))
    assert deliver_notifications.call() == 0
    assert dict(Notification.objects.values_list("pk", "delivered_at")) == first
