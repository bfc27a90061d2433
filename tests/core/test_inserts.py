"""``insert_rows`` writes what Django's own ``save()`` would write.

Its shortcut hands plain values (a string, an integer, a boolean, None) to the
database without Django's per-field calls; every other value still takes them.
Here each row of every model the hot paths insert is written both ways, on both
engines, and the values sent must be the same.
"""

import warnings
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.desk.helpers import submit

from inhouse.core.inserts import (
    _value_to_write,
    _written_fields_and_plain_types,
    compile_selection,
    insert_rows,
    insert_selected,
    insert_selected_counted,
)
from inhouse.desk.models import (
    Comment,
    EventKind,
    Notification,
    Request,
    RequestEvent,
    RequestReference,
    Status,
    TeamHolding,
)
from inhouse.desk.tasks import deliver_notifications
from inhouse.org.models import Person
from inhouse.search.models import PendingChange
from inhouse.sla.models import Clock, ClockKind

pytestmark = pytest.mark.django_db


def comparable(value):
    """psycopg's JSON wrapper has no equality of its own: compare what it wraps."""
    return getattr(value, "obj", value)


def django_values(row):
    return [
        comparable(field.get_db_prep_save(field.pre_save(row, add=True), connection))
        for field, _ in _written_fields_and_plain_types(type(row))
    ]


def shortcut_values(row):
    return [
        comparable(_value_to_write(field, plain_type, row, connection))
        for field, plain_type in _written_fields_and_plain_types(type(row))
    ]


def test_every_row_a_submit_writes_is_sent_as_django_would_send_it(cast):
    request = submit(cast, subject="Printer on fire")
    comment = Comment(request=request, author=cast.rita, body="Any news?", is_public=True)
    rows = [
        request,
        *request.references.all(),
        *request.holdings.all(),
        *request.clocks.all(),
        *request.events.all(),
        comment,
        PendingChange(kind="request", object_id=request.pk),
    ]
    for row in rows:
        assert shortcut_values(row) == django_values(row), type(row).__name__


plain_or_not = st.one_of(
    st.none(),
    st.text(max_size=20),
    st.integers(min_value=-(2**31), max_value=2**31),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
    # Aware in any zone (SQLite is sent UTC text), and naive (Django warns and assumes
    # the default timezone: the shortcut must leave those to it).
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.timezones()
    ),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
    # Choices: strings of a subclass of their own.
    st.sampled_from([*Status, *EventKind, *ClockKind]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(plain_or_not, min_size=30, max_size=30))
def test_any_value_of_any_field_goes_the_same_way(cast, values):
    """Whatever a field holds, the shortcut agrees with Django or leaves it to Django."""
    for model in (Request, RequestReference, TeamHolding, Clock, RequestEvent, Comment):
        row = model()
        for (field, _), value in zip(_written_fields_and_plain_types(model), values, strict=False):
            setattr(row, field.attname, value)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a naive datetime, on purpose
            try:
                expected = django_values(row)
            except (TypeError, ValueError, AttributeError, ValidationError) as refused:
                with pytest.raises(type(refused)):
                    shortcut_values(row)
                continue
            assert shortcut_values(row) == expected, model.__name__


def test_an_aware_time_is_sent_to_sqlite_as_utc_text_and_to_postgresql_as_it_is(cast):
    request = submit(cast, subject="Printer on fire")
    due = datetime(2026, 12, 2, 9, 30, 15, 250, tzinfo=UTC)
    request.resolution_due_at = due.astimezone(timezone(timedelta(hours=-5)))
    field = Request._meta.get_field("resolution_due_at")
    plain_type = dict(_written_fields_and_plain_types(Request))[field]
    sent = _value_to_write(field, plain_type, request, connection)
    if connection.vendor == "sqlite":
        assert sent == "2026-12-02 09:30:15.000250"
    else:
        assert sent == due


def _rows_of_pending_changes(count: int) -> list[PendingChange]:
    return [PendingChange(kind="request", object_id=number) for number in range(1, count + 1)]


@pytest.mark.parametrize("count", [1, 2, 4, 5, 12])
def test_each_inserted_row_gets_the_id_the_database_gave_it(count):
    rows = _rows_of_pending_changes(count)
    with CaptureQueriesContext(connection) as captured:
        insert_rows(rows)

    stored = dict(PendingChange.objects.values_list("pk", "object_id"))
    assert {row.pk: row.object_id for row in rows} == stored
    assert len(stored) == count
    assert all(not row._state.adding and row._state.db == "default" for row in rows)
    [statement] = [query["sql"] for query in captured.captured_queries]
    # On SQLite a plain INSERT (no statement journal), its ids read from lastrowid.
    assert ("RETURNING" in statement) == (connection.vendor == "postgresql")


def test_ids_follow_the_largest_ever_given_even_after_the_newest_rows_are_gone():
    first = _rows_of_pending_changes(3)
    insert_rows(first)
    PendingChange.objects.filter(pk__in=[first[1].pk, first[2].pk]).delete()
    rows = [PendingChange(kind="article", object_id=number) for number in (7, 8)]
    insert_rows(rows)

    assert [row.pk for row in rows] == [first[2].pk + 1, first[2].pk + 2]
    assert dict(PendingChange.objects.filter(kind="article").values_list("pk", "object_id")) == {
        rows[0].pk: 7,
        rows[1].pk: 8,
    }


def test_an_insert_in_a_transaction_keeps_no_statement_journal_on_sqlite(cast):
    """SQLite copies every page an INSERT … RETURNING changes into a statement journal
    (a temporary file past 64 KiB); a plain INSERT keeps none. The journal's pages are
    SQLite's to count: ``PRAGMA`` cannot, so the statements are checked instead."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL returns ids without a statement journal")
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        submit(cast)

    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert 'INSERT INTO "desk_notification"' in " ".join(inserts)
    # Not even the new request's notices, one row per person selected in the database:
    # the submit needs only to know that some were written.
    assert [statement for statement in inserts if "RETURNING" in statement] == []


def test_an_insert_of_selected_rows_counts_them_or_returns_what_was_asked(cast):
    people = Person.objects.filter(pk__in=[cast.rita.pk, cast.carl.pk]).values_list("pk")
    constants = {"kind": "status", "params": {"status": "open"}, "created_at": datetime.now(UTC)}
    counted = insert_selected_counted(
        Notification, ["recipient"], compile_selection(people), constants=constants
    )
    returned = insert_selected(
        Notification,
        ["recipient"],
        compile_selection(people),
        constants=constants,
        returning=["recipient"],
    )

    assert counted == 2
    assert sorted(returned) == sorted([(cast.rita.pk,), (cast.carl.pk,)])
    assert Notification.objects.filter(kind="status", params={"status": "open"}).count() == 4
    nobody = Person.objects.filter(pk__in=[]).values_list("pk")
    assert (
        insert_selected_counted(
            Notification, ["recipient"], compile_selection(nobody), constants=constants
        )
        == 0
    )


def test_a_row_whose_id_the_application_chose_is_written_without_returning(cast):
    from django_tasks_db.models import DBTaskResult

    from inhouse.core.task_queue import DatabaseBackend

    backend = DatabaseBackend("default", {})
    task = deliver_notifications.using(backend="default")
    with CaptureQueriesContext(connection) as captured:
        row = backend._task_to_db_task(task, [], {})

    assert DBTaskResult.objects.get(pk=row.pk).args_kwargs == {"args": [], "kwargs": {}}
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert "RETURNING" not in inserts[0]
