"""Queueing a task for once a change commits, and the queue kept in the database.

``enqueue_once_committed`` is the one way a change schedules what happens beyond its
transaction (the delivery of notices today; email, chat and webhooks tomorrow). The
tasks it queues take no arguments: each works through whatever is waiting for it
(the notices not yet delivered), so a run queued and not yet started serves every
change that commits before it starts, and none is queued beside it.

- A queue kept in the same database gets the task in the change's own transaction,
  committed or rolled back with it (the worker reads only committed tasks, and a
  second write after commit would cost SQLite a second turn of its write lock),
  unless a run of the task is waiting already. That run cannot start before the
  change commits: on SQLite the worker's claim is a write, and waits for the change's
  write lock; on PostgreSQL the change holds a share lock on the waiting row, which
  the worker's claim (``FOR UPDATE SKIP LOCKED``) passes over until the change ends.
  Under load most changes find a run waiting and write no task at all, and the
  worker runs one task for many changes instead of one each.
- Any other queue (Redis, or tasks run at once) gets the task from
  ``transaction.on_commit``.

Where a task is written, django-tasks-db writes the row with the ORM's ``create``,
which compiles the ``INSERT`` again on every call. ``DatabaseBackend`` builds the same
row the same way and writes it with ``core/inserts.py::insert_rows`` (the statement
built once per process), and builds the task's result once instead of twice; the
rest of the backend, its worker included, is the library's.
``tests/core/test_task_queue.py`` holds that both write the same row.
"""

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models.signals import pre_save
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend as LibraryDatabaseBackend
from django_tasks_db.compat import Task, normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult, get_date_max

from inhouse.core.inserts import insert_rows
from inhouse.core.statements import statement_cursor


def enqueue_once_committed(task: Task[[], Any], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Have ``task`` (one taking no arguments) run once the current transaction on
    ``using`` commits (at once when there is none), unless a run of it is waiting
    already; nothing is queued if the transaction rolls back."""
    if not _kept_in(task, using):
        transaction.on_commit(task.enqueue, using=using)
    elif not _holds_a_waiting_run(task, using):
        task.enqueue()


def _kept_in(task: Task[Any, Any], database: str) -> bool:
    """Whether ``task``'s queue is a table of ``database``."""
    if not isinstance(task.get_backend(), LibraryDatabaseBackend):
        return False
    return router.db_for_write(DBTaskResult) == database


# How a change keeps a waiting run from being claimed until it ends, on each engine:
# SQLite's writers take turns, PostgreSQL's claim skips a row others hold a lock on.
_HOLD_UNTIL_THE_END = {"sqlite": "", "postgresql": " FOR KEY SHARE"}


def _holds_a_waiting_run(task: Task[Any, Any], database: str) -> bool:
    """Whether a run of ``task`` is queued as this change would queue it and not yet
    claimed; if so it is held so that no worker claims it before the current
    transaction ends."""
    connection = connections[database]
    if connection.vendor not in _HOLD_UNTIL_THE_END:
        return False
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    with statement_cursor(connection) as cursor:
        cursor.execute(
            # The status is spelt out so the queue's index of waiting tasks
            # (tasks_db_new_ordering_idx, kept where status is READY) serves it.
            f"SELECT 1 FROM {table} WHERE status = '{TaskResultStatus.READY}' "  # noqa: S608
            "AND task_path = %s AND backend_name = %s AND queue_name = %s "
            "AND priority = %s AND run_after = %s LIMIT 1" + _HOLD_UNTIL_THE_END[connection.vendor],
            [
                task.module_path,
                task.backend,
                task.queue_name,
                task.priority,
                # As the run this change would queue: the library's far future stands
                # for "at once".
                connection.ops.adapt_datetimefield_value(task.run_after or get_date_max()),
            ],
        )
        return cursor.fetchone() is not None


class DatabaseBackend(LibraryDatabaseBackend):
    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> Any:
        # As the library's, with the result built once for the signal and the caller.
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result

    def _task_to_db_task(
        self, task: Task[Any, Any], args: Any, kwargs: Any
    ) -> DBTaskResult[Any, Any]:
        row: DBTaskResult[Any, Any] = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        # The library's own receivers see the row as the ORM's save would show it
        # (one of them sets ``run_after`` when the task has none).
        database = router.db_for_write(DBTaskResult)
        pre_save.send(DBTaskResult, instance=row, raw=False, using=database, update_fields=None)
        insert_rows([row])
        return row
