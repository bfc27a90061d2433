"""A cursor for the hot paths' own statements, without Django's work per statement.

``core.inserts``, ``core.prepared``, the task queue's check and a request's numbering
send statements whose text and parameters are already in the database's terms. For
each one, ``connection.cursor()`` and its wrapper cost about 8 µs before the database
sees it (looking the connection up, two checks for a running event loop, a wrapper
object, an error wrapper around each call and a ``functools.wraps`` around each
fetch); a submit sends a dozen, the floor it is measured against two.

``statement_cursor`` gives the database's own cursor instead, with what Django's
wrapper guarantees kept: a broken transaction is refused, and the database's errors
leave as Django's (an ``IntegrityError`` is still ``django.db.IntegrityError``).
Django's check that a connection is not shared between threads is not repeated: the
callers take theirs from ``connections[...]``, which is always this thread's own.
Whenever Django records queries (``DEBUG``, ``CaptureQueriesContext``, so the tests'
query counts) or a wrapper watches them (``connection.execute_wrapper``), and before
the connection is open, it is Django's cursor, so every statement is seen as before.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper


@contextmanager
def statement_cursor(connection: BaseDatabaseWrapper) -> Iterator[Any]:
    """A cursor for statements on ``connection``, closed on leaving."""
    connection.close_if_health_check_failed()
    if connection.connection is None or connection.queries_logged or connection.execute_wrappers:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        cursor = connection.create_cursor()
        try:
            yield cursor
        finally:
            cursor.close()
