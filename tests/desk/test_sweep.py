"""What the SLA sweep finds, recorded by the desk; and notices delivered only after commit."""

import ast
import inspect
from datetime import timedelta

import pytest
from django.db import transaction
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


def test_a_queue_in_the_database_gets_the_delivery_in_the_change_s_own_transaction(
    cast, queue_in_the_database, django_capture_on_commit_callbacks
):
    request = submit(cast)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks() as scheduled:
        add_comment(actor=cast.alex, request=request, body="On it.")
    # Written with the notices, nothing left for after commit.
    assert scheduled == []
    queued = sorted(task.args_kwargs["args"][0] for task in DBTaskResult.objects.all())
    notices = Notification.objects.filter(recipient=cast.rita).order_by("pk")
    assert sorted(id for ids in queued for id in ids) == [notice.pk for notice in notices]
    assert {task.task_path for task in DBTaskResult.objects.all()} == {
        "inhouse.desk.tasks.deliver_notifications"
    }


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
    ids = list(Notification.objects.filter(recipient=cast.rita).values_list("pk", flat=True))
    assert deliver_notifications.call(ids) == 2
    first = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "delivered_at"))
    assert deliver_notifications.call(ids) == 0
    assert dict(Notification.objects.filter(pk__in=ids).values_list("pk", "delivered_at")) == first
