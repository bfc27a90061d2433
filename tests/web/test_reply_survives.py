"""A reply being typed survives every other action on the page, in a real browser.

With JavaScript the actions swap only their own parts of the page; without it their
POST carries the reply along and the page comes back with it.
"""

import pytest
from playwright.sync_api import expect
from tests.desk.helpers import fresh

from inhouse.desk.models import Comment, Status
from inhouse.desk.services import submit_request, transition_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DRAFT = "Hi Rita,\n\nthe new roller is on its way; I'll fit it tomorrow morning."


def _ask(cast, subject: str = "Printer on floor 3 jams"):
    return submit_request(actor=cast.rita, service=cast.printer, subject=subject)


def test_an_agents_reply_survives_assigning_prioritising_and_moving_the_request(cast, new_page):
    request = _ask(cast)
    page = new_page(cast.alex)
    page.goto(f"/work/requests/{request.reference}/")
    reply_box = page.get_by_label("Public reply")
    reply_box.fill(DRAFT)
    # Set on this very page: still there afterwards means no action reloaded the page.
    page.evaluate("window.sameDocument = true")

    page.get_by_label("Assignee").select_option(label="Ivy Tester")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#messages")).to_contain_text(f"{request.reference} is assigned to Ivy")
    expect(page.locator("#request-head")).to_contain_text("assigned to Ivy Tester")
    expect(reply_box).to_have_value(DRAFT)

    page.get_by_label("Priority", exact=True).select_option(label="High")
    page.get_by_role("button", name="Change priority").click()
    expect(page.locator("#messages")).to_contain_text("Priority is now high.")
    expect(reply_box).to_have_value(DRAFT)

    page.get_by_role("button", name="Wait on supplier").click()
    expect(page.locator("#messages")).to_contain_text("“Waiting on supplier”")
    expect(page.locator("#history")).to_contain_text("Waiting on supplier")
    expect(reply_box).to_have_value(DRAFT)
    assert page.evaluate("window.sameDocument === true")

    # A reload (or a crash) brings the draft back from the tab's storage.
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    expect(page.get_by_label("Public reply")).to_have_value(DRAFT)

    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#messages")).to_contain_text("Reply sent.")
    expect(page.locator("#conversation .comment").first).to_contain_text("the new roller")
    expect(page.get_by_label("Public reply")).to_have_value("")
    changed = fresh(request)
    assert (changed.assignee, changed.priority) == (cast.ivy, "high")
    # A browser sends a textarea's line breaks as CR LF.
    assert Comment.objects.get(request=request).body.replace("\r\n", "\n") == DRAFT
    # Sent: a reload no longer brings it back.
    page.reload()
    expect(page.get_by_label("Public reply")).to_have_value("")


def test_an_internal_note_and_a_blocker_leave_the_reply_alone(cast, new_page):
    request = _ask(cast)
    blocker = _ask(cast, "Order a roller")
    page = new_page(cast.alex)
    page.goto(f"/work/requests/{request.reference}/")
    reply_box = page.get_by_label("Public reply")
    reply_box.fill("Almost done")

    page.get_by_label("Internal note").fill("Roller ordered.")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.locator("#conversation")).to_contain_text("Roller ordered.")
    expect(page.get_by_label("Internal note")).to_have_value("")

    # Enter in the blocker box adds the blocker; it never sends the reply.
    page.get_by_label("Blocked by request").fill(blocker.reference)
    page.get_by_label("Blocked by request").press("Enter")
    expect(page.locator("#dependencies")).to_contain_text(blocker.reference)
    expect(reply_box).to_have_value("Almost done")
    assert not Comment.objects.filter(is_public=True).exists()


def test_leaving_with_an_unsent_reply_asks_first(cast, new_page):
    request = _ask(cast)
    page = new_page(cast.alex)
    page.goto(f"/work/requests/{request.reference}/")
    page.get_by_label("Public reply").fill("Not sent yet")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)

    assert asked == ["beforeunload"]


def test_without_javascript_an_assignment_brings_the_reply_back(cast, browser, live_server):
    from tests.factories import TEST_PASSWORD

    request = _ask(cast)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/login/")
        page.get_by_label("Username").fill(cast.alex.user.username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        page.goto(f"/work/requests/{request.reference}/")

        page.get_by_label("Public reply").fill("Typed without scripts")
        page.get_by_label("Assignee").select_option(label="Ivy Tester")
        page.get_by_role("button", name="Assign", exact=True).click()

        expect(page.locator("#messages")).to_contain_text("is assigned to Ivy Tester")
        expect(page.get_by_label("Public reply")).to_have_value("Typed without scripts")
        page.get_by_role("button", name="Send reply").click()
        expect(page.locator("#messages")).to_contain_text("Reply sent.")
        assert fresh(request).assignee == cast.ivy
        assert Comment.objects.get(request=request).body == "Typed without scripts"
    finally:
        context.close()


def test_a_requesters_reply_survives_reopening(cast, new_page):
    request = _ask(cast)
    transition_request(actor=cast.alex, request=request, to=Status.RESOLVED)
    page = new_page(cast.rita)
    page.goto(f"/requests/{request.reference}/")
    page.get_by_label("Your reply").fill("It jams again on tray 2.")

    page.get_by_text("Not solved? Reopen it").click()
    page.get_by_label("What is still not right? (optional)").fill("Same problem")
    page.get_by_role("button", name="Reopen request").click()

    expect(page.locator("#messages")).to_contain_text("reopened")
    expect(page.locator("#request-summary")).to_contain_text("In progress")
    expect(page.get_by_label("Your reply")).to_have_value("It jams again on tray 2.")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#messages")).to_contain_text("Reply sent.")
    assert fresh(request).status == Status.IN_PROGRESS
