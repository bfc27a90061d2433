"""The list queries are index range scans that never sort a whole team's history.

Asked of the database itself with EXPLAIN, on SQLite and on PostgreSQL. The test
tables are small, so on PostgreSQL sequential scans and sorts are priced out of
the planner's reach: a plan that still has one has no index to use instead.
"""

import pytest
from django.db import connection
from tests.desk.helpers import submit

from inhouse import policy
from inhouse.desk.models import Request
from inhouse.desk.selectors.filters import RequestFilters, filter_requests
from inhouse.desk.selectors.queue import _statuses_shown
from inhouse.desk.selectors.requests import newest_of_each_way

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(" ".join(str(part) for part in row) for row in cursor.fetchall())


def _assert_index_range_without_sort(plan: str) -> None:
    if "watch_person_request" in plan:
        # The watched way starts from the person's own watches (an index range of the
        # watchers table) and sorts those few; it never reads other requests.
        assert "SCAN desk_request " not in f"{plan} ", plan
        return
    if connection.vendor == "postgresql":
        assert "Seq Scan on desk_request " not in plan, plan
        assert "Sort" not in plan, plan
        assert "Index" in plan, plan
    else:
        assert "SCAN desk_request" not in plan.replace("SCAN desk_request_watchers", ""), plan
        assert "TEMP B-TREE" not in plan, plan
        assert "USING" in plan and "INDEX" in plan, plan


@pytest.fixture
def history(cast):
    for number in range(30):
        submit(cast, subject=f"Printer {number}")
        submit(cast, actor=cast.otto, service=cast.cleaning, subject=f"Cleaning {number}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return cast


@pytest.mark.parametrize("who", ["rita", "alex", "otto"])
def test_each_way_of_seeing_requests_is_one_index_range(history, who):
    viewer = policy.viewer_for(getattr(history, who))
    matching = filter_requests(Request.objects.all(), RequestFilters())

    for branch in newest_of_each_way(viewer, matching, 26):
        _assert_index_range_without_sort(_plan(branch))


def test_a_deep_page_is_still_one_index_range(history):
    viewer = policy.viewer_for(history.alex)
    matching = filter_requests(Request.objects.all(), RequestFilters()).filter(pk__lt=10)

    for branch in newest_of_each_way(viewer, matching, 26):
        _assert_index_range_without_sort(_plan(branch))


def test_the_queue_by_due_time_reads_each_status_in_order(history):
    team_open = Request.objects.filter(
        provider_team=history.service_desk, resolution_due_at__isnull=False
    )

    for status in _statuses_shown(RequestFilters(open=True)):
        branch = (
            team_open.filter(status=status).order_by("resolution_due_at", "pk").values("pk")[:51]
        )
        _assert_index_range_without_sort(_plan(branch))
