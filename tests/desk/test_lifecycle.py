"""The request lifecycle: who may move a request where, versions, and blocked work."""

from datetime import timedelta

import pytest
from django.utils import timezone
from tests.desk.helpers import fresh, snapshot, submit

from inhouse import policy
from inhouse.core.errors import (
    Conflict,
    InvalidInput,
    PermissionDenied,
    StaleVersion,
    TransitionNotAllowed,
)
from inhouse.desk.models import Request, RequestEvent, Status
from inhouse.desk.services import transition_request, update_request

pytestmark = pytest.mark.django_db

AGENT_MAY = {
    "new": ["in_progress", "waiting_on_customer", "waiting_on_supplier", "resolved", "cancelled"],
    "in_progress": ["waiting_on_customer", "waiting_on_supplier", "resolved", "cancelled"],
    "waiting_on_customer": ["in_progress", "resolved", "cancelled"],
    "waiting_on_supplier": ["in_progress", "resolved", "cancelled"],
    "resolved": ["in_progress", "closed"],
    "closed": [],
    "cancelled": [],
}
REQUESTER_MAY = {
    "new": ["cancelled"],
    "in_progress": ["cancelled"],
    "waiting_on_customer": ["cancelled"],
    "waiting_on_supplier": ["cancelled"],
    "resolved": ["in_progress", "closed"],
    "closed": [],
    "cancelled": [],
}


def in_status(cast, status: str) -> Request:
    request = submit(cast)
    resolved_at = timezone.now() if status == Status.RESOLVED else None
    Request.objects.filter(pk=request.pk).update(status=status, resolved_at=resolved_at)
    return fresh(request)


@pytest.mark.parametrize("status", list(AGENT_MAY))
def test_allowed_transitions_per_status(cast, status):
    """Agents and leads follow the lifecycle; requesters cancel, accept or reopen;
    colleagues who only see the request move nothing."""
    request = in_status(cast, status)
    assert policy.transitions_for(cast.alex, request) == AGENT_MAY[status]
    assert policy.transitions_for(cast.lena, request) == AGENT_MAY[status]
    assert policy.transitions_for(cast.ada, request) == AGENT_MAY[status]
    assert policy.transitions_for(cast.rita, request) == REQUESTER_MAY[status]
    assert policy.transitions_for(cast.carl, request) == []
    assert policy.transitions_for(cast.fred, request) == []


def test_an_agent_walks_a_request_through_its_life_one_version_at_a_time(cast):
    request = submit(cast)
    path = ["in_progress", "waiting_on_supplier", "in_progress", "resolved", "closed"]
    for version, to in enumerate(path, start=1):
        request = transition_request(
            actor=cast.alex, request=request, to=to, expected_version=version
        )
        assert (request.status, request.version) == (to, version + 1)
    stored = fresh(request)
    assert (stored.status, stored.version) == ("closed", 6)
    assert stored.resolved_at is not None
    assert stored.closed_at is not None
    changes = list(
        RequestEvent.objects.filter(request=request, kind="status_changed")
        .order_by("id")
        .values_list("data", flat=True)
    )
    assert changes == [
        {"status": ["new", "in_progress"]},
        {"status": ["in_progress", "waiting_on_supplier"]},
        {"status": ["waiting_on_supplier", "in_progress"]},
        {"status": ["in_progress", "resolved"]},
        {"status": ["resolved", "closed"]},
    ]


def test_requester_cancels_an_open_request_and_its_clocks_stop(cast):
    request = transition_request(actor=cast.rita, request=submit(cast), to="cancelled")
    assert (request.status, request.version) == ("cancelled", 2)
    assert not request.clocks.filter(stopped_at__isnull=True).exists()
    assert fresh(request).resolution_due_at is None


def test_requester_accepts_a_resolution_by_closing_it(cast):
    request = transition_request(actor=cast.alex, request=submit(cast), to="resolved")
    request = transition_request(actor=cast.rita, request=request, to="closed")
    stored = fresh(request)
    assert stored.status == "closed"
    assert stored.closed_at is not None


def test_requester_reopens_within_the_window(cast, settings):
    settings.REOPEN_WINDOW_DAYS = 3
    request = transition_request(actor=cast.alex, request=submit(cast), to="resolved")
    Request.objects.filter(pk=request.pk).update(
        resolved_at=timezone.now() - timedelta(days=3) + timedelta(minutes=1)
    )
    request = transition_request(actor=cast.rita, request=fresh(request), to="in_progress")
    stored = fresh(request)
    assert (stored.status, stored.resolved_at, stored.version) == ("in_progress", None, 3)


def test_requester_cannot_reopen_after_the_window(cast, settings):
    settings.REOPEN_WINDOW_DAYS = 3
    request = transition_request(actor=cast.alex, request=submit(cast), to="resolved")
    Request.objects.filter(pk=request.pk).update(
        resolved_at=timezone.now() - timedelta(days=3, minutes=1)
    )
    request = fresh(request)
    assert policy.transitions_for(cast.rita, request) == ["closed"]
    before = snapshot(request)
    with pytest.raises(PermissionDenied):
        transition_request(actor=cast.rita, request=request, to="in_progress")
    assert snapshot(request) == before
    # The provider's agents may still reopen it.
    assert transition_request(actor=cast.alex, request=request, to="in_progress").status == (
        "in_progress"
    )


def test_impossible_transition_lists_what_the_agent_may_do(cast):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(TransitionNotAllowed) as caught:
        transition_request(actor=cast.alex, request=request, to="closed")
    assert caught.value.allowed == AGENT_MAY["new"]
    assert snapshot(request) == before


def test_impossible_transition_lists_what_the_requester_may_do(cast):
    request = submit(cast)
    with pytest.raises(TransitionNotAllowed) as caught:
        transition_request(actor=cast.rita, request=request, to="closed")
    assert caught.value.allowed == ["cancelled"]


def test_nothing_leaves_a_closed_request(cast):
    request = in_status(cast, "closed")
    with pytest.raises(TransitionNotAllowed) as caught:
        transition_request(actor=cast.alex, request=request, to="in_progress")
    assert caught.value.allowed == []


def test_unknown_status_is_invalid_input(cast):
    request = submit(cast)
    with pytest.raises(InvalidInput) as caught:
        transition_request(actor=cast.alex, request=request, to="done")
    assert list(caught.value.fields) == ["to"]


@pytest.mark.parametrize("to", ["in_progress", "resolved", "waiting_on_customer"])
def test_requester_trying_an_agent_transition_is_refused_and_nothing_changes(cast, to):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(PermissionDenied):
        transition_request(actor=cast.rita, request=request, to=to, comment="Please hurry")
    assert snapshot(request) == before


def test_colleague_cannot_cancel_and_nothing_changes(cast):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(PermissionDenied):
        transition_request(actor=cast.carl, request=request, to="cancelled")
    assert snapshot(request) == before


def test_stale_expected_version_is_refused_and_nothing_changes(cast):
    request = submit(cast)
    update_request(actor=cast.ivy, request=request, expected_version=1, priority="high")
    before = snapshot(request)
    with pytest.raises(StaleVersion) as caught:
        transition_request(
            actor=cast.alex, request=request, to="resolved", comment="Done", expected_version=1
        )
    assert caught.value.current == 2
    assert snapshot(request) == before


def test_every_change_bumps_the_version_by_one(cast):
    request = submit(cast)
    request = update_request(actor=cast.alex, request=request, expected_version=1, priority="high")
    assert request.version == 2
    request = update_request(
        actor=cast.alex, request=request, expected_version=2, assignee=cast.alex
    )
    assert request.version == 3
    request = transition_request(
        actor=cast.alex, request=request, to="in_progress", expected_version=3
    )
    assert request.version == 4
    # Setting what is already there changes nothing, so the version stays.
    request = update_request(actor=cast.alex, request=request, expected_version=4, priority="high")
    assert fresh(request).version == 4


def test_resolving_a_request_blocked_by_an_open_one_names_the_blocker(cast):
    blocker = submit(cast, subject="Order toner")
    blocked = submit(cast, subject="Print the brochure")
    update_request(actor=cast.alex, request=blocked, expected_version=1, blocked_by=[blocker])
    before = snapshot(blocked)
    with pytest.raises(Conflict) as caught:
        transition_request(actor=cast.alex, request=blocked, to="resolved")
    assert blocker.reference in caught.value.message
    assert snapshot(blocked) == before

    transition_request(actor=cast.alex, request=blocker, to="resolved")
    assert transition_request(actor=cast.alex, request=blocked, to="resolved").status == (
        "resolved"
    )


def test_a_cancelled_blocker_no_longer_blocks(cast):
    blocker = submit(cast, subject="Order toner")
    blocked = submit(cast, subject="Print the brochure")
    update_request(actor=cast.alex, request=blocked, expected_version=1, blocked_by=[blocker])
    transition_request(actor=cast.rita, request=blocker, to="cancelled")
    assert transition_request(actor=cast.alex, request=blocked, to="resolved").status == (
        "resolved"
    )


def test_transition_with_a_comment_adds_a_public_reply(cast):
    request = transition_request(
        actor=cast.alex, request=submit(cast), to="waiting_on_customer", comment="Which floor?"
    )
    comment = request.comments.get()
    assert (comment.body, comment.is_public, comment.by_provider, comment.author) == (
        "Which floor?",
        True,
        True,
        cast.alex,
    )
    assert fresh(request).first_responded_at is not None


def test_the_assignee_must_be_an_agent_of_the_team_holding_the_request(cast):
    request = submit(cast)
    before = snapshot(request)
    for outsider in (cast.fred, cast.rita):
        with pytest.raises(InvalidInput) as caught:
            update_request(actor=cast.alex, request=request, expected_version=1, assignee=outsider)
        assert caught.value.fields == {"assignee": "Not an agent of this team."}
    assert snapshot(request) == before


def test_an_update_with_one_bad_field_applies_none_of_it(cast):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(InvalidInput):
        update_request(
            actor=cast.lena,
            request=request,
            expected_version=1,
            assignee=cast.alex,
            external_ref="DEAL-9",
            priority="whenever",
        )
    assert snapshot(request) == before
    assert fresh(request).external_ref == ""
