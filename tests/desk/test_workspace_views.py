"""The agent workspace through the Django test client: queue, request page, canned replies."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.conftest import client_for
from tests.desk.helpers import fresh, frozen_time, snapshot, submit, upload
from tests.factories import make_service

from inhouse.catalog.models import FieldKind
from inhouse.desk.models import CannedReply, Comment, Dependency, Request, SavedView, Status
from inhouse.desk.selectors import RequestFilters
from inhouse.desk.selectors.queue import queue_for
from inhouse.desk.services import add_comment, transition_request, update_request
from inhouse.desk.services.workspace import create_canned_reply, save_view
from inhouse.sla.models import Clock

pytestmark = pytest.mark.django_db

QUEUE = "/work/it-service-desk/"
MEDIATION_ANSWERS = {"summary": "A conflict in the team"}


def _refs(response) -> list[str]:
    """The references listed in the queue, in order."""
    return re.findall(r'name="ref" value="([A-Z]+-\d+)"', response.content.decode())


def fresh_request(reference: str) -> Request:
    return Request.objects.get(reference=reference)


def _hidden(html: str, form_id: str, name: str) -> str:
    form = html[html.index(f'id="{form_id}"') :]
    return re.search(rf'name="{name}" value="([^"]*)"', form).group(1)


# --- getting to the queue -----------------------------------------------------------------


def test_work_sends_an_agent_to_their_first_queue(cast):
    response = client_for(cast.alex).get("/work/")

    assert response.status_code == 302
    assert response["Location"] == QUEUE


def test_work_is_not_there_for_someone_who_works_no_queue(cast):
    assert client_for(cast.rita).get("/work/").status_code == 404


def test_an_agent_of_several_teams_gets_a_team_switcher(cast):
    cast.alex.memberships.create(team=cast.facilities, role="agent")

    html = client_for(cast.alex).get(QUEUE).content.decode()

    assert 'aria-label="Your queues"' in html
    assert '<a href="/work/facilities/">Facilities</a>' in html


def test_an_agent_of_another_team_gets_404_for_the_queue_and_its_pages(cast):
    submit(cast)
    client = client_for(cast.fred)

    assert client.get(QUEUE).status_code == 404
    assert client.get(QUEUE + "canned/").status_code == 404
    assert client.post(QUEUE + "views/", {"name": "x", "query": ""}).status_code == 404
    assert SavedView.objects.count() == 0


def test_an_admin_may_look_at_any_queue(cast):
    request = submit(cast)

    response = client_for(cast.ada).get(QUEUE)

    assert response.status_code == 200
    assert _refs(response) == [request.reference]


def test_signed_out_visitors_are_sent_to_sign_in_and_change_nothing(cast):
    request = submit(cast)
    before = snapshot(request)
    client = Client()

    for url in (QUEUE, f"/work/requests/{request.reference}/", QUEUE + "canned/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    response = client.post(QUEUE + "bulk/", {"ref": [request.reference], "action": "assign",
                                             "assignee": str(cast.alex.pk)})  # fmt: skip
    assert response.status_code == 302
    assert snapshot(request) == before


def test_changes_by_get_are_refused(cast):
    request = submit(cast)
    before = snapshot(request)
    client = client_for(cast.alex)

    for action in ("reply", "note", "transition", "assign", "priority", "transfer", "dependencies"):
        assert client.get(f"/work/requests/{request.reference}/{action}/").status_code == 405
    assert client.get(QUEUE + "bulk/?ref=IT-1000&action=assign").status_code == 405
    assert snapshot(request) == before


# --- filters ----------------------------------------------------------------------------------


@pytest.fixture
def queue(cast):
    """Five IT requests with something different about each; one HR case beside them."""
    plain = submit(cast, subject="Printer on floor 3 jams")
    urgent = submit(cast, subject="Laptop will not boot", priority="urgent")
    mine = submit(cast, subject="VPN drops", priority="high")
    update_request(actor=cast.alex, request=mine, expected_version=None, assignee=cast.alex)
    ivys = submit(cast, actor=cast.otto, subject="Figma seat", service=cast.software_access,
                  form_answers={"application": "Figma"})  # fmt: skip
    update_request(actor=cast.ivy, request=ivys, expected_version=None, assignee=cast.ivy)
    done = submit(cast, subject="Old monitor")
    transition_request(actor=cast.alex, request=done, to=Status.RESOLVED)
    hr_case = submit(cast, actor=cast.carl, service=cast.mediation, subject="Mediation",
                     form_answers=MEDIATION_ANSWERS)  # fmt: skip
    return {
        "plain": plain.reference,
        "urgent": urgent.reference,
        "mine": mine.reference,
        "ivys": ivys.reference,
        "done": done.reference,
        "hr": hr_case.reference,
    }


def test_the_queue_shows_open_requests_soonest_due_first(cast, queue):
    response = client_for(cast.alex).get(QUEUE)

    assert response.status_code == 200
    # Urgent is due in 4h, high in 8h, the normal ones in 24h (older first).
    assert _refs(response) == [queue["urgent"], queue["mine"], queue["plain"], queue["ivys"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("priority=urgent", ["urgent"]),
        ("priority=urgent&priority=high", ["urgent", "mine"]),
        ("assignee=me", ["mine"]),
        ("assignee=none", ["urgent", "plain"]),
        ("status=resolved", ["done"]),
        ("status=new&status=resolved", ["urgent", "mine", "plain", "ivys", "done"]),
        ("open=false", ["done"]),
        ("service=software-access", ["ivys"]),
        ("customer_team=finance", ["ivys"]),
        ("text=vpn", ["mine"]),
        ("sort=newest", ["ivys", "mine", "urgent", "plain"]),
    ],
)
def test_each_filter_narrows_the_queue(cast, queue, query, expected):
    response = client_for(cast.alex).get(f"{QUEUE}?{query}")

    assert response.status_code == 200
    assert _refs(response) == [queue[name] for name in expected]


def test_the_queue_searches_with_q_as_the_api_does(cast, queue):
    response = client_for(cast.alex).get(f"{QUEUE}?q=vpn")

    assert response.status_code == 200
    assert _refs(response) == [queue["mine"]]


def test_the_queue_refuses_another_teams_provider_team_by_name(cast, queue):
    client = client_for(cast.alex)

    own = client.get(f"{QUEUE}?provider_team=it-service-desk")
    other = client.get(f"{QUEUE}?provider_team=facilities")

    assert _refs(own) == [queue["urgent"], queue["mine"], queue["plain"], queue["ivys"]]
    assert other.status_code == 400
    assert "Unknown provider_team “facilities”." in other.content.decode()


def test_assignee_filter_takes_an_agent_of_the_team(cast, queue):
    response = client_for(cast.alex).get(f"{QUEUE}?assignee={cast.ivy.pk}")

    assert _refs(response) == [queue["ivys"]]


def test_breached_and_at_risk_filters(cast, queue):
    now = timezone.now()
    late = fresh_request(queue["plain"])
    Clock.objects.filter(request=late, kind="resolution").update(due_at=now - timedelta(minutes=5))
    risky = fresh_request(queue["urgent"])
    Clock.objects.filter(request=risky, kind="resolution").update(
        warn_at=now - timedelta(minutes=1), due_at=now + timedelta(minutes=30)
    )
    client = client_for(cast.alex)

    assert _refs(client.get(f"{QUEUE}?breached=true")) == [queue["plain"]]
    assert _refs(client.get(f"{QUEUE}?at_risk=true")) == [queue["urgent"]]


def test_htmx_gets_only_the_results_and_the_normalised_address(cast, queue):
    response = client_for(cast.alex).get(
        f"{QUEUE}?text=&priority=urgent&assignee=&sort=due", HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="bulk-form"' in html
    assert _refs(response) == [queue["urgent"]]
    assert response["HX-Push-Url"] == f"{QUEUE}?priority=urgent"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=lost", "Unknown status: lost."),
        ("sort=oldest", "Unknown sort “oldest”. Sort by “due” or “newest”."),
        ("priority=meh", "Unknown priority: meh."),
        ("color=red", "“color” is not a filter of this queue."),
        ("service=nope", "Unknown service “nope”."),
        ("assignee=99999", "Choose “unassigned”, “me” or one of the team&#x27;s agents."),
        ("breached=maybe", "Use true or false."),
        ("cursor=%21%21", "This page link is broken; start again from the first page."),
    ],
)
def test_unknown_filter_values_answer_400_with_a_message(cast, queue, query, message):
    response = client_for(cast.alex).get(f"{QUEUE}?{query}")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters are not valid" in html
    assert message in html
    assert _refs(response) == []


def test_cursor_pages_walk_the_queue_without_repeats_and_undated_ones_last(cast):
    dated = [submit(cast, subject=f"Dated {n}") for n in range(3)]
    waiting = submit(cast, subject="Waiting")
    transition_request(actor=cast.alex, request=waiting, to=Status.WAITING_ON_CUSTOMER)
    filters = RequestFilters(open=True)

    seen, cursor = [], None
    for _page in range(3):
        page = queue_for(cast.alex, cast.service_desk, filters, "due", cursor, limit=2)
        seen += [row.request.reference for row in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert seen == [r.reference for r in dated] + [waiting.reference]
    assert cursor is None


def test_the_next_page_link_carries_the_cursor_and_the_filters(cast, queue, monkeypatch):
    monkeypatch.setattr("inhouse.desk.selectors.queue.QUEUE_PAGE_SIZE", 2)
    client = client_for(cast.alex)

    first = client.get(f"{QUEUE}?sort=newest")
    link = re.search(r'href="([^"]+)" rel="next">Next page', first.content.decode()).group(1)
    second = client.get(link.replace("&amp;", "&"))

    assert _refs(first) == [queue["ivys"], queue["mine"]]
    assert link.startswith(f"{QUEUE}?sort=newest&amp;cursor=")
    assert _refs(second) == [queue["urgent"], queue["plain"]]
    assert "First page" in second.content.decode()


def test_status_counts_and_saved_view_counts(cast, queue):
    save_view(actor=cast.alex, team=cast.service_desk, name="Mine", query="assignee=me")
    save_view(actor=cast.ivy, team=cast.service_desk, name="Ivy's secret", query="")

    html = client_for(cast.alex).get(QUEUE).content.decode()

    assert re.search(r'All open <span class="ws-count">4</span>', html)
    assert re.search(r'New <span class="ws-count">4</span>', html)
    assert re.search(r'Resolved <span class="ws-count">1</span>', html)
    assert re.search(r'>Mine</a>\s*<span class="ws-count"[^>]*>1</span>', html)
    assert "Ivy&#x27;s secret" not in html


def test_saving_a_view_from_the_queue(cast, queue):
    response = client_for(cast.alex).post(
        QUEUE + "views/", {"name": "Urgent", "query": "priority=urgent&text="}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?priority=urgent"
    assert list(SavedView.objects.values_list("owner", "name", "query")) == [
        (cast.alex.pk, "Urgent", "priority=urgent")
    ]


def test_someone_elses_saved_view_cannot_be_deleted(cast):
    view = save_view(actor=cast.ivy, team=cast.service_desk, name="Ivy's", query="")

    response = client_for(cast.alex).post(f"{QUEUE}views/{view.pk}/delete/")

    assert response.status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_the_confidential_hr_case_is_not_in_the_it_queue_even_for_an_admin_filter(cast, queue):
    html = client_for(cast.alex).get(f"{QUEUE}?open=any&text=Mediation").content.decode()

    assert queue["hr"] not in html
    assert 'ws-subject">Mediation' not in html


# --- bulk ------------------------------------------------------------------------------------


def test_bulk_assign_reports_each_outcome(cast, queue):
    client = client_for(cast.alex)
    refs = [queue["plain"], queue["urgent"], queue["hr"]]

    response = client.post(
        QUEUE + "bulk/",
        {"ref": refs, "action": "assign", "assignee": str(cast.ivy.pk), "back": "priority=urgent"},
        follow=True,
    )

    assert response.redirect_chain == [(f"{QUEUE}?priority=urgent", 302)]
    html = response.content.decode()
    assert f"Assigned to Ivy Tester: {queue['plain']}, {queue['urgent']}." in html
    assert f"{queue['hr']} not changed: No such request." in html
    assert fresh_request(queue["plain"]).assignee == cast.ivy
    assert fresh_request(queue["urgent"]).assignee == cast.ivy
    assert fresh_request(queue["hr"]).assignee is None


def test_bulk_status_change_without_a_status_changes_nothing(cast, queue):
    before = snapshot(fresh_request(queue["plain"]))

    response = client_for(cast.alex).post(
        QUEUE + "bulk/", {"ref": [queue["plain"]], "action": "transition", "to": ""}, follow=True
    )

    assert "Choose the status to move the selected requests to." in response.content.decode()
    assert snapshot(fresh_request(queue["plain"])) == before


# --- the agent's request page ------------------------------------------------------------------


def test_the_agent_page_shows_the_whole_request(cast):
    request = submit(cast, subject="Printer <b>jams</b>", description="It **jams**.")
    add_comment(actor=cast.alex, request=request, body="Checking the tray.", public=True)
    add_comment(actor=cast.ivy, request=request, body="Tray 2 is broken", public=False)
    update_request(actor=cast.lena, request=request, expected_version=None, assignee=cast.ivy)

    response = client_for(cast.alex).get(f"/work/requests/{request.reference}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Printer &lt;b&gt;jams&lt;/b&gt;" in html
    assert "<strong>jams</strong>" in html
    assert "Checking the tray." in html
    assert "Tray 2 is broken" in html
    assert "Internal note – not visible to the requester" in html
    # The history names the assignee instead of showing an id.
    assert "Nobody → Ivy Tester" in html
    assert "Resolution" in html and "left" in html
    # The first public reply started the work.
    for action in ("Wait on customer", "Wait on supplier", "Resolve", "Cancel request"):
        assert f">{action}</button>" in html


def test_the_agent_page_names_the_people_teams_and_files_in_the_answers(cast):
    onboarding = make_service(
        cast.service_desk,
        "Onboarding",
        fields=[
            {"key": "newcomer", "label": "Newcomer", "kind": FieldKind.PERSON},
            {"key": "team", "label": "Joining team", "kind": FieldKind.TEAM},
            {"key": "contract", "label": "Contract", "kind": FieldKind.FILE},
        ],
    )
    request = submit(
        cast,
        service=onboarding,
        form_answers={"newcomer": cast.carl.pk, "team": cast.finance.pk},
        files={"contract": upload(name="contract.pdf")},
    )
    contract = request.attachments.get()

    html = client_for(cast.alex).get(f"/work/requests/{request.reference}/").content.decode()

    answers = html[html.index('<dl class="answers">') : html.index("</dl>")]
    assert f"<dt>Newcomer</dt>\n  <dd>{cast.carl.full_name}</dd>" in answers
    assert f"<dt>Joining team</dt>\n  <dd>{cast.finance.name}</dd>" in answers
    assert (
        f'href="/requests/{request.reference}/attachments/{contract.pk}/" download>contract.pdf</a>'
        in answers
    )


def test_the_clocks_panel_alone_for_the_minute_refresh(cast):
    client = client_for(cast.alex)
    with frozen_time() as clock:
        request = submit(cast, priority="high")
        clock.advance(minutes=20)
        response = client.get(f"/work/requests/{request.reference}/clocks/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'hx-trigger="every 60s"' in html
    assert re.search(r"First response</span>\s*<span class=\"ws-clock__state\">On track", html)
    # High priority: first response within 1h, resolution within 8h, around the clock.
    assert "<strong>40 minutes left</strong>" in html
    assert "<strong>about 7½ hours left</strong>" in html
    assert (
        client_for(cast.rita).get(f"/work/requests/{request.reference}/clocks/").status_code == 404
    )


def test_a_requester_is_sent_to_the_portal_page(cast):
    request = submit(cast)

    response = client_for(cast.rita).get(f"/work/requests/{request.reference}/")

    assert response.status_code == 302
    assert response["Location"] == f"/requests/{request.reference}/"


def test_an_agent_of_another_team_gets_404_for_a_confidential_hr_request(cast):
    case = submit(cast, service=cast.mediation, form_answers=MEDIATION_ANSWERS)
    before = snapshot(case)
    client = client_for(cast.alex)

    assert client.get(f"/work/requests/{case.reference}/").status_code == 404
    assert client.post(f"/work/requests/{case.reference}/reply/", {"body": "hi"}).status_code == 404
    assert (
        client.post(
            f"/work/requests/{case.reference}/priority/",
            {"priority": "urgent", "version": case.version},
        ).status_code
        == 404
    )
    assert snapshot(case) == before
    assert client_for(cast.hana).get(f"/work/requests/{case.reference}/").status_code == 200


def test_reply_and_internal_note(cast):
    request = submit(cast)
    client = client_for(cast.alex)

    replied = client.post(f"/work/requests/{request.reference}/reply/", {"body": "On my way."})
    noted = client.post(f"/work/requests/{request.reference}/note/", {"note-body": "Needs a part."})

    assert replied.status_code == noted.status_code == 302
    assert list(Comment.objects.values_list("body", "is_public", "by_provider")) == [
        ("On my way.", True, True),
        ("Needs a part.", False, True),
    ]
    assert fresh(request).status == Status.IN_PROGRESS


def test_an_empty_reply_is_a_form_error(cast):
    request = submit(cast)

    response = client_for(cast.alex).post(
        f"/work/requests/{request.reference}/reply/", {"body": ""}
    )

    assert response.status_code == 400
    assert "Write a reply before sending." in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_canned_reply_prefills_the_reply_box_without_javascript(cast):
    request = submit(cast)
    reply = create_canned_reply(
        actor=cast.lena,
        team=cast.service_desk,
        title="Ack",
        body="Hi {requester_first_name}, {agent_name} here.",
    )
    client = client_for(cast.alex)

    page = client.get(f"/work/requests/{request.reference}/?canned={reply.pk}")
    text = client.get(f"/work/requests/{request.reference}/canned/{reply.pk}/")

    assert re.search(r'<textarea[^>]*id="reply_body"[^>]*>\s*Hi Rita, Alex Tester here.</textarea>',
                     page.content.decode())  # fmt: skip
    assert text.content.decode() == "Hi Rita, Alex Tester here."
    assert text["Content-Type"] == "text/plain; charset=utf-8"


def test_another_teams_canned_reply_is_not_offered(cast):
    request = submit(cast)
    theirs = create_canned_reply(actor=cast.fred, team=cast.facilities, title="FAC", body="Secret")

    client = client_for(cast.alex)
    page = client.get(f"/work/requests/{request.reference}/?canned={theirs.pk}")

    assert "Secret" not in page.content.decode()
    assert "That canned reply does not exist (any more)." in page.content.decode()
    assert client.get(f"/work/requests/{request.reference}/canned/{theirs.pk}/").status_code == 404


def test_assign_priority_and_transition(cast):
    request = submit(cast)
    client = client_for(cast.alex)
    url = f"/work/requests/{request.reference}/"

    client.post(url + "assign/", {"assignee": str(cast.alex.pk), "version": 1})
    client.post(url + "priority/", {"priority": "high", "version": 2})
    response = client.post(
        url + "transition/", {"to": "resolved", "comment": "Fixed the tray.", "version": 3}
    )

    assert response.status_code == 302
    row = fresh(request)
    assert (row.assignee, row.priority, row.status, row.version) == (
        cast.alex,
        "high",
        Status.RESOLVED,
        4,
    )
    assert Comment.objects.get().body == "Fixed the tray."


def test_a_transition_that_is_not_allowed_is_a_message_not_a_500(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to=Status.CANCELLED)
    before = snapshot(request)

    response = client_for(cast.alex).post(
        f"/work/requests/{request.reference}/transition/",
        {"to": "resolved", "version": fresh(request).version},
    )

    assert response.status_code == 409
    assert "cannot move to &#x27;resolved&#x27;" in response.content.decode()
    assert snapshot(request) == before


def test_stale_version_shows_what_changed_and_keeps_what_was_typed(cast):
    request = submit(cast)
    client = client_for(cast.alex)
    page = client.get(f"/work/requests/{request.reference}/").content.decode()
    version = _hidden(page, "transition", "version")
    loaded_at = _hidden(page, "transition", "loaded_at")
    update_request(actor=cast.ivy, request=request, expected_version=None, priority="urgent")
    before = snapshot(request)

    response = client.post(
        f"/work/requests/{request.reference}/transition/",
        {"to": "resolved", "comment": "All fixed, *tray* replaced.", "version": version,
         "loaded_at": loaded_at},
    )  # fmt: skip

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this request while you were editing" in html
    notice = html[
        html.index('id="stale-notice"') : html.index("</div>", html.index('id="stale-notice"'))
    ]
    assert "Priority changed</strong>: Normal → Urgent" in notice
    assert "Ivy Tester" in notice
    assert "You were moving it to “Resolved”." in notice
    assert "All fixed, *tray* replaced.</textarea>" in html
    # The kept form now carries the current version, so sending it again applies it.
    assert _hidden(html, "transition", "version") == str(before.version)
    assert snapshot(request) == before


def test_stale_priority_change_keeps_the_chosen_value(cast):
    request = submit(cast)
    client = client_for(cast.alex)
    page = client.get(f"/work/requests/{request.reference}/").content.decode()
    add_comment(actor=cast.rita, request=request, body="Any news?")
    transition_request(actor=cast.ivy, request=request, to=Status.IN_PROGRESS)
    before = snapshot(request)

    response = client.post(
        f"/work/requests/{request.reference}/priority/",
        {"priority": "low", "version": _hidden(page, "priority", "version"),
         "loaded_at": _hidden(page, "priority", "loaded_at")},
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 409
    assert "New → In progress" in html
    assert '<option value="low" selected>Low</option>' in html
    assert "You were changing the priority to low." in html
    assert snapshot(request) == before


def test_dependencies_are_linked_listed_and_removed(cast):
    request = submit(cast, subject="Laptop")
    blocker = submit(cast, subject="Order parts")
    client = client_for(cast.alex)
    url = f"/work/requests/{request.reference}/"

    added = client.post(
        url + "dependencies/", {"reference": blocker.reference.lower(), "version": 1}
    )
    page = client.get(url).content.decode()
    removed = client.post(
        url + f"dependencies/{blocker.reference}/remove/", {"version": fresh(request).version}
    )

    assert added.status_code == 302
    assert f'href="/work/requests/{blocker.reference}/">{blocker.reference}</a> Order parts' in page
    assert removed.status_code == 302
    assert Dependency.objects.count() == 0


def test_removing_a_blocker_from_a_stale_page_changes_nothing(cast):
    request = submit(cast)
    blocker = submit(cast, subject="Order parts")
    update_request(actor=cast.alex, request=request, expected_version=None, blocked_by=[blocker])
    client = client_for(cast.alex)
    page = client.get(f"/work/requests/{request.reference}/").content.decode()
    update_request(actor=cast.ivy, request=request, expected_version=None, assignee=cast.ivy)
    before = snapshot(request)

    response = client.post(
        f"/work/requests/{request.reference}/dependencies/{blocker.reference}/remove/",
        {"version": _hidden(page, "assign", "version"),
         "loaded_at": _hidden(page, "assign", "loaded_at")},
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 409
    assert f"You were removing {blocker.reference} as a blocker." in html
    assert "Nobody → Ivy Tester" in html
    assert snapshot(request) == before


def test_blockers_the_agent_cannot_see_are_kept_when_they_change_the_others(cast):
    request = submit(cast)
    hidden_case = submit(cast, actor=cast.carl, service=cast.mediation,
                         form_answers=MEDIATION_ANSWERS)  # fmt: skip
    Dependency.objects.create(blocker=hidden_case, blocked=request, created_at=timezone.now())
    visible = submit(cast, subject="Order parts")
    client = client_for(cast.alex)
    url = f"/work/requests/{request.reference}/"

    page = client.get(url).content.decode()
    added = client.post(url + "dependencies/", {"reference": visible.reference, "version": 1})
    removed = client.post(
        url + f"dependencies/{visible.reference}/remove/", {"version": fresh(request).version}
    )

    assert "Also blocked by a request you cannot see." in page
    assert (added.status_code, removed.status_code) == (302, 302)
    assert list(Dependency.objects.values_list("blocker", "blocked")) == [
        (hidden_case.pk, request.pk)
    ]


def test_a_blocker_the_agent_cannot_see_cannot_be_removed_by_its_reference(cast):
    request = submit(cast)
    hidden_case = submit(cast, actor=cast.carl, service=cast.mediation,
                         form_answers=MEDIATION_ANSWERS)  # fmt: skip
    Dependency.objects.create(blocker=hidden_case, blocked=request, created_at=timezone.now())
    before = snapshot(request)

    response = client_for(cast.alex).post(
        f"/work/requests/{request.reference}/dependencies/{hidden_case.reference}/remove/",
        {"version": 1},
        follow=True,
    )

    assert "That request does not block this one." in response.content.decode()
    assert snapshot(request) == before


def test_linking_the_same_blocker_twice_is_a_form_error(cast):
    request = submit(cast)
    blocker = submit(cast, subject="Order parts")
    update_request(actor=cast.alex, request=request, expected_version=None, blocked_by=[blocker])
    before = snapshot(request)

    response = client_for(cast.alex).post(
        f"/work/requests/{request.reference}/dependencies/",
        {"reference": blocker.reference, "version": fresh(request).version},
    )

    assert response.status_code == 400
    assert f"{blocker.reference} already blocks this request." in response.content.decode()
    assert snapshot(request) == before


def test_an_unknown_blocker_is_a_form_error(cast):
    request = submit(cast)
    hidden_case = submit(cast, actor=cast.carl, service=cast.mediation,
                         form_answers=MEDIATION_ANSWERS)  # fmt: skip

    response = client_for(cast.alex).post(
        f"/work/requests/{request.reference}/dependencies/",
        {"reference": hidden_case.reference, "version": 1},
    )

    assert response.status_code == 400
    assert f"No request {hidden_case.reference}." in response.content.decode()
    assert Dependency.objects.count() == 0


def test_transfer_to_another_team_hands_it_over(cast):
    request = submit(cast)

    response = client_for(cast.alex).post(
        f"/work/requests/{request.reference}/transfer/",
        {"service": "cleaning", "note": "Coffee on the printer", "version": 1},
        follow=True,
    )

    row = fresh(request)
    assert (row.provider_team, row.reference) == (cast.facilities, "FAC-1000")
    assert response.redirect_chain[-1] == (QUEUE, 302)
    assert "Transferred to Cleaning (Facilities) as FAC-1000." in response.content.decode()


# --- canned reply management ------------------------------------------------------------------


def test_agents_manage_their_teams_canned_replies(cast):
    client = client_for(cast.ivy)

    created = client.post(QUEUE + "canned/", {"title": "Ack", "body": "Got it, {requester_name}."})
    reply = CannedReply.objects.get()
    edited = client.post(f"{QUEUE}canned/{reply.pk}/", {"title": "Ack!", "body": "Got it."})
    listed = client.get(QUEUE + "canned/").content.decode()
    deleted = client.post(f"{QUEUE}canned/{reply.pk}/delete/")

    assert [r.status_code for r in (created, edited, deleted)] == [302, 302, 302]
    assert "Ack!" in listed
    assert CannedReply.objects.count() == 0


def test_a_duplicate_title_is_a_form_error(cast):
    create_canned_reply(actor=cast.ivy, team=cast.service_desk, title="Ack", body="x")

    response = client_for(cast.alex).post(QUEUE + "canned/", {"title": "Ack", "body": "y"})

    assert response.status_code == 400
    assert "Choose another title." in response.content.decode()
    assert CannedReply.objects.count() == 1


def test_another_teams_canned_reply_cannot_be_edited_through_our_queue(cast):
    theirs = create_canned_reply(actor=cast.fred, team=cast.facilities, title="FAC", body="x")

    client = client_for(cast.alex)

    assert client.get(f"{QUEUE}canned/{theirs.pk}/").status_code == 404
    assert client.post(f"{QUEUE}canned/{theirs.pk}/delete/").status_code == 404
    assert CannedReply.objects.filter(pk=theirs.pk, title="FAC").exists()


# --- bounded queries ---------------------------------------------------------------------------


def test_the_queue_page_with_50_requests_takes_a_bounded_number_of_queries(
    cast, django_assert_max_num_queries
):
    for n in range(50):
        request = submit(cast, subject=f"Request {n}", priority=["low", "high"][n % 2])
        if n % 3 == 0:
            update_request(actor=cast.alex, request=request, expected_version=None,
                           assignee=cast.ivy)  # fmt: skip
    save_view(actor=cast.alex, team=cast.service_desk, name="Mine", query="assignee=me")
    save_view(actor=cast.alex, team=cast.service_desk, name="High", query="priority=high")
    client = client_for(cast.alex)

    with django_assert_max_num_queries(15):
        response = client.get(QUEUE)

    assert len(_refs(response)) == 50


def test_the_agent_request_page_takes_a_bounded_number_of_queries(
    cast, django_assert_max_num_queries
):
    request = submit(cast)
    blocker = submit(cast, subject="Blocker")
    update_request(actor=cast.alex, request=request, expected_version=None, blocked_by=[blocker])
    for n in range(10):
        add_comment(actor=cast.rita if n % 2 else cast.alex, request=request, body=f"Message {n}",
                    public=n % 2 == 1 or n % 3 != 0)  # fmt: skip
        update_request(actor=cast.alex, request=request, expected_version=None,
                       assignee=[cast.alex, cast.ivy][n % 2])  # fmt: skip
    create_canned_reply(actor=cast.alex, team=cast.service_desk, title="Ack", body="x")
    client = client_for(cast.alex)

    # The ratings panel reads the rating, the clarity rating and the team's CSAT.
    with django_assert_max_num_queries(27):
        response = client.get(f"/work/requests/{request.reference}/")

    assert response.status_code == 200
