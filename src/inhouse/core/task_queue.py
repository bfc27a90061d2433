"""Queueing a task for once a change commits, and the queue kept in the database.

``enqueue_once_committed`` is the one way a change schedules what happens beyond its
transaction (the delivery of notices today; email, chat and webhooks tomorrow): a
queue kept in the same database gets the task in the change's own transaction,
committed or rolled back with it (the worker reads only committed tasks, and a
second write after commit would cost SQLite a second turn of its write lock); any
other queue (Redis, or tasks run at once) gets it from ``transaction.on_commit``.

Every submit and comment queues the delivery of its notices that way, so on SQLite
the enqueue runs inside the write turn. django-tasks-db writes the row with the ORM's
``create``, which compiles the ``INSERT`` again on every call: most of an enqueue's
cost, and a seventh of a submit's rate. ``DatabaseBackend`` builds the same row the
same way and writes it with ``core/inserts.py::insert_rows`` (the statement built
once per process), and builds the task's result once instead of twice; the rest of
the backend, its worker included, is the library's. ``tests/core/test_task_queue.py``
holds that both write the same row.
"""

from typing import Any

from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.db.models.signals import pre_save
from django_tasks_db.backend import DatabaseBackend as LibraryDatabaseBackend
from django_tasks_db.compat import Task, normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult

from inhouse.core.inserts import insert_rows


def enqueue_once_committed(
    task: Task[Any, Any], *args: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    """Queue ``task`` to run only once the current transaction on ``using`` commits
    (at once when there is none); nothing is queued if it rolls back."""
    if _kept_in(task, using):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task.enqueue(*args, **kwargs), using=using)


def _kept_in(task: Task[Any, Any], database: str) -> bool:
    """Whether ``task``'s queue is a table of ``database``."""
    if not isinstance(task.get_backend(), LibraryDatabaseBackend):
        return False
    return router.db_for_write(DBTaskResult) == database


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
