"""The request pages' conversation and history: a page at a time, and nothing typed is lost.

A request with 2,000 comments opens on its newest messages (and the agent's page on
its newest events) with a link to the earlier ones that works as a plain link and in
place with htmx; every action on either page keeps the reply being typed; and the
reply forms speak in the user's words, only of what applies.
"""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.conftest import client_for
from tests.desk.helpers import fresh, submit

from inhouse.desk import events
from inhouse.desk.models import Comment, Dependency, Request, Status
from inhouse.desk.services import add_comment, transition_request, update_request
from inhouse.org.models import Membership, MembershipRole

pytestmark = pytest.mark.django_db

PAGE = 50
HTMX = {"HX-Request": "true"}


def _talk(request: Request, author, count: int, *, start: int = 1) -> list[Comment]:
    """``count`` public replies, one a minute, with their history events; oldest first."""
    first = timezone.now() - timedelta(days=30)
    comments = Comment.objects.bulk_create(
        Comment(
            request=request,
            author=author,
            body=f"Message number {number}.",
            created_at=first + timedelta(minutes=number),
        )
        for number in range(start, start + count)
    )
    events.record(
        request,
        *(
            events.commented(
                request_id=request.pk,
                actor_id=author.pk,
                at=comment.created_at,
                comment_id=comment.pk,
                public=True,
            )
            for comment in comments
        ),
    )
    events.save_chain_head(request)
    return comments


@pytest.fixture
def long_request(cast) -> Request:
    request = submit(cast)
    _talk(request, cast.rita, 2_000)
    return request


def _messages(html: str) -> list[int]:
    """The numbers of the messages shown, in the order shown."""
    return [int(number) for number in re.findall(r"Message number (\d+)\.", html)]


def _earlier_link(html: str, parameter: str = "cursor") -> str | None:
    found = re.search(rf'href="\?{parameter}=([^"#]+)#', html)
    return found.group(1) if found else None


def _history_rows(html: str) -> int:
    panel = html[html.index('id="history-list"') :]
    panel = panel[: panel.index("</ol>")]
    return panel.count('<span class="ws-history__who">')


# --- a long conversation, a page at a time ------------------------------------------------


def test_the_portal_opens_a_long_conversation_on_its_newest_messages(
    cast, long_request, django_assert_max_num_queries
):
    client = client_for(cast.rita)
    client.get(f"/requests/{long_request.reference}/")

    # 17 today (13, plus the rating and follow-up panels): the page reads one page of
    # messages, never one query per message.
    with django_assert_max_num_queries(18):
        response = client.get(f"/requests/{long_request.reference}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _messages(html) == list(range(2_000, 2_000 - PAGE, -1))
    assert len(response.content) < 80_000
    assert _earlier_link(html) is not None
    # Newest first: the reply box sits above the newest message.
    assert html.index('id="reply-form"') < html.index("Message number 2000.")


def test_the_earlier_link_walks_the_whole_conversation_without_javascript(cast):
    request = submit(cast)
    _talk(request, cast.rita, 120)
    client = client_for(cast.rita)
    url = f"/requests/{request.reference}/"

    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        response = client.get(url, {"cursor": cursor} if cursor else {})
        assert response.status_code == 200
        html = response.content.decode()
        seen += _messages(html)
        pages += 1
        cursor = _earlier_link(html)
        if cursor is None:
            break
        # A page past the first says how to get back to the newest.
        assert "Back to the newest messages" in client.get(url, {"cursor": cursor}).content.decode()

    assert pages == 3
    assert seen == list(range(120, 0, -1))


def test_htmx_loads_the_earlier_messages_in_place(cast, long_request):
    client = client_for(cast.rita)
    first = client.get(f"/requests/{long_request.reference}/").content.decode()

    response = client.get(
        f"/requests/{long_request.reference}/", {"cursor": _earlier_link(first)}, headers=HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="reply-form"' not in html
    assert _messages(html) == list(range(2_000 - PAGE, 2_000 - 2 * PAGE, -1))
    assert 'hx-target="closest li"' in html and _earlier_link(html) is not None
    assert "HX-Request" in response["Vary"]


def test_the_agent_page_pages_its_conversation_and_its_history(
    cast, long_request, django_assert_max_num_queries
):
    client = client_for(cast.alex)
    url = f"/work/requests/{long_request.reference}/"
    client.get(url)

    # 22 today: one page of messages and one of events, described in a few queries.
    with django_assert_max_num_queries(25):
        response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert _messages(html) == list(range(2_000, 2_000 - PAGE, -1))
    assert '<span class="ws-count">2000</span>' in html
    assert _history_rows(html) == PAGE
    assert len(response.content) < 150_000
    assert _earlier_link(html, "cursor") and _earlier_link(html, "history_cursor")
    assert html.index('id="reply"') < html.index("Message number 2000.")


def test_the_request_pages_cost_the_same_queries_short_or_long(cast):
    short, long = submit(cast), submit(cast, subject="Long one")
    _talk(short, cast.rita, 60)
    _talk(long, cast.rita, 1_000)
    client = client_for(cast.alex)
    client.get(f"/work/requests/{short.reference}/")

    with CaptureQueriesContext(connection) as short_queries:
        client.get(f"/work/requests/{short.reference}/")
    with CaptureQueriesContext(connection) as long_queries:
        client.get(f"/work/requests/{long.reference}/")

    assert len(long_queries) == len(short_queries)


def test_the_history_panel_walks_back_to_the_first_event(cast):
    request = submit(cast)
    _talk(request, cast.rita, 70)
    client = client_for(cast.alex)
    url = f"/work/requests/{request.reference}/"

    first = client.get(url).content.decode()
    cursor = _earlier_link(first, "history_cursor")
    plain = client.get(url, {"history_cursor": cursor}).content.decode()
    partial = client.get(url, {"history_cursor": cursor}, headers=HTMX).content.decode()

    # 70 replies and the request's creation: 71 events, 50 and then 21.
    assert _history_rows(first) == PAGE
    assert _history_rows(plain) == 21
    assert "Back to the newest events" in plain
    assert _earlier_link(plain, "history_cursor") is None
    assert "<html" not in partial and partial.count('<span class="ws-history__who">') == 21
    assert "Request submitted" in partial or "created" in partial.lower()


def test_a_broken_page_link_is_a_400_with_the_newest_page(cast, long_request):
    client = client_for(cast.rita)

    portal = client.get(f"/requests/{long_request.reference}/", {"cursor": "bogus!"})
    agent = client_for(cast.alex).get(
        f"/work/requests/{long_request.reference}/", {"history_cursor": "bogus!"}
    )
    partial = client.get(f"/requests/{long_request.reference}/", {"cursor": "x"}, headers=HTMX)

    assert portal.status_code == agent.status_code == partial.status_code == 400
    assert "Invalid page cursor." in portal.content.decode()
    assert _messages(portal.content.decode())[0] == 2_000
    assert "Invalid page cursor." in agent.content.decode()
    assert "Invalid page cursor." in partial.content.decode()


def test_internal_notes_stay_off_the_requesters_pages(cast):
    request = submit(cast)
    _talk(request, cast.rita, 60)
    add_comment(actor=cast.alex, request=request, body="Secret roller note", public=False)
    client = client_for(cast.rita)

    pages = [client.get(f"/requests/{request.reference}/").content.decode()]
    pages.append(
        client.get(
            f"/requests/{request.reference}/", {"cursor": _earlier_link(pages[0])}
        ).content.decode()
    )

    assert all("Secret roller note" not in page for page in pages)
    assert sorted(_messages(pages[0]) + _messages(pages[1])) == list(range(1, 61))


def test_times_on_the_request_pages_name_their_timezone(cast):
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="On it.")
    cast.alex.timezone = "America/New_York"
    cast.alex.save(update_fields=["timezone"])

    portal = client_for(cast.rita).get(f"/requests/{request.reference}/").content.decode()
    agent = client_for(cast.alex).get(f"/work/requests/{request.reference}/").content.decode()

    # Rita reads in Berlin; every time on her page carries its abbreviation.
    times = re.findall(r"<time[^>]*>([^<]+)</time>", portal)
    assert times and all(re.search(r"\b(CET|CEST)$", shown) for shown in times)
    agent_times = re.findall(r"<time[^>]*>([^<]+)</time>", agent)
    assert agent_times and all(re.search(r"\b(EST|EDT)$", shown) for shown in agent_times)


# --- the reply survives every other action ------------------------------------------------


def _agent_page(client, request: Request) -> str:
    return client.get(f"/work/requests/{request.reference}/").content.decode()


def _version(html: str) -> str:
    return re.search(r'name="version" value="(\d+)"', html).group(1)


def _reply_box(html: str) -> str:
    return re.search(r'<textarea[^>]*id="reply_body"[^>]*>(.*?)</textarea>', html, re.S).group(1)


def test_every_action_control_on_the_agent_page_belongs_to_the_reply_form(cast):
    request = submit(cast)
    blocker = submit(cast, subject="Order parts")
    update_request(actor=cast.alex, request=request, expected_version=None, blocked_by=[blocker])
    html = _agent_page(client_for(cast.alex), request)
    side = html[html.index('id="request-side"') :]

    buttons = re.findall(r"<button[^>]*>", side)
    assert buttons and all('form="reply"' in b and "formaction=" in b for b in buttons)
    for name in ("assignee", "priority", "comment", "reference", "service", "note", "version"):
        controls = re.findall(rf'<(?:select|textarea|input)[^>]*name="{name}"[^>]*>', side)
        assert controls and all('form="reply"' in c for c in controls), name
    # An action's own required box never stops the reply from being sent.
    assert "required" not in re.search(r'<input[^>]*name="reference"[^>]*>', side).group(0)


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("assign/", lambda cast, request: {"assignee": str(cast.ivy.pk)}),
        ("priority/", lambda cast, request: {"priority": "urgent"}),
        ("transition/", lambda cast, request: {"to": Status.WAITING_ON_SUPPLIER}),
        ("dependencies/", lambda cast, request: {"reference": submit(cast).reference}),
    ],
)
def test_without_javascript_an_action_brings_the_reply_back(cast, action, data):
    request = submit(cast)
    client = client_for(cast.alex)
    page = _agent_page(client, request)

    response = client.post(
        f"/work/requests/{request.reference}/{action}",
        {"body": "Half a reply, *typed*.", "version": _version(page), **data(cast, request)},
    )
    again = _agent_page(client, request)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert fresh(request).version > request.version
    assert _reply_box(again).strip() == "Half a reply, *typed*."
    # Held for one view only: the page after that starts empty.
    assert _reply_box(_agent_page(client, request)).strip() == ""


def test_without_javascript_a_note_and_a_reply_each_carry_the_other_along(cast):
    request = submit(cast)
    client = client_for(cast.alex)
    base = f"/work/requests/{request.reference}/"

    noted = client.post(base + "note/", {"note-body": "Part ordered.", "body": "Half a reply"})
    after_note = _agent_page(client, request)
    replied = client.post(base + "reply/", {"body": "Done soon.", "note-body": "Half a note"})
    after_reply = _agent_page(client, request)

    assert noted.status_code == replied.status_code == 302
    assert _reply_box(after_note).strip() == "Half a reply"
    assert 'name="note-body"' in after_reply and "Half a note" in after_reply
    assert list(Comment.objects.filter(request=request).values_list("body", "is_public")) == [
        ("Part ordered.", False),
        ("Done soon.", True),
    ]


def test_without_javascript_removing_a_blocker_and_transferring_keep_the_reply(cast):
    request = submit(cast)
    blocker = submit(cast, subject="Order parts")
    update_request(actor=cast.alex, request=request, expected_version=None, blocked_by=[blocker])
    client = client_for(cast.lena)
    base = f"/work/requests/{request.reference}/"

    removed = client.post(
        base + f"dependencies/{blocker.reference}/remove/",
        {"body": "Still typing", "version": fresh(request).version},
    )
    after_removal = _agent_page(client, request)

    assert removed.status_code == 302 and Dependency.objects.count() == 0
    assert _reply_box(after_removal).strip() == "Still typing"


def test_a_refused_action_keeps_the_reply_and_the_other_boxes(cast):
    request = submit(cast)
    client = client_for(cast.alex)
    page = _agent_page(client, request)

    response = client.post(
        f"/work/requests/{request.reference}/dependencies/",
        {
            "body": "Dear Rita",
            "comment": "Closing remark",
            "note": "For the next team",
            "reference": "NOPE-1",
            "version": _version(page),
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "No request NOPE-1." in html
    assert _reply_box(html).strip() == "Dear Rita"
    assert "Closing remark</textarea>" in html and "For the next team</textarea>" in html


def test_with_htmx_an_action_swaps_its_parts_and_never_the_reply_form(cast):
    request = submit(cast)
    client = client_for(cast.alex)
    page = _agent_page(client, request)

    response = client.post(
        f"/work/requests/{request.reference}/assign/",
        {"body": "Typed, not sent", "assignee": str(cast.ivy.pk), "version": _version(page),
         "comment": "A remark in progress"},
        headers=HTMX,
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="reply"' not in html and 'id="reply_body"' not in html
    assert '<aside id="request-side" hx-swap-oob="innerHTML">' in html
    assert "assigned to Ivy Tester" in html
    assert f"{request.reference} is assigned to Ivy Tester." in html
    # The other boxes of the panel it swapped keep what was typed in them.
    assert "A remark in progress</textarea>" in html
    assert fresh(request).assignee == cast.ivy


def test_with_htmx_a_sent_reply_comes_back_empty_and_the_note_untouched(cast):
    request = submit(cast)
    client = client_for(cast.alex)

    replied = client.post(
        f"/work/requests/{request.reference}/reply/", {"body": "On my way."}, headers=HTMX
    ).content.decode()
    refused = client.post(
        f"/work/requests/{request.reference}/note/", {"note-body": "   "}, headers=HTMX
    )

    assert 'id="reply"' in replied and 'hx-swap-oob="outerHTML"' in replied
    assert _reply_box(replied).strip() == ""
    assert 'id="note"' not in replied
    assert "On my way." in replied
    assert refused.status_code == 400
    assert 'id="reply"' not in refused.content.decode()
    assert "Write the note before adding it." in refused.content.decode()


def test_with_htmx_a_stale_change_shows_the_notice_and_keeps_the_reply(cast):
    request = submit(cast)
    client = client_for(cast.alex)
    page = _agent_page(client, request)
    update_request(actor=cast.ivy, request=request, expected_version=None, priority="urgent")

    response = client.post(
        f"/work/requests/{request.reference}/priority/",
        {"body": "Keep me", "priority": "low", "version": _version(page)},
        headers=HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert '<div id="stale-slot" hx-swap-oob="innerHTML">' in html
    assert "You were changing the priority to low." in html
    assert 'id="reply_body"' not in html


def test_a_transfer_to_another_team_keeps_the_reply_for_the_new_address(cast):
    request = submit(cast)
    client = client_for(cast.lena)
    # Lena works Facilities too, so the request stays hers at its new reference.
    Membership.objects.create(person=cast.lena, team=cast.facilities, role=MembershipRole.AGENT)
    page = _agent_page(client, request)

    response = client.post(
        f"/work/requests/{request.reference}/transfer/",
        {"body": "Reply in progress", "service": cast.cleaning.slug, "version": _version(page)},
        headers=HTMX,
    )

    moved = fresh(request)
    assert moved.reference.startswith("FAC-")
    assert response["HX-Redirect"] == f"/work/requests/{moved.reference}/"
    assert _reply_box(_agent_page(client, moved)).strip() == "Reply in progress"


def test_the_portal_actions_belong_to_the_reply_form(cast):
    request = submit(cast)
    html = client_for(cast.rita).get(f"/requests/{request.reference}/").content.decode()
    side = html[html.index('id="request-side"') :]

    button = re.search(r"<button[^>]*>", side).group(0)
    assert 'form="reply-form"' in button and 'formaction="/requests/' in button
    assert 'name="to" value="cancelled"' in button
    assert '<textarea id="note-cancelled" name="note-cancelled" rows="3" form="reply-form">' in side


def test_without_javascript_reopening_brings_the_requesters_reply_back(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to=Status.RESOLVED)
    client = client_for(cast.rita)

    response = client.post(
        f"/requests/{request.reference}/transition/",
        {"to": Status.IN_PROGRESS, "version": fresh(request).version,
         "note-in_progress": "Still jams", "body": "And one more thing"},
    )  # fmt: skip
    page = client.get(f"/requests/{request.reference}/").content.decode()

    assert response.status_code == 302
    assert fresh(request).status == Status.IN_PROGRESS
    assert Comment.objects.filter(body="Still jams").exists()
    assert re.search(r'id="reply-body"[^>]*>\s*And one more thing</textarea>', page)


def test_with_htmx_a_portal_action_leaves_the_reply_form_alone(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to=Status.RESOLVED)

    response = client_for(cast.rita).post(
        f"/requests/{request.reference}/transition/",
        {"to": Status.IN_PROGRESS, "version": fresh(request).version, "body": "Typed"},
        headers=HTMX,
    )

    html = response.content.decode()
    assert response["HX-Reswap"] == "none"
    assert 'id="reply-form"' not in html
    assert '<div id="conversation-list" hx-swap-oob="innerHTML">' in html
    assert "reopened" in html


def test_cancelling_with_a_typed_reply_shows_the_unsent_text(cast):
    request = submit(cast)

    response = client_for(cast.rita).post(
        f"/requests/{request.reference}/transition/",
        {"to": Status.CANCELLED, "version": request.version, "body": "Never mind the toner"},
        headers=HTMX,
    )

    html = response.content.decode()
    assert fresh(request).status == Status.CANCELLED
    assert 'id="reply-form"' not in html
    assert "Your reply was not sent: copy it if you still need it" in html
    assert "Never mind the toner</textarea>" in html


# --- messages in the user's words ---------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_an_empty_agent_reply_asks_for_a_reply(cast, body):
    request = submit(cast)

    response = client_for(cast.alex).post(
        f"/work/requests/{request.reference}/reply/", {"body": body}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Write a reply before sending." in html
    assert "required." not in html and "body is" not in html
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("body", ["", "  \n "])
def test_an_empty_portal_reply_asks_for_a_reply_and_says_nothing_of_files(cast, body):
    request = submit(cast)

    response = client_for(cast.rita).post(f"/requests/{request.reference}/reply/", {"body": body})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Write a reply before sending." in html
    assert "body is required" not in html and "This field is required." not in html
    # No file was chosen, so there is no file to choose again.
    assert "choose the file again" not in html and "If you had chosen a file" not in html
    assert Comment.objects.count() == 0


def test_a_refused_reply_with_a_file_names_the_file_to_choose_again(cast):
    request = submit(cast)
    chosen = SimpleUploadedFile("scan.pdf", b"%PDF-1.4", content_type="application/pdf")

    response = client_for(cast.rita).post(
        f"/requests/{request.reference}/reply/", {"body": "", "attachment": chosen}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Write a reply before sending." in html
    assert "“scan.pdf” was not sent with it: choose the file again." in html


def test_a_too_long_reply_says_so_in_plain_words(cast):
    request = submit(cast)

    portal = client_for(cast.rita).post(
        f"/requests/{request.reference}/reply/", {"body": "x" * 100_001}
    )
    agent = client_for(cast.alex).post(
        f"/work/requests/{request.reference}/reply/", {"body": "x" * 100_001}
    )

    assert "Keep your reply under 100,000 characters (it has 100001)." in portal.content.decode()
    assert "Keep the reply under 100,000 characters (it has 100001)." in agent.content.decode()
    assert "x" * 100_001 + "</textarea>" in portal.content.decode()


def test_the_agent_forms_speak_of_what_to_do(cast):
    request = submit(cast)
    client = client_for(cast.alex)
    base = f"/work/requests/{request.reference}/"

    no_version = client.post(base + "priority/", {"priority": "low"}).content.decode()
    no_reference = client.post(base + "dependencies/", {"version": 1}).content.decode()
    no_service = client.post(base + "transfer/", {"version": 1}).content.decode()
    bad_assignee = client.post(base + "assign/", {"assignee": "999", "version": 1}).content.decode()

    assert "This page is out of date. Reload it and try again." in no_version
    assert "Type the reference of the request that blocks this one." in no_reference
    assert "Choose the service to hand this request to." in no_service
    assert "Choose someone who works this team&#x27;s queue, or nobody." in bad_assignee
    for html in (no_version, no_reference, no_service, bad_assignee):
        assert "This field is required." not in html
        assert "Select a valid choice" not in html
