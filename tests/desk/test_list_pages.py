"""Lists read each way of seeing a request as its own range, and page exactly as the
plain visibility query would: same rows, same order, nothing skipped or repeated."""

import pytest
from tests.desk.helpers import submit

from inhouse import policy
from inhouse.core.pagination import encode_cursor
from inhouse.desk.selectors import (
    RequestFilters,
    filter_requests,
    page_of_requests,
    page_of_requests_visible_to,
    requests_visible_to,
)
from inhouse.desk.services import add_watcher

pytestmark = pytest.mark.django_db


@pytest.fixture
def busy_desk(cast):
    """Requests of every kind of visibility, interleaved in time."""
    for number in range(6):
        submit(cast, subject=f"Printer {number}")
        submit(cast, actor=cast.carl, subject=f"Carl's printer {number}")
        submit(cast, actor=cast.otto, subject=f"Otto's printer {number}")
        submit(
            cast,
            actor=cast.carl,
            service=cast.mediation,
            subject=f"Confidential {number}",
            form_answers={"summary": "Private"},
        )
        facilities = submit(cast, actor=cast.otto, service=cast.cleaning, subject=f"Clean {number}")
        if number % 3 == 0:
            add_watcher(actor=cast.otto, request=facilities, watcher=cast.rita)
    return cast


def _all_pages(page_of, limit):
    references, cursor = [], None
    for _ in range(100):
        page = page_of(cursor)
        references += [request.reference for request in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return references
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize("who", ["rita", "carl", "alex", "hana", "otto", "ada"])
@pytest.mark.parametrize(
    "filters",
    [RequestFilters(), RequestFilters(open=True), RequestFilters(text="printer")],
    ids=["all", "open", "text"],
)
@pytest.mark.parametrize("limit", [2, 25])
def test_every_page_is_the_plain_querys_page(busy_desk, who, filters, limit):
    viewer = policy.viewer_for(getattr(busy_desk, who))

    by_ways = _all_pages(
        lambda cursor: page_of_requests_visible_to(viewer, filters, cursor=cursor, limit=limit),
        limit,
    )
    plain = _all_pages(
        lambda cursor: page_of_requests(
            filter_requests(requests_visible_to(viewer), filters), cursor=cursor, limit=limit
        ),
        limit,
    )

    assert by_ways == plain
    assert len(by_ways) == len(set(by_ways))


def test_a_confidential_request_is_on_no_page_of_a_colleague(busy_desk):
    """carl filed the mediation cases; rita, in his team, never sees them."""
    rita = policy.viewer_for(busy_desk.rita)

    seen = _all_pages(
        lambda cursor: page_of_requests_visible_to(rita, RequestFilters(), cursor=cursor, limit=7),
        7,
    )

    assert seen
    assert not [reference for reference in seen if reference.startswith("HR-")]


def test_a_cursor_past_the_oldest_gives_an_empty_page(busy_desk):
    page = page_of_requests_visible_to(
        policy.viewer_for(busy_desk.rita), RequestFilters(), cursor=encode_cursor("id", 1), limit=5
    )

    assert page.items == []
    assert page.next_cursor is None
