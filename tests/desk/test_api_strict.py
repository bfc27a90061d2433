"""Every door strict: what a caller sends wrong is a 4xx naming it, in the one error shape."""

import json

import pytest
from django.test import Client
from tests.conftest import client_for
from tests.desk.helpers import snapshot, submit
from tests.desk.test_api import bearer, post_json

from inhouse.desk.models import Comment, Request, Status
from inhouse.desk.services import transition_request
from inhouse.org.models import ApiToken

pytestmark = pytest.mark.django_db

TWENTY_DIGITS = "9" * 20


def _error(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content
    return response.json()["error"]


# --- integers past any database id ----------------------------------------------------------


@pytest.mark.parametrize("name", ["assignee", "requester"])
def test_a_person_filter_past_any_id_is_a_400_naming_it(cast, name):
    response = bearer(cast.alex).get(f"/api/v1/requests?{name}={TWENTY_DIGITS}")

    assert response.status_code == 400
    assert set(_error(response)["fields"]) == {name}


@pytest.mark.parametrize("name", ["assignee", "requester"])
def test_the_queue_page_refuses_a_person_filter_past_any_id(cast, name):
    response = client_for(cast.alex).get(f"/work/it-service-desk/?{name}={TWENTY_DIGITS}")

    assert response.status_code == 400


def test_an_attachment_id_past_any_id_is_a_400_naming_it(cast):
    request = submit(cast)

    response = bearer(cast.rita).get(
        f"/api/v1/requests/{request.reference}/attachments/{TWENTY_DIGITS}"
    )

    assert response.status_code == 400
    assert set(_error(response)["fields"]) == {"attachment_id"}


@pytest.mark.parametrize(
    "path",
    [
        f"/notifications/{TWENTY_DIGITS}/read/",
        f"/requests/IT-1000/attachments/{TWENTY_DIGITS}/",
        f"/work/requests/IT-1000/canned/{TWENTY_DIGITS}/",
        f"/work/it-service-desk/views/{TWENTY_DIGITS}/delete/",
        f"/work/it-service-desk/canned/{TWENTY_DIGITS}/",
    ],
)
def test_a_path_id_past_any_id_is_a_404_page(cast, path):
    submit(cast, service=cast.software_access, form_answers={"application": "Figma"})
    client = client_for(cast.alex)

    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_a_canned_reply_id_past_any_id_is_a_message(cast):
    request = submit(cast)

    response = client_for(cast.alex).get(
        f"/work/requests/{request.reference}/?canned={TWENTY_DIGITS}", follow=True
    )

    assert response.status_code == 200
    assert "That canned reply does not exist (any more)." in response.content.decode()


def test_a_version_past_any_integer_is_a_400_naming_if_match(cast):
    request = submit(cast)

    response = bearer(cast.alex).patch(
        f"/api/v1/requests/{request.reference}",
        data=json.dumps({"priority": "high"}),
        content_type="application/json",
        headers={"If-Match": "9" * 5000},
    )

    assert response.status_code == 400
    assert set(_error(response)["fields"]) == {"If-Match"}


# --- JSON bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_a_json_body_sent_as_anything_else_is_a_415(cast, content_type):
    request = submit(cast)
    body = json.dumps({"body": "Hello\u0000"})
    client = bearer(cast.rita)

    response = client.generic(
        "POST",
        f"/api/v1/requests/{request.reference}/comments",
        data=body.encode(),
        content_type=content_type,
    )

    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"
    assert not Comment.objects.exists()


def test_a_nul_in_a_json_body_is_still_a_400(cast):
    request = submit(cast)

    response = post_json(
        bearer(cast.rita), f"/api/v1/requests/{request.reference}/comments", {"body": "Hi\u0000"}
    )

    assert response.status_code == 400
    assert not Comment.objects.exists()


# --- query parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/services?colour=red",
        "/api/v1/services/printer?colour=red",
        "/api/v1/requests/IT-1000?colour=red",
        "/api/v1/requests/IT-1000/comments?colour=red",
        "/api/v1/requests/IT-1000/history?colour=red",
        "/api/v1/requests/IT-1000/attachments?colour=red",
        "/api/v1/me?colour=red",
        "/api/v1/people?q=rita&colour=red",
    ],
)
def test_an_unknown_query_parameter_is_a_400_naming_it(cast, path):
    submit(cast)

    response = bearer(cast.rita).get(path)

    assert response.status_code == 400
    assert _error(response)["fields"] == {"colour": "Not a parameter of this endpoint."}


def test_an_unknown_priority_on_the_list_is_a_400_naming_it(cast):
    response = bearer(cast.alex).get("/api/v1/requests?priority=bogus")

    assert response.status_code == 400
    assert set(_error(response)["fields"]) == {"priority"}


def test_an_unknown_query_parameter_still_asks_a_stranger_to_sign_in(cast):
    response = Client().get("/api/v1/services?colour=red")

    assert response.status_code == 401


# --- one error shape under /api/v1/ -----------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/no-such-endpoint", "/api/v1/requests/IT-1/nothing"])
def test_an_unknown_address_under_the_api_is_a_json_404(cast, path):
    response = bearer(cast.rita).get(path)

    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_a_method_an_endpoint_does_not_take_is_a_json_405_with_allow(cast):
    request = submit(cast)

    response = bearer(cast.rita).delete(f"/api/v1/requests/{request.reference}")

    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
    assert Request.objects.filter(pk=request.pk).exists()


# --- error fields name what the caller sent ---------------------------------------------------


def test_a_wrong_typed_comment_body_is_reported_under_body(cast):
    request = submit(cast)

    response = post_json(
        bearer(cast.rita), f"/api/v1/requests/{request.reference}/comments", {"body": ["x"]}
    )

    assert response.status_code == 400
    assert set(_error(response)["fields"]) == {"body"}


# --- credentials ------------------------------------------------------------------------------


def _comment_with(client: Client, reference: str):
    return post_json(client, f"/api/v1/requests/{reference}/comments", {"body": "Hello"})


def _browserless(token: str | None = None) -> Client:
    """A caller such as curl: no session, and CSRF enforced as in production."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client(enforce_csrf_checks=True, **headers)


def test_a_write_without_credentials_is_a_401_asking_for_a_bearer_token(cast):
    request = submit(cast)

    response = _comment_with(_browserless(), request.reference)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _error(response)["code"] == "unauthenticated"
    assert not Comment.objects.exists()


def test_a_write_with_a_bad_or_revoked_token_is_a_401(cast):
    request = submit(cast)
    raw = f"ih_test_token_for_{cast.rita.pk}_0123456789abcdef"
    bearer(cast.rita)
    ApiToken.objects.all().delete()

    bad = _comment_with(_browserless("ih_no_such_token"), request.reference)
    gone = _comment_with(_browserless(raw), request.reference)

    assert (bad.status_code, gone.status_code) == (401, 401)
    assert bad["WWW-Authenticate"].startswith("Bearer")
    assert gone["WWW-Authenticate"].startswith("Bearer")
    assert not Comment.objects.exists()


def test_a_write_with_a_session_still_needs_the_csrf_token(cast):
    request = submit(cast)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.rita.user)

    response = _comment_with(client, request.reference)

    assert response.status_code == 403
    assert not Comment.objects.exists()


# --- a transition that is not allowed -------------------------------------------------------


def test_a_transition_not_allowed_lists_the_allowed_statuses(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to=Status.RESOLVED)

    response = post_json(
        bearer(cast.alex), f"/api/v1/requests/{request.reference}/transitions", {"to": "new"}
    )

    assert response.status_code == 409
    error = _error(response)
    assert error["code"] == "transition_not_allowed"
    assert error["allowed"] == ["in_progress", "closed"]


# --- fields the caller may not set ------------------------------------------------------------


def test_a_requester_naming_another_requester_gets_a_400_naming_the_field(cast):
    before = Request.objects.count()

    response = post_json(
        bearer(cast.carl),
        "/api/v1/requests",
        {
            "service": "printer",
            "subject": "In rita's name",
            "requester": cast.rita.user.username,
        },
    )

    assert response.status_code == 400
    assert set(_error(response)["fields"]) == {"requester"}
    assert Request.objects.count() == before


def test_an_agent_of_the_provider_still_files_for_someone_else(cast):
    response = post_json(
        bearer(cast.alex),
        "/api/v1/requests",
        {"service": "printer", "subject": "For rita", "requester": cast.rita.user.username},
    )

    assert response.status_code == 201
    assert response.json()["requester"]["id"] == cast.rita.pk


def test_nothing_changes_on_a_refused_transition(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to=Status.RESOLVED)
    before = snapshot(request)

    post_json(bearer(cast.alex), f"/api/v1/requests/{request.reference}/transitions", {"to": "new"})

    assert snapshot(request) == before
