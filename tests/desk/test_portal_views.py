"""The requester's pages through Django's test client: doors, refusals, and what they render."""

import io

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from tests.conftest import client_for
from tests.desk.helpers import fresh, frozen_time, snapshot, submit, upload
from tests.factories import make_person, make_service

from inhouse.catalog.models import FieldKind
from inhouse.desk.models import Comment, Notification, Request, Status
from inhouse.desk.notifications import text_of
from inhouse.desk.services import add_attachment, add_comment, add_watcher, transition_request
from inhouse.web.views.errors import server_error

pytestmark = pytest.mark.django_db


def _form(cast, **overrides):
    """A complete Software access form as a browser would post it."""
    data = {
        "subject": "Figma for the spring campaign",
        "answer_application": "Figma",
        "answer_justification": "We design the campaign visuals in it.",
        "answer_needed_by": "2026-04-01",
        "answer_seats": "2",
        "description": "",
        "priority": "normal",
        "customer_team": str(cast.marketing.pk),
        "external_ref": "",
    }
    data.update(overrides)
    return data


def _mediation(cast) -> Request:
    return submit(
        cast,
        service=cast.mediation,
        subject="Conflict with my manager",
        form_answers={"summary": "It started in March."},
    )


# --- who may come in --------------------------------------------------------------------------


def test_every_portal_page_sends_an_anonymous_visitor_to_sign_in(cast):
    request = submit(cast)
    attachment = add_attachment(actor=cast.rita, request=request, upload=upload())
    base = f"/requests/{request.reference}/"
    client = Client()
    for method, url in [
        ("get", "/"),
        ("get", "/requests/"),
        ("get", "/services/software-access/request/"),
        ("post", "/services/software-access/request/"),
        ("get", base),
        ("post", base + "reply/"),
        ("post", base + "transition/"),
        ("get", f"{base}attachments/{attachment.pk}/"),
        ("get", "/notifications/"),
        ("post", "/notifications/read-all/"),
        ("post", "/notifications/1/read/"),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"/login/?next={url}", url


def test_sign_in_ignores_an_off_site_next(cast, password):
    response = Client().post(
        "/login/?next=https://evil.example/",
        {"username": "rita", "password": password, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(cast):
    known = Client().post("/password-reset/", {"email": "rita@example.com"})
    unknown = Client().post("/password-reset/", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/password-reset/sent/"
    assert [message.to for message in mail.outbox] == [["rita@example.com"]]
    assert "/password-reset/" in mail.outbox[0].body


# --- hidden requests ---------------------------------------------------------------------------


def test_a_confidential_request_is_not_found_for_a_colleague_on_every_door(cast):
    hidden = _mediation(cast)
    attachment = add_attachment(actor=cast.rita, request=hidden, upload=upload())
    before = snapshot(hidden)
    carl = client_for(cast.carl)
    base = f"/requests/{hidden.reference}/"

    assert carl.get(base).status_code == 404
    assert carl.get(f"{base}attachments/{attachment.pk}/").status_code == 404
    assert carl.post(base + "reply/", {"body": "Let me in"}).status_code == 404
    assert carl.post(base + "transition/", {"to": Status.CANCELLED}).status_code == 404
    assert snapshot(hidden) == before


def test_an_attachment_of_another_request_is_not_found_under_a_visible_one(cast):
    visible = submit(cast)
    hidden = _mediation(cast)
    hidden_file = add_attachment(actor=cast.rita, request=hidden, upload=upload())
    response = client_for(cast.carl).get(
        f"/requests/{visible.reference}/attachments/{hidden_file.pk}/"
    )
    assert response.status_code == 404


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(cast, password):
    request = submit(cast)
    before = snapshot(request)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="rita", password=password)
    response = client.post(f"/requests/{request.reference}/reply/", {"body": "Hello"})
    assert response.status_code == 403
    assert snapshot(request) == before


def test_an_agent_of_the_provider_team_is_sent_to_the_workspace(cast):
    request = submit(cast)
    response = client_for(cast.alex).get(f"/requests/{request.reference}/")
    assert response.status_code == 302
    assert response["Location"] == f"/work/requests/{request.reference}/"


# --- asking for a service ----------------------------------------------------------------------


def test_the_form_mirrors_the_service_definition(cast):
    html = client_for(cast.rita).get("/services/software-access/request/").content.decode()
    assert '<select name="answer_application" required id="id_answer_application">' in html
    assert '<input type="date" name="answer_needed_by" id="id_answer_needed_by">' in html
    assert 'type="number" name="answer_seats" step="any"' in html
    assert f'<option value="{cast.marketing.pk}" selected>Marketing</option>' in html


def test_submitting_the_form_files_the_request_and_shows_its_reference(cast):
    client = client_for(cast.rita)
    response = client.post("/services/software-access/request/", _form(cast))
    created = Request.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/requests/IT-1000/"
    assert created.reference == "IT-1000"
    assert created.requester == cast.rita
    assert created.customer_team == cast.marketing
    assert created.form_answers == {
        "application": "Figma",
        "justification": "We design the campaign visuals in it.",
        "needed_by": "2026-04-01",
        "seats": 2,
    }
    page = client.get(response["Location"]).content.decode()
    assert "Request IT-1000 submitted." in page
    assert "<dt>Application</dt>" in page


def test_a_missing_answer_comes_back_from_the_service_next_to_its_field_with_the_input_kept(cast):
    response = client_for(cast.rita).post(
        "/services/software-access/request/", _form(cast, answer_application="")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert Request.objects.count() == 0
    assert 'aria-describedby="id_answer_application_error"' in html
    assert (
        '<ul class="errorlist" id="id_answer_application_error"><li>This field is required.</li>'
        in html
    )
    assert 'value="Figma for the spring campaign"' in html
    assert "We design the campaign visuals in it.</textarea>" in html
    assert 'value="2026-04-01"' in html


def test_an_unknown_choice_is_refused_by_the_service(cast):
    response = client_for(cast.rita).post(
        "/services/software-access/request/", _form(cast, answer_application="Photoshop")
    )
    assert response.status_code == 400
    assert "Choose one of: Figma, Salesforce, GitHub." in response.content.decode()
    assert Request.objects.count() == 0


def test_a_team_the_viewer_is_not_in_cannot_be_chosen(cast):
    response = client_for(cast.rita).post(
        "/services/software-access/request/", _form(cast, customer_team=str(cast.finance.pk))
    )
    assert response.status_code == 400
    assert Request.objects.count() == 0


# --- a person as an answer -------------------------------------------------------------------

NEWCOMER_URL = "/services/newcomer-laptop/request/"


@pytest.fixture
def newcomer_laptop(cast):
    """A service that asks for a person: the colleague the laptop is for."""
    return make_service(
        cast.service_desk,
        "Laptop for a newcomer",
        slug="newcomer-laptop",
        fields=[
            {"key": "newcomer", "label": "Newcomer", "kind": FieldKind.PERSON, "required": True}
        ],
    )


def _newcomer_form(newcomer: str) -> dict[str, str]:
    return {"subject": "A laptop for the new designer", "answer_newcomer": newcomer}


def test_a_person_field_is_a_search_box_without_an_option_per_person(cast, newcomer_laptop):
    html = client_for(cast.rita).get(NEWCOMER_URL).content.decode()
    assert 'type="text" name="answer_newcomer"' in html
    assert 'list="id_answer_newcomer-choices"' in html
    assert f'hx-get="{reverse("org:people-search")}"' in html
    assert '<datalist id="id_answer_newcomer-choices"></datalist>' in html
    # Nobody is listed in the page: the suggestions come from the search as one types.
    for person in (cast.carl, cast.otto, cast.ada):
        assert person.email not in html
        assert person.full_name not in html


@pytest.mark.parametrize("handle", ["carl@example.com", "CARL@example.com", "carl"])
def test_a_person_is_answered_by_email_or_username_and_stored_by_id(cast, newcomer_laptop, handle):
    response = client_for(cast.rita).post(NEWCOMER_URL, _newcomer_form(handle))
    assert response.status_code == 302
    assert Request.objects.get().form_answers == {"newcomer": cast.carl.pk}


def test_a_person_nobody_answers_to_is_refused_next_to_the_field(cast, newcomer_laptop):
    response = client_for(cast.rita).post(NEWCOMER_URL, _newcomer_form("nobody@example.com"))
    html = response.content.decode()
    assert response.status_code == 400
    assert Request.objects.count() == 0
    assert (
        '<ul class="errorlist" id="id_answer_newcomer_error"><li>Nobody active answers to '
        "“nobody@example.com”; type a username or an email address.</li>" in html
    )
    assert 'value="nobody@example.com"' in html


def test_a_name_several_people_share_asks_for_the_one_meant(cast, newcomer_laptop):
    make_person("karl", team=cast.finance, full_name=cast.carl.full_name)
    response = client_for(cast.rita).post(NEWCOMER_URL, _newcomer_form(cast.carl.full_name))
    html = response.content.decode()
    assert response.status_code == 400
    assert Request.objects.count() == 0
    assert (
        '<ul class="errorlist" id="id_answer_newcomer_error"><li>Several people are called '
        f"“{cast.carl.full_name}”; type the username or email address of the one you mean.</li>"
        in html
    )


def test_a_missing_person_is_reported_by_the_service(cast, newcomer_laptop):
    response = client_for(cast.rita).post(NEWCOMER_URL, _newcomer_form(""))
    assert response.status_code == 400
    assert Request.objects.count() == 0
    assert (
        '<ul class="errorlist" id="id_answer_newcomer_error"><li>This field is required.</li>'
        in response.content.decode()
    )


def test_a_service_the_viewer_cannot_request_is_not_found(cast):
    restricted = make_service(cast.facilities, "Board room", visibility="restricted")
    response = client_for(cast.rita).get(f"/services/{restricted.slug}/request/")
    assert response.status_code == 404


# --- following a request ------------------------------------------------------------------------


def test_script_in_the_subject_and_a_comment_is_inert(cast):
    request = submit(cast, subject="<script>alert('subject')</script>")
    add_comment(actor=cast.alex, request=request, body="Hi <script>alert('comment')</script>")
    html = client_for(cast.rita).get(f"/requests/{request.reference}/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;subject&#x27;)&lt;/script&gt;" in html
    assert "<p>Hi </p>" in html


def test_the_requester_sees_public_replies_but_not_internal_notes(cast):
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="We are on it.")
    add_comment(actor=cast.alex, request=request, body="Printer is out of warranty", public=False)
    html = client_for(cast.rita).get(f"/requests/{request.reference}/").content.decode()
    assert "We are on it." in html
    assert "out of warranty" not in html


def test_waiting_on_the_requester_shows_the_banner(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to=Status.WAITING_ON_CUSTOMER)
    html = client_for(cast.rita).get(f"/requests/{request.reference}/").content.decode()
    assert '<strong id="waiting-title">Waiting on you</strong>' in html


def test_a_reply_is_added_and_the_page_comes_back(cast):
    request = submit(cast)
    client = client_for(cast.rita)
    response = client.post(f"/requests/{request.reference}/reply/", {"body": "Floor 3, room 12"})
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{request.reference}/#conversation"
    assert list(Comment.objects.values_list("author", "body", "is_public")) == [
        (cast.rita.pk, "Floor 3, room 12", True)
    ]


def test_a_reply_through_htmx_returns_the_conversation_and_the_summary(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to=Status.WAITING_ON_CUSTOMER)
    response = client_for(cast.rita).post(
        f"/requests/{request.reference}/reply/",
        {"body": "Here it is"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h2 id="conversation-heading">Conversation</h2>' in html
    assert '<div id="request-summary" hx-swap-oob="innerHTML">' in html
    assert "Reply sent." in html
    assert fresh(request).status == Status.IN_PROGRESS


def test_a_refused_reply_keeps_what_was_typed(cast):
    request = submit(cast)
    client = client_for(cast.rita)
    response = client.post(
        f"/requests/{request.reference}/reply/",
        {"body": "x" * 100_001},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Keep your reply under 100,000 characters" in html
    assert "x" * 100_001 + "</textarea>" in html
    assert Comment.objects.count() == 0


def test_the_requester_cancels_an_open_request(cast):
    request = submit(cast)
    response = client_for(cast.rita).post(
        f"/requests/{request.reference}/transition/",
        {"to": Status.CANCELLED, "version": str(request.version), "note": "Fixed itself"},
    )
    assert response.status_code == 302
    assert fresh(request).status == Status.CANCELLED
    assert Comment.objects.get().body == "Fixed itself"


def test_a_colleague_cannot_cancel_and_sees_why(cast):
    request = submit(cast)
    before = snapshot(request)
    client = client_for(cast.carl)
    response = client.post(
        f"/requests/{request.reference}/transition/", {"to": Status.CANCELLED}, follow=True
    )
    assert response.status_code == 200
    assert "You cannot change the status of this request." in response.content.decode()
    assert snapshot(request) == before


def test_a_stale_page_does_not_cancel(cast):
    request = submit(cast)
    stale_version = request.version
    add_comment(actor=cast.alex, request=request, body="Done, please check")
    response = client_for(cast.rita).post(
        f"/requests/{request.reference}/transition/",
        {"to": Status.CANCELLED, "version": str(stale_version)},
        follow=True,
    )
    assert "The request changed while you were reading it." in response.content.decode()
    assert fresh(request).status == Status.IN_PROGRESS


def test_the_requester_reopens_a_resolved_request(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to=Status.RESOLVED)
    client = client_for(cast.rita)
    html = client.get(f"/requests/{request.reference}/").content.decode()
    assert "Reopen request" in html
    assert "Accept and close" in html
    client.post(
        f"/requests/{request.reference}/transition/",
        {"to": Status.IN_PROGRESS, "version": str(fresh(request).version)},
    )
    assert fresh(request).status == Status.IN_PROGRESS


def test_an_overdue_resolution_shows_since_when_in_the_viewers_timezone(cast):
    with frozen_time() as clock:
        request = submit(cast)
        client = client_for(cast.rita)
        clock.advance(days=2)
        html = client.get(f"/requests/{request.reference}/").content.decode()
    # Due a day after 09:00 UTC on Monday 2 March 2026; rita reads Berlin time.
    assert (
        '<span class="badge badge--breached">Overdue</span> since '
        '<time datetime="2026-03-03T10:00:00+01:00">Tue 3 Mar, 10:00 CET</time>'
    ) in html


# --- attachments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("drawing.svg", "image/svg+xml"), ("page.html", "text/html")],
)
def test_risky_files_download_as_opaque_attachments(cast, name, content_type):
    request = submit(cast)
    attachment = add_attachment(
        actor=cast.rita,
        request=request,
        upload=upload(b"<svg onload=alert(1)>", name=name, content_type=content_type),
    )
    response = client_for(cast.rita).get(
        f"/requests/{request.reference}/attachments/{attachment.pk}/"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<svg onload=alert(1)>"


def test_a_file_name_with_markup_and_a_path_is_sent_safely(cast):
    request = submit(cast)
    attachment = add_attachment(
        actor=cast.rita,
        request=request,
        upload=upload(name='../../etc/"report"\u202e.pdf', content_type="application/pdf"),
    )
    response = client_for(cast.rita).get(
        f"/requests/{request.reference}/attachments/{attachment.pk}/"
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'


def test_a_reply_can_carry_a_file(cast):
    request = submit(cast)
    file = io.BytesIO(b"page 1")
    file.name = "scan.pdf"
    client_for(cast.rita).post(
        f"/requests/{request.reference}/reply/", {"body": "Scan attached", "attachment": file}
    )
    comment = Comment.objects.get()
    assert [a.original_name for a in comment.attachments.all()] == ["scan.pdf"]


# --- lists ---------------------------------------------------------------------------------------


def test_my_requests_lists_what_i_filed_and_what_i_watch_but_not_my_teams_others(cast):
    mine = submit(cast, subject="Mine")
    watched = submit(cast, actor=cast.carl, subject="Carl asks, Rita watches")
    add_watcher(actor=cast.carl, request=watched, watcher=cast.rita)
    submit(cast, actor=cast.carl, subject="Carl's own")
    html = client_for(cast.rita).get("/requests/").content.decode()
    assert mine.subject in html
    assert watched.subject in html
    assert "Carl&#x27;s own" not in html


def test_my_requests_filters_by_status_and_refuses_an_unknown_one(cast):
    submit(cast, subject="Still open")
    done = submit(cast, subject="Done already")
    transition_request(actor=cast.rita, request=done, to=Status.CANCELLED)
    client = client_for(cast.rita)
    open_page = client.get("/requests/?status=open").content.decode()
    assert "Still open" in open_page
    assert "Done already" not in open_page
    unknown = client.get("/requests/?status=bogus")
    assert unknown.status_code == 400
    assert "Unknown status filter." in unknown.content.decode()


def test_my_requests_pages_with_a_cursor(cast):
    for number in range(27):
        submit(cast, subject=f"Request number {number}")
    client = client_for(cast.rita)
    first = client.get("/requests/")
    cursor = first.context["page"].next_cursor
    second = client.get(f"/requests/?cursor={cursor}")
    assert len(first.context["page"].items) == 25
    assert [r.subject for r in second.context["page"].items] == [
        "Request number 1",
        "Request number 0",
    ]


def test_my_requests_takes_a_fixed_number_of_queries(cast, django_assert_num_queries):
    for number in range(5):
        submit(cast, subject=f"Request number {number}")
    add_watcher(actor=cast.carl, request=submit(cast, actor=cast.carl), watcher=cast.rita)
    client = client_for(cast.rita)

    with django_assert_num_queries(7):
        response = client.get("/requests/")

    assert len(response.context["page"].items) == 6


def test_home_searches_the_catalog_and_answers_htmx_with_the_results_only(cast):
    client = client_for(cast.rita)
    page = client.get("/?q=software").content.decode()
    assert "Software access" in page
    assert "Printer configuration" not in page
    partial = client.get("/?q=printer", headers={"HX-Request": "true"}).content.decode()
    assert "Printer configuration" in partial
    assert "<html" not in partial
    assert "1 service found." in partial
    restored = client.get(
        "/?q=printer", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restored.content.decode()
    assert restored["Vary"] == "HX-Request, Cookie"


def test_home_shows_expected_times_for_the_viewers_team(cast):
    html = client_for(cast.rita).get("/").content.decode()
    # Default agreement targets at normal priority, on a round-the-clock calendar.
    assert (
        "First response within <strong>4 hours</strong> · resolved within <strong>1 day</strong>"
        in html
    )


def test_home_query_count_does_not_grow_with_the_catalog(cast, django_assert_max_num_queries):
    submit(cast)
    for number in range(30):
        make_service(cast.facilities, f"Room setup {number}", description="Chairs and tables")
    client = client_for(cast.rita)
    client.get("/")  # the process's catalog snapshot is built once, not per page
    # Session, user and person, the viewer, the catalog (services, their form fields,
    # the snapshot's version), my requests (rows, clocks), the bell.
    with django_assert_max_num_queries(12):
        response = client.get("/")
    assert response.status_code == 200


# --- notifications -------------------------------------------------------------------------------


def test_notifications_list_and_mark_read(cast):
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="On it")
    client = client_for(cast.rita)
    # The reply, and the move into progress it caused.
    notification = Notification.objects.filter(recipient=cast.rita).first()
    html = client.get("/notifications/").content.decode()
    assert text_of(notification) in html
    assert '<span id="bell-count" class="bell__count bell__count--unread">2</span>' in html
    response = client.post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_someone_elses_notification_cannot_be_marked_read(cast):
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="On it")
    notification = Notification.objects.filter(recipient=cast.rita).first()
    response = client_for(cast.carl).post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 404
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_mark_all_read_touches_only_mine(cast):
    request = submit(cast)
    add_watcher(actor=cast.rita, request=request, watcher=cast.carl)
    add_comment(actor=cast.alex, request=request, body="On it")
    client_for(cast.rita).post("/notifications/read-all/")
    assert Notification.objects.filter(recipient=cast.rita, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=cast.carl, read_at__isnull=True).count() == 2


# --- error pages ---------------------------------------------------------------------------------


def test_the_404_page_uses_the_layout(cast):
    response = client_for(cast.rita).get("/requests/NOPE-1/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert '<main id="main"' in html


def test_the_500_page_needs_no_database_and_shows_the_correlation_id(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.correlation_id = "abc123def4567890"
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "<code>abc123def4567890</code>" in response.content.decode()
