"""The task queue kept in the database: django-tasks-db's backend, its row written cheaply.

Every submit and comment queues the delivery of its notices in its own transaction
(``desk/outbox.py::queue_delivery``), so on SQLite the enqueue runs inside the write
turn. django-tasks-db writes the row with the ORM's ``create``, which compiles the
``INSERT`` again on every call: most of an enqueue's cost, and a seventh of a
submit's rate. This backend builds the same row the same way and writes it with
``core/inserts.py::insert_rows`` (the statement built once per process), and builds
the task's result once instead of twice; the rest of the backend, its worker
included, is the library's. ``tests/core/test_task_queue.py`` holds that both write
the same row.
"""

from typing import Any

from django.db import router
from django.db.models.signals import pre_save
from django_tasks_db.backend import DatabaseBackend as LibraryDatabaseBackend
from django_tasks_db.compat import Task, normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult

from inhouse.core.inserts import insert_rows


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
