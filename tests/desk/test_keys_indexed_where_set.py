"""Keys that most rows leave empty are indexed only where they are set, and the
queries that look them up still read those indexes (EXPLAIN, on both engines).

A request is filed unassigned, with no parent and no legal hold, and a clock's due
time is found through the sweep's index: filing one writes none of these indexes.
"""

import pytest
from django.db import connection
from django.utils import timezone
from tests.desk.helpers import submit

from inhouse.desk.models import Request
from inhouse.sla.models import Clock

pytestmark = pytest.mark.django_db

WHERE_SET = {
    "req_assignee": "assignee_id",
    "req_children": "parent_id",
    "req_legal_hold_by": "legal_hold_by_id",
}


def _index_definitions(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
                [table],
            )
        return {name: definition or "" for name, definition in cursor.fetchall()}


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test tables are small: scans are priced out, as in test_query_plans.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


@pytest.mark.parametrize(("index", "column"), WHERE_SET.items())
def test_each_index_holds_only_the_rows_whose_key_is_set(index, column):
    definition = _index_definitions(Request._meta.db_table)[index]

    assert "WHERE" in definition.upper(), definition
    assert "NOT NULL" in definition.upper(), definition
    assert column in definition, definition


def test_the_due_time_has_no_index_of_its_own():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Clock._meta.db_table)
    indexed = {name: described["columns"] for name, described in constraints.items()}

    assert ["due_at"] not in indexed.values()
    assert indexed["clock_sweep"] == ["breached_at", "stopped_at", "due_at"]


@pytest.fixture
def filed(cast):
    parent = submit(cast, subject="Office move")
    child = submit(cast, subject="Move the printer", parent=parent)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return parent, child


def test_a_persons_assigned_requests_are_read_from_their_index(cast, filed):
    plan = _plan(Request.objects.filter(assignee=cast.alex))

    assert "req_assignee" in plan, plan


def test_a_requests_children_are_read_from_their_index(cast, filed):
    parent, child = filed

    assert list(Request.objects.filter(parent=parent)) == [child]
    assert "req_children" in _plan(Request.objects.filter(parent=parent).order_by("pk"))


def test_the_holds_a_person_placed_are_read_from_their_index(cast, filed):
    plan = _plan(Request.objects.filter(legal_hold_by=cast.alex))

    assert "req_legal_hold_by" in plan, plan


def test_the_sweep_finds_overdue_clocks_through_its_index(cast):
    submit(cast)
    # The condition of sla.services.overdue_clocks. Without statistics SQLite plans
    # for a large table, as the sweep meets in production (ANALYZE of two clocks
    # would rightly prefer reading them all).
    overdue = Clock.objects.filter(
        breached_at__isnull=True,
        stopped_at__isnull=True,
        paused_at__isnull=True,
        due_at__lt=timezone.now(),
    )

    assert "clock_sweep" in _plan(overdue)
