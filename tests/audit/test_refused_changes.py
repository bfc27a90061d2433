"""Every refused change leaves one audit record, whichever door it came through.

The record names who tried (or that nobody could be identified, with the address
they came from), what they tried on which object, the door, and the correlation
id the response carried; the change itself is rolled back and the record stays.
"""

import pytest
from django.http import Http404
from django.test import Client
from django.urls import resolve
from tests.conftest import client_for
from tests.desk.helpers import snapshot, submit

from inhouse.audit.models import AuditRecord
from inhouse.core.correlation import reset_correlation_id, set_correlation_id
from inhouse.core.errors import PermissionDenied
from inhouse.desk.models import Status
from inhouse.pages import current_viewer, not_found_as_404, refusal_audited_already

from .helpers import bearer, mediation, patch_json, post_json, refusals

pytestmark = pytest.mark.django_db


# --- the API -------------------------------------------------------------------------------


def test_a_requester_changing_the_status_of_a_colleagues_request_is_audited(cast):
    """carl sees rita's request (his team asked) but may not resolve it."""
    request = submit(cast)
    before = snapshot(request)

    response = post_json(
        bearer(cast.carl),
        f"/api/v1/requests/{request.reference}/transitions",
        {"to": Status.CANCELLED},
    )

    assert response.status_code == 403
    assert snapshot(request) == before
    [record] = refusals()
    assert record.actor == cast.carl
    assert (record.target_kind, record.target_id, record.target_label) == (
        "request",
        str(request.pk),
        request.reference,
    )
    assert record.detail == "change the status of"
    assert record.door == "api"
    assert record.correlation_id == response["X-Correlation-ID"]
    assert record.data == {
        "method": "POST",
        "route": "POST /api/v1/requests/<reference>/transitions",
        "path": f"/api/v1/requests/{request.reference}/transitions",
        "status": 403,
        "reason": "You cannot change the status of this request.",
        "remote_address": "127.0.0.1",
    }


def test_an_agent_of_another_team_assigning_a_request_they_cannot_see_is_audited(cast):
    """To fred the request is not found (404); the audit still names it for the admin."""
    request = submit(cast)
    before = snapshot(request)

    response = patch_json(
        bearer(cast.fred),
        f"/api/v1/requests/{request.reference.lower()}",
        {"assignee": cast.fred.pk},
        **{"If-Match": str(request.version)},
    )

    assert response.status_code == 404
    assert snapshot(request) == before
    [record] = refusals()
    assert record.actor == cast.fred
    assert (record.target_kind, record.target_id, record.target_label) == (
        "request",
        str(request.pk),
        request.reference,
    )
    assert record.detail == "change"
    assert record.data["status"] == 404
    assert record.correlation_id == response["X-Correlation-ID"]


def test_a_write_without_credentials_is_audited_with_the_address_it_came_from(cast):
    request = submit(cast)

    response = post_json(
        Client(REMOTE_ADDR="203.0.113.9"),
        f"/api/v1/requests/{request.reference}/comments",
        {"body": "Let me in"},
    )

    assert response.status_code == 401
    [record] = refusals()
    assert record.actor is None
    assert record.target_label == request.reference
    assert record.detail == "comment on"
    assert record.data["credentials"] == "none"
    assert record.data["remote_address"] == "203.0.113.9"
    assert record.data["status"] == 401
    assert record.correlation_id == response["X-Correlation-ID"]


def test_a_write_with_a_bad_token_is_audited_as_an_attempt_with_a_token(cast):
    request = submit(cast)
    client = Client(HTTP_AUTHORIZATION="Bearer ih_not_a_real_token")

    response = post_json(
        client, f"/api/v1/requests/{request.reference}/transitions", {"to": "resolved"}
    )

    assert response.status_code == 401
    [record] = refusals()
    assert record.actor is None
    assert record.data["credentials"] == "bearer token"


def test_a_filing_for_a_service_that_does_not_exist_for_the_caller_is_audited(cast):
    response = post_json(
        bearer(cast.otto), "/api/v1/requests", {"service": "shadow-it", "subject": "x"}
    )

    assert response.status_code == 404
    [record] = refusals()
    assert (record.actor, record.detail, record.target_kind) == (cast.otto, "submit a request", "")
    assert record.data["reason"] == "No such service."


def test_reads_invalid_input_and_stale_versions_are_not_refusals(cast):
    request = submit(cast)
    alex = bearer(cast.alex)

    assert bearer(cast.carl).get("/api/v1/requests/IT-999").status_code == 404
    assert bearer(cast.otto).get(f"/api/v1/requests/{request.reference}").status_code == 404
    assert Client().get("/api/v1/requests").status_code == 401
    invalid = post_json(alex, f"/api/v1/requests/{request.reference}/comments", {"body": ""})
    assert invalid.status_code == 400
    stale = patch_json(
        alex,
        f"/api/v1/requests/{request.reference}",
        {"priority": "high"},
        **{"If-Match": str(request.version + 5)},
    )
    assert stale.status_code == 409
    assert refusals() == []


# --- the web pages ----------------------------------------------------------------------------


def test_a_refusal_shown_as_a_message_on_the_portal_is_audited(cast):
    """carl's cancel of rita's request comes back as a message on the page: still audited."""
    request = submit(cast)
    before = snapshot(request)

    response = client_for(cast.carl).post(
        f"/requests/{request.reference}/transition/",
        {"to": Status.CANCELLED, "version": request.version},
    )

    assert response.status_code == 302
    assert snapshot(request) == before
    [record] = refusals()
    assert record.actor == cast.carl
    assert record.door == "web"
    assert record.detail == "change the status of"
    assert (record.target_kind, record.target_id) == ("request", str(request.pk))
    assert record.data["route"] == "portal:transition"
    assert record.data["status"] == 403
    assert record.correlation_id == response["X-Correlation-ID"]


def test_a_write_to_a_hidden_request_through_a_page_is_audited_once(cast):
    hidden = mediation(cast)
    before = snapshot(hidden)

    response = client_for(cast.carl).post(
        f"/requests/{hidden.reference}/reply/", {"body": "Let me in"}
    )

    assert response.status_code == 404
    assert snapshot(hidden) == before
    [record] = refusals()
    assert (record.actor, record.detail, record.target_label) == (
        cast.carl,
        "reply to",
        hidden.reference,
    )
    assert record.correlation_id == response["X-Correlation-ID"]


def test_a_requester_posting_to_the_agents_page_is_audited_once(cast):
    """rita sees her request but does not work it: the workspace answers a bare 404."""
    request = submit(cast)
    before = snapshot(request)

    response = client_for(cast.rita).post(
        f"/work/requests/{request.reference}/assign/",
        {"assignee": cast.rita.pk, "version": request.version},
    )

    assert response.status_code == 404
    assert snapshot(request) == before
    [record] = refusals()
    assert (record.actor, record.detail, record.data["route"]) == (
        cast.rita,
        "assign",
        "workspace:assign",
    )
    assert record.correlation_id == response["X-Correlation-ID"]


def test_a_configuration_change_by_someone_who_is_not_a_lead_is_audited(cast):
    """alex is an agent of the Service Desk, not its lead: its settings are not there for him."""
    response = client_for(cast.alex).post(
        f"/catalog/manage/{cast.service_desk.slug}/services/new/", {"name": "Shadow IT"}
    )

    assert response.status_code == 404
    [record] = refusals()
    assert record.actor == cast.alex
    assert record.detail == "add a service to"
    assert (record.target_kind, record.target_id, record.target_label) == (
        "team",
        cast.service_desk.slug,
        cast.service_desk.slug,
    )


def test_page_reads_are_never_refusals(cast):
    hidden = mediation(cast)
    carl = client_for(cast.carl)

    assert carl.get(f"/requests/{hidden.reference}/").status_code == 404
    assert carl.get(f"/work/requests/{hidden.reference}/").status_code == 404
    assert carl.get("/catalog/manage/it/").status_code == 404
    assert AuditRecord.objects.count() == 0


def test_a_session_write_without_its_csrf_token_is_audited_as_the_sessions_person(cast, password):
    request = submit(cast)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="carl", password=password)

    response = post_json(
        client, f"/api/v1/requests/{request.reference}/comments", {"body": "Hello"}
    )

    assert response.status_code == 403
    [record] = refusals()
    assert record.actor == cast.carl
    assert record.data["status"] == 403


@pytest.mark.django_db(transaction=True)
def test_the_record_outlives_the_refused_changes_rolled_back_transaction(cast):
    """With real transactions (not the test's one around everything): the refusal
    inside the service rolls back, the record written after it is committed."""
    request = submit(cast)

    response = post_json(
        bearer(cast.carl),
        f"/api/v1/requests/{request.reference}/transitions",
        {"to": Status.CANCELLED},
    )

    assert response.status_code == 403
    assert [record.actor for record in refusals()] == [cast.carl]


def test_a_refusal_passing_through_nested_page_helpers_is_audited_once(cast, rf):
    """Helpers inside helpers, and the 404 page after them, record one refusal once."""
    request = rf.post("/requests/IT-1/transition/")
    request.user = cast.carl.user
    request.correlation_id = "c0ffee"
    request.resolver_match = resolve("/requests/IT-1/transition/")
    token = set_correlation_id("c0ffee")
    try:
        current_viewer(request)
        with pytest.raises(PermissionDenied) as raised, not_found_as_404(), not_found_as_404():
            raise PermissionDenied("No.")
    finally:
        reset_correlation_id(token)

    [record] = refusals()
    assert (record.actor, record.correlation_id, record.data["reason"]) == (
        cast.carl,
        "c0ffee",
        "No.",
    )
    page_error = Http404()
    page_error.__cause__ = raised.value
    assert refusal_audited_already(page_error)
