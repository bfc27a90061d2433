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


def test_a_submit_runs_fifteen_queries(cast, django_assert_num_queries):
    """Token, memberships, catalog version; then the transaction (a savepoint here):
    the number, its check, request, reference, holding, clocks, event, the request's
    history chain head (which needs the event, which needs the request's id), the
    search index's change record, and the notice to the team (one INSERT … SELECT of
    its agents and leads who want it). The answer is built from what was written."""
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
# (inhouse.search.changes); every notice is one INSERT … SELECT of its audience.
SUBMIT_QUERIES = 15
COMMENT_QUERIES = 12
# The change (the clocks read once, under the request's lock), then the answer built
# from the row written, with what it shows beyond it (references, links, watchers);
# resolving also reads the service's follow-up cadence (one query, none scheduled here).
TRANSITION_QUERIES = 23
NOTIFICATIONS_PAGE_QUERIES = 7
