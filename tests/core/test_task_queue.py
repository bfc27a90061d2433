"""The database task queue writes the row django-tasks-db itself would write.

``core/task_queue.py`` replaces only the library's ``create`` of the row with a
statement built once per process; the same task enqueued through the library's own
backend and through this one must leave the same row, on both engines.
"""

from datetime import UTC, datetime

import pytest
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks_db.models import DBTaskResult

pytestmark = pytest.mark.django_db

# Columns that differ between any two enqueues: the row's own id and when it was made.
OWN_TO_EACH_ROW = {"id", "enqueued_at"}


@task()
def greet(name: str, *, times: int = 1) -> str:
    return ", ".join([f"Hello {name}"] * times)


@pytest.fixture
def both_backends(settings):
    settings.TASKS = {
        "default": {"BACKEND": "inhouse.core.task_queue.DatabaseBackend", "QUEUES": []},
        "library": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []},
    }


def row_of(result) -> dict:
    row = DBTaskResult.objects.values().get(id=result.id)
    return {column: value for column, value in row.items() if column not in OWN_TO_EACH_ROW}


LATER = datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "options",
    [{}, {"priority": 7, "queue_name": "slow", "run_after": LATER}],
    ids=["now", "later, with a priority and a queue"],
)
def test_a_task_leaves_the_row_the_library_leaves(both_backends, options):
    ours = greet.using(**options).enqueue("Rita", times=2)
    theirs = greet.using(backend="library", **options).enqueue("Rita", times=2)

    expected = row_of(theirs)
    expected["backend_name"] = "default"
    assert row_of(ours) == expected
    assert ours.status == TaskResultStatus.READY
    assert (ours.args, ours.kwargs) == (theirs.args, theirs.kwargs) == (["Rita"], {"times": 2})
    assert task_backends["default"].get_result(ours.id).id == ours.id


def test_a_task_with_no_run_after_gets_the_library_s_far_future(both_backends):
    ours = greet.enqueue("Omar")
    theirs = greet.using(backend="library").enqueue("Omar")
    assert (
        DBTaskResult.objects.get(id=ours.id).run_after
        == DBTaskResult.objects.get(id=theirs.id).run_after
    )
