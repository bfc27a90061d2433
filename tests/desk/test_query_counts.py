"""The queries of the hot paths, pinned through the HTTP API so an extra one shows up here.

Counted after a first call, as every call after a process's first is: the catalog
snapshot is warm, the token's last use is recorded, the team's counter exists.
"""

import pytest
from tests.conftest import client_for
from tests.desk.test_api import bearer, post_json

from inhouse.desk.models import Notification

pytestmark = pytest.mark.django_db

SUBMIT = {"service": "printer", "subject": "Printer on floor 3 jams"}


def _reference(response) -> str:
    assert response.status_code == 201, response.content
    return response.json()["reference"]


def test_a_submit_runs_fourteen_queries(cast, django_assert_num_queries):
    """Token, memberships, catalog version; then the transaction (a savepoint here):
    the number with its check that no request carries it (one UPDATE … RETURNING),
    request, reference, holding, clocks, event, the request's history chain head
    (which needs the event, which needs the request's id), the search index's change
    record, and the notice to the team (one INSERT … SELECT of its agents and leads
    who want it). The answer is built from what was written."""
    rita = bearer(cast.rita)
    _reference(post_json(rita, "/api/v1/requests", SUBMIT))

    with django_assert_num_queries(SUBMIT_QUERIES):
        _reference(post_json(rita, "/api/v1/requests", SUBMIT))


def test_a_comment_runs_a_fixed_number_of_queries(cast, django_assert_num_queries):
    alex = bearer(cast.alex)
    reference = _reference(post_json(bearer(cast.rita), "/api/v1/requests", SUBMIT))
    post_json(alex, f"/api/v1/requests/{reference}/comments", {"body": "Looking"})

    with django_assert_num_queries(COMMENT_QUERIES):
        response = post_json(alex, f"/api/v1/requests/{reference}/comments", {"body": "On it"})

    assert response.status_code == 201


def test_a_transition_runs_a_fixed_number_of_queries(cast, django_assert_num_queries):
    alex = bearer(cast.alex)
    reference = _reference(post_json(bearer(cast.rita), "/api/v1/requests", SUBMIT))
    post_json(alex, f"/api/v1/requests/{reference}/comments", {"body": "Looking"})

    with django_assert_num_queries(TRANSITION_QUERIES):
        response = post_json(
            alex,
            f"/api/v1/requests/{reference}/transitions",
            {"to": "resolved", "comment": "Done"},
        )

    assert response.status_code == 200, response.content


def test_the_notifications_page_does_not_grow_with_its_rows(cast, django_assert_num_queries):
    alex = bearer(cast.alex)
    reference = _reference(post_json(bearer(cast.rita), "/api/v1/requests", SUBMIT))
    for number in range(20):
        post_json(alex, f"/api/v1/requests/{reference}/comments", {"body": f"Update {number}"})
    assert Notification.objects.filter(recipient=cast.rita).count() > 20
    client = client_for(cast.rita)
    client.get("/notifications/")

    with django_assert_num_queries(NOTIFICATIONS_PAGE_QUERIES):
        response = client.get("/notifications/")

    assert response.status_code == 200


# Submit and comment each add one INSERT of the search index's change record
# (inhouse.search.changes); every notice is one INSERT … SELECT of its audience; a
# request named by its reference is one query (the reference's row joined).
SUBMIT_QUERIES = 14
COMMENT_QUERIES = 11
# The change (the clocks read once, under the request's lock), then the answer built
# from the row written, with what it shows beyond it (references, links, watchers);
# resolving also reads the service's follow-up cadence (one query, none scheduled here).
TRANSITION_QUERIES = 22
NOTIFICATIONS_PAGE_QUERIES = 7


# --- lists: one page costs the same number of queries however many rows it shows ----------


def _many_requests(cast, count: int) -> None:
    rita = bearer(cast.rita)
    for number in range(count):
        _reference(post_json(rita, "/api/v1/requests", {**SUBMIT, "subject": f"Jam {number}"}))


@pytest.mark.parametrize("rows", [3, 30])
def test_an_api_list_page_does_not_grow_with_its_rows(cast, django_assert_num_queries, rows):
    _many_requests(cast, rows)
    alex = bearer(cast.alex)
    alex.get("/api/v1/requests")

    with django_assert_num_queries(API_LIST_QUERIES):
        response = alex.get("/api/v1/requests?limit=25")

    assert response.status_code == 200
    assert len(response.json()["items"]) == min(rows, 25)


def test_a_list_filtered_by_a_queue_reads_it_without_the_visibility_ways(
    cast, django_assert_num_queries
):
    """The agent works the named queue, so the page is that team's range alone; telling
    so takes the catalog snapshot's version."""
    _many_requests(cast, 5)
    alex = bearer(cast.alex)
    url = f"/api/v1/requests?provider_team={cast.service_desk.slug}&open=true"
    alex.get(url)

    with django_assert_num_queries(API_FILTERED_LIST_QUERIES):
        response = alex.get(url)

    assert response.status_code == 200
    assert len(response.json()["items"]) == 5


@pytest.mark.parametrize("rows", [3, 30])
def test_my_requests_does_not_grow_with_its_rows(cast, django_assert_num_queries, rows):
    _many_requests(cast, rows)
    client = client_for(cast.rita)
    client.get("/requests/")

    with django_assert_num_queries(MY_REQUESTS_QUERIES):
        response = client.get("/requests/")

    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_the_queue_page_does_not_grow_with_its_rows(cast, django_assert_num_queries, rows):
    _many_requests(cast, rows)
    client = client_for(cast.alex)
    url = f"/work/{cast.service_desk.slug}/"
    client.get(url)

    with django_assert_num_queries(QUEUE_PAGE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200


# Token, memberships, the page (the newest ids of each way of seeing requests and
# their rows, in one SELECT); a filter naming a team also reads the catalog version.
API_LIST_QUERIES = 3
API_FILTERED_LIST_QUERIES = 4
# Session, user, person, memberships, the page, its clocks, the unread count.
MY_REQUESTS_QUERIES = 7
# Session, user, person, memberships, the team, its agents, services and customer teams
# (the filters), the page with how each row stands against its clocks (dated part, then
# the undated part while the page has room), saved views, the counts in one statement,
# the viewer's queues, the unread count.
QUEUE_PAGE_QUERIES = 14
