"""The number of queries of the hot paths, pinned so that an extra one shows up here.

Counted with the catalog snapshot warm, as every request after a process's first is.
"""

import pytest
from tests.desk.helpers import submit

from inhouse.catalog.snapshot import catalog_snapshot
from inhouse.desk.models import Notification
from inhouse.desk.services import add_comment, transition_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def warm(cast):
    catalog_snapshot()
    return cast


def test_a_submit_runs_a_fixed_number_of_queries(warm, django_assert_num_queries):
    submit(warm)  # the team's reference counter exists from now on

    with django_assert_num_queries(PINNED_SUBMIT):
        submit(warm)


def test_a_comment_runs_a_fixed_number_of_queries(warm, django_assert_num_queries):
    request = submit(warm)

    with django_assert_num_queries(PINNED_COMMENT):
        add_comment(actor=warm.alex, request=request, body="On it")


def test_a_transition_runs_a_fixed_number_of_queries(warm, django_assert_num_queries):
    request = submit(warm)

    with django_assert_num_queries(PINNED_TRANSITION):
        transition_request(actor=warm.alex, request=request, to="resolved", comment="Done")


def test_the_notifications_page_does_not_grow_with_its_rows(
    warm, client, django_assert_num_queries
):
    request = submit(warm)
    for number in range(20):
        add_comment(actor=warm.alex, request=request, body=f"Update {number}")
    assert Notification.objects.filter(recipient=warm.rita).count() > 20
    client.force_login(warm.rita.user)
    client.get("/notifications/")

    with django_assert_num_queries(PINNED_NOTIFICATIONS_PAGE):
        response = client.get("/notifications/")

    assert response.status_code == 200


PINNED_SUBMIT = 0
PINNED_COMMENT = 0
PINNED_TRANSITION = 0
PINNED_NOTIFICATIONS_PAGE = 0
