"""``statement_cursor`` keeps what Django's cursor guarantees, on both engines.

The hot paths' own statements (``core.inserts``, ``core.prepared``, the task queue's
check, a request's numbering) run on the database's own cursor unless Django
records queries or a wrapper watches them; either way the caller sees Django's
errors, a broken transaction is refused, and the tests' query counts see every
statement.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from tests.desk.helpers import submit

from inhouse.core.inserts import insert_rows
from inhouse.core.statements import statement_cursor
from inhouse.desk.models import RequestReference
from inhouse.search import changes
from inhouse.search.models import PendingChange

pytestmark = pytest.mark.django_db


def test_outside_query_logging_it_is_the_databases_own_cursor():
    connection.ensure_connection()
    with statement_cursor(connection) as cursor:
        cursor.execute("SELECT %s + %s", [2, 3])
        assert cursor.fetchone()[0] == 5
    assert not isinstance(cursor, CursorWrapper)


def test_while_queries_are_recorded_every_statement_is_seen():
    connection.ensure_connection()
    with CaptureQueriesContext(connection) as recorded:
        changes.changed("request", 41)
        with statement_cursor(connection) as cursor:
            cursor.execute("SELECT %s", [7])
            assert cursor.fetchone()[0] == 7
    assert isinstance(cursor, CursorWrapper)
    assert [query["sql"] for query in recorded.captured_queries][-1] == "SELECT 7"
    assert "search_pendingchange" in recorded.captured_queries[0]["sql"]
    assert len(recorded.captured_queries) == 2


def test_an_execute_wrapper_sees_the_statements():
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    connection.ensure_connection()
    with connection.execute_wrapper(spy):
        changes.changed("request", 42)
    assert len(seen) == 1
    assert seen[0].startswith('INSERT INTO "search_pendingchange"')
    assert PendingChange.objects.filter(object_id=42).exists()


def test_a_database_error_leaves_as_djangos_and_the_transaction_goes_on(cast):
    request = submit(cast, subject="Printer on fire")
    taken = RequestReference(
        request=request, reference=request.reference, team=request.provider_team,
        created_at=request.created_at,
    )  # fmt: skip
    with transaction.atomic():
        with pytest.raises(IntegrityError), transaction.atomic():
            insert_rows([taken])
        # The savepoint rolled back only the failed statement.
        changes.changed("request", request.pk)
    assert RequestReference.objects.filter(reference=request.reference).count() == 1
    assert PendingChange.objects.filter(object_id=request.pk).exists()


def test_a_broken_transaction_is_refused_as_django_refuses_it():
    connection.ensure_connection()
    with transaction.atomic():
        transaction.set_rollback(True)
        with pytest.raises(TransactionManagementError), statement_cursor(connection) as cursor:
            cursor.execute("SELECT 1")


@pytest.mark.django_db(transaction=True)
def test_before_the_connection_opens_it_opens_it():
    connection.close()
    changes.changed("request", 43)
    assert PendingChange.objects.filter(object_id=43).exists()
    with statement_cursor(connection) as cursor:
        cursor.execute("SELECT %s", ["open"])
        assert cursor.fetchone()[0] == "open"
