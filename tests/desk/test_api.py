"""The request desk over HTTP: the journey a new user takes with curl, and its edges."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client
from tests.conftest import client_for

from inhouse.desk.models import Comment, Request, RequestEvent
from inhouse.org.models import ApiToken

pytestmark = pytest.mark.django_db


def bearer(person) -> Client:
    raw = f"ih_test_token_for_{person.pk}_0123456789abcdef"
    ApiToken.objects.create(person=person, prefix=raw[:10], digest=ApiToken.digest_of(raw))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post_json(client: Client, url: str, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", headers=headers)


def patch_json(client: Client, url: str, body, **headers):
    return client.patch(
        url, data=json.dumps(body), content_type="application/json", headers=headers
    )


def submit(client: Client, **overrides):
    body = {
        "service": "software-access",
        "subject": "Figma for the campaign",
        "form_answers": {"application": "Figma"},
    }
    body.update(overrides)
    return post_json(client, "/api/v1/requests", body)


def test_full_journey_list_submit_reply_wait_resolve_history(cast):
    """List services, submit as requester, reply as agent, wait on customer, resolve."""
    rita, alex = bearer(cast.rita), bearer(cast.alex)

    services = rita.get("/api/v1/services?q=software").json()
    assert [s["slug"] for s in services] == ["software-access"]
    detail = rita.get("/api/v1/services/software-access").json()
    assert [f["key"] for f in detail["form"]] == [
        "application",
        "justification",
        "needed_by",
        "seats",
    ]
    assert detail["agreement"]["targets"]

    created = submit(rita)
    assert created.status_code == 201, created.content
    body = created.json()
    reference = body["reference"]
    assert reference == "IT-1000"
    assert body["status"] == "new"
    assert body["version"] == 1
    assert created["Location"] == "/api/v1/requests/IT-1000"
    assert {c["kind"] for c in body["clocks"]} == {"first_response", "resolution"}

    reply = post_json(alex, f"/api/v1/requests/{reference}/comments", {"body": "On it."})
    assert reply.status_code == 201
    after_reply = alex.get(f"/api/v1/requests/{reference}").json()
    assert after_reply["status"] == "in_progress"
    first_response = next(c for c in after_reply["clocks"] if c["kind"] == "first_response")
    assert first_response["stopped_at"] is not None
    assert first_response["breached"] is False

    waiting = post_json(
        alex,
        f"/api/v1/requests/{reference}/transitions",
        {"to": "waiting_on_customer", "comment": "Which team budget?"},
    )
    assert waiting.status_code == 200
    resolution = next(c for c in waiting.json()["clocks"] if c["kind"] == "resolution")
    assert resolution["paused"] is True
    assert resolution["due_at"] is None

    answer = post_json(rita, f"/api/v1/requests/{reference}/comments", {"body": "Marketing's."})
    assert answer.status_code == 201
    assert rita.get(f"/api/v1/requests/{reference}").json()["status"] == "in_progress"

    resolved = post_json(
        alex, f"/api/v1/requests/{reference}/transitions", {"to": "resolved", "comment": "Done."}
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["allowed_transitions"] == ["in_progress", "closed"]

    events = rita.get(f"/api/v1/requests/{reference}/history").json()["items"]
    assert [e["kind"] for e in events] == [
        "created",
        "commented",
        "first_response",
        "status_changed",
        "commented",
        "status_changed",
        "commented",
        "status_changed",
        "commented",
        "status_changed",
    ]
    assert events[-1]["data"] == {"status": ["in_progress", "resolved"]}


def test_every_error_has_one_shape(cast):
    rita = bearer(cast.rita)
    missing = submit(rita, form_answers={})
    assert missing.status_code == 400
    assert missing.json() == {
        "error": {
            "code": "invalid",
            "message": "Some answers need fixing.",
            "fields": {"application": "This field is required."},
        }
    }
    unknown = rita.get("/api/v1/requests/IT-9999")
    assert unknown.status_code == 404
    assert unknown.json() == {"error": {"code": "not_found", "message": "No such request."}}
    anonymous = Client().get("/api/v1/requests")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthenticated"


def test_fields_the_caller_may_not_set_are_named(cast):
    response = submit(bearer(cast.rita), status="resolved", version=7, confidential=False)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"status", "version", "confidential"}
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b"{", b"[]", b'{"service": 5}', b"\xff\xfe", b'{"service": "x", "subject": null}', b"null"],
)
def test_malformed_bodies_get_400_never_500(cast, raw):
    response = bearer(cast.rita).post("/api/v1/requests", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_deeply_nested_json_is_refused(cast):
    nested = "[" * 50_000 + "]" * 50_000
    body = '{"service": "software-access", "subject": "x", "form_answers": {"a": ' + nested + "}}"
    response = bearer(cast.rita).post(
        "/api/v1/requests", data=body, content_type="application/json"
    )
    assert response.status_code in (400, 413)
    assert "error" in response.json()


def test_idempotency_key_returns_first_result_and_refuses_other_body(cast):
    rita = bearer(cast.rita)
    body = {"service": "printer", "subject": "Printer on floor 3"}
    first = post_json(rita, "/api/v1/requests", body, **{"Idempotency-Key": "abc-1"})
    again = post_json(rita, "/api/v1/requests", body, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["reference"] == first.json()["reference"]
    other = post_json(
        rita, "/api/v1/requests", {**body, "subject": "Different"}, **{"Idempotency-Key": "abc-1"}
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Request.objects.count() == 1


def test_stale_if_match_gets_409_and_changes_nothing(cast):
    rita, alex = bearer(cast.rita), bearer(cast.alex)
    reference = submit(rita).json()["reference"]
    assert (
        patch_json(alex, f"/api/v1/requests/{reference}", {"priority": "high"}).status_code == 428
    )
    ok = patch_json(
        alex, f"/api/v1/requests/{reference}", {"priority": "high"}, **{"If-Match": '"1"'}
    )
    assert ok.status_code == 200
    assert ok["ETag"] == '"2"'
    stale = patch_json(
        alex, f"/api/v1/requests/{reference}", {"assignee": "alex"}, **{"If-Match": "1"}
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_version"
    request = Request.objects.get(reference=reference)
    assert (request.assignee_id, request.priority, request.version) == (None, "high", 2)


def test_patch_assignee_priority_and_dependencies(cast):
    rita, alex = bearer(cast.rita), bearer(cast.alex)
    first = submit(rita).json()["reference"]
    second = submit(rita, subject="Second").json()["reference"]
    response = patch_json(
        alex,
        f"/api/v1/requests/{second}",
        {"assignee": "alex", "priority": "urgent", "blocked_by": [first]},
        **{"If-Match": "1"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["assignee"]["id"] == cast.alex.pk
    assert body["priority"] == "urgent"
    assert [link["reference"] for link in body["blocked_by"]] == [first]
    cycle = patch_json(
        alex, f"/api/v1/requests/{first}", {"blocked_by": [second]}, **{"If-Match": "1"}
    )
    assert cycle.status_code == 409


def test_requester_cannot_patch_and_nothing_changes(cast):
    rita = bearer(cast.rita)
    reference = submit(rita).json()["reference"]
    response = patch_json(
        rita, f"/api/v1/requests/{reference}", {"priority": "urgent"}, **{"If-Match": "1"}
    )
    assert response.status_code == 403
    assert Request.objects.get(reference=reference).priority == "normal"


def test_impossible_transition_is_409_with_allowed_list(cast):
    rita, alex = bearer(cast.rita), bearer(cast.alex)
    reference = submit(rita).json()["reference"]
    response = post_json(alex, f"/api/v1/requests/{reference}/transitions", {"to": "closed"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_allowed"
    assert "Allowed: in_progress, waiting_on_customer" in response.json()["error"]["message"]


def test_list_filters_and_stable_cursor_pagination(cast):
    rita, alex = bearer(cast.rita), bearer(cast.alex)
    references = [submit(rita, subject=f"Request {n}").json()["reference"] for n in range(5)]
    page1 = alex.get("/api/v1/requests?limit=2").json()
    assert [r["reference"] for r in page1["items"]] == references[:-3:-1]
    # A request arriving between pages neither shifts nor repeats what follows.
    submit(rita, subject="Late arrival")
    page2 = alex.get(f"/api/v1/requests?limit=2&cursor={page1['next_cursor']}").json()
    page3 = alex.get(f"/api/v1/requests?limit=2&cursor={page2['next_cursor']}").json()
    seen = [r["reference"] for r in page1["items"] + page2["items"] + page3["items"]]
    assert seen == list(reversed(references))
    assert page3["next_cursor"] is None

    patch_json(alex, f"/api/v1/requests/{references[0]}", {"priority": "high"}, **{"If-Match": "1"})
    high = alex.get("/api/v1/requests?priority=high").json()["items"]
    assert [r["reference"] for r in high] == [references[0]]
    assert alex.get("/api/v1/requests?status=resolved").json()["items"] == []
    assert len(alex.get("/api/v1/requests?provider_team=it-service-desk").json()["items"]) == 6
    assert alex.get("/api/v1/requests?breached=true").json()["items"] == []


@pytest.mark.parametrize(
    "query",
    ["sort=subject", "status=bogus", "limit=1000", "limit=0", "cursor=%%%", "breached=maybe"],
)
def test_unknown_or_bad_filters_are_400(cast, query):
    response = bearer(cast.alex).get(f"/api/v1/requests?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_hidden_request_is_404_on_every_path(cast):
    rita, carl, alex = bearer(cast.rita), bearer(cast.carl), bearer(cast.alex)
    created = post_json(
        rita,
        "/api/v1/requests",
        {"service": "mediation", "subject": "Conflict", "form_answers": {"summary": "Private"}},
    )
    reference = created.json()["reference"]
    for client in (carl, alex):
        base = f"/api/v1/requests/{reference}"
        assert client.get(base).status_code == 404
        assert client.get(f"{base}/comments").status_code == 404
        assert client.get(f"{base}/history").status_code == 404
        assert client.get(f"{base}/attachments").status_code == 404
        assert client.get(f"{base}/attachments/1").status_code == 404
        assert post_json(client, f"{base}/comments", {"body": "hi"}).status_code == 404
        assert post_json(client, f"{base}/transitions", {"to": "cancelled"}).status_code == 404
        assert patch_json(client, base, {"priority": "low"}, **{"If-Match": "1"}).status_code == 404
        listed = client.get("/api/v1/requests?q=Conflict").json()["items"]
        assert listed == []
    assert Comment.objects.count() == 0
    assert RequestEvent.objects.filter(request__reference=reference).count() == 1


def test_attachment_upload_and_download_headers(cast):
    rita = bearer(cast.rita)
    reference = submit(rita).json()["reference"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "<b>evil</b>.svg", b"<svg onload=alert(1)>", content_type="image/svg+xml"
    )
    response = rita.post(f"/api/v1/requests/{reference}/attachments", {"file": upload})
    assert response.status_code == 201, response.content
    attachment = response.json()
    assert attachment["size"] == len(b"<svg onload=alert(1)>")
    download = rita.get(attachment["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"<svg onload=alert(1)>"


def test_session_writes_need_csrf(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.rita.user)
    response = post_json(client, "/api/v1/requests", {"service": "printer", "subject": "x"})
    assert response.status_code == 403
    assert not Request.objects.exists()
    assert client.get("/api/v1/requests").status_code == 200


def test_session_auth_works_for_reads(cast):
    assert client_for(cast.rita).get("/api/v1/me").json()["full_name"] == cast.rita.full_name


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_get_unique_references(cast):
    tokens = [bearer(cast.rita) for _ in range(1)]
    client = tokens[0]
    results: list[int] = []

    def create(n: int) -> None:
        try:
            results.append(submit(client, subject=f"Parallel {n}").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [201] * 12
    references = set(Request.objects.values_list("reference", flat=True))
    assert references == {f"IT-{1000 + n}" for n in range(12)}


def test_a_giant_body_is_refused_before_it_is_read(cast):
    response = bearer(cast.rita).post(
        "/api/v1/requests",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(500 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_an_attachment_over_the_limit_is_413_and_leaves_nothing(cast, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from inhouse.desk.models import Attachment

    settings.ATTACHMENT_MAX_BYTES = 1000
    rita = bearer(cast.rita)
    reference = submit(rita).json()["reference"]
    upload = SimpleUploadedFile("big.bin", b"x" * 5000)
    response = rita.post(f"/api/v1/requests/{reference}/attachments", {"file": upload})
    assert response.status_code == 413
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in settings.ATTACHMENT_ROOT.rglob("*"))


def test_every_look_at_a_confidential_request_is_audited_without_content(cast, caplog):
    rita, hana = bearer(cast.rita), bearer(cast.hana)
    created = post_json(
        rita,
        "/api/v1/requests",
        {"service": "mediation", "subject": "Secret subject", "form_answers": {"summary": "x"}},
    ).json()
    with caplog.at_level("INFO", logger="inhouse.audit"):
        hana.get(f"/api/v1/requests/{created['reference']}")
        bearer(cast.carl).get(f"/api/v1/requests/{created['reference']}")
    audited = [r.getMessage() for r in caplog.records if r.name == "inhouse.audit"]
    request_id = Request.objects.get(reference=created["reference"]).pk
    assert audited == [f"confidential request opened: person={cast.hana.pk} request={request_id}"]
    assert "Secret" not in " ".join(audited)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", "/api/v1/services?q=a%00b", None),
        ("get", "/api/v1/requests?q%00=x", None),
        ("post", "/api/v1/requests", '{"service": "printer", "subject": "a\\u0000b"}'),
    ],
)
def test_a_nul_character_is_a_clear_400_on_every_database(cast, method, url, body):
    client = bearer(cast.rita)
    if body is None:
        response = client.get(url)
    else:
        response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]["message"]
    assert not Request.objects.exists()


def test_the_list_reads_its_filters_as_the_queue_page_does(cast):
    rita, alex = bearer(cast.rita), bearer(cast.alex)
    vpn = submit(rita, subject="VPN drops every hour").json()["reference"]
    submit(rita, subject="Figma seat")

    by_q = alex.get("/api/v1/requests?q=vpn").json()["items"]
    by_text = alex.get("/api/v1/requests?text=vpn").json()["items"]
    wrong = alex.get("/api/v1/requests?status=bogus&priority=meh&color=red").json()["error"]
    broken = alex.get("/api/v1/requests?cursor=%21%21").json()["error"]

    assert [r["reference"] for r in by_q] == [r["reference"] for r in by_text] == [vpn]
    assert set(wrong["fields"]) == {"status", "priority", "color"}
    assert wrong["fields"]["status"].startswith("Unknown status: bogus.")
    assert set(broken["fields"]) == {"cursor"}


def _five_requests(rita: Client) -> None:
    for n in range(5):
        assert submit(rita, subject=f"Request {n}").status_code == 201


def test_the_first_page_as_a_requester_takes_a_fixed_number_of_queries(
    cast, django_assert_num_queries
):
    rita = bearer(cast.rita)
    _five_requests(rita)

    # Token, memberships, the page (its rows with their names; no clocks for a list).
    with django_assert_num_queries(3):
        response = rita.get("/api/v1/requests")

    assert len(response.json()["items"]) == 5


def test_the_first_page_as_an_agent_takes_a_fixed_number_of_queries(
    cast, django_assert_num_queries
):
    _five_requests(bearer(cast.rita))
    alex = bearer(cast.alex)

    # Token, the token's last use (its first call), memberships, the page.
    with django_assert_num_queries(4):
        response = alex.get("/api/v1/requests")

    assert len(response.json()["items"]) == 5
