"""An agent works the queue in a real browser; the requester sees the outcome in theirs."""

import re

import pytest
from playwright.sync_api import expect
from tests.desk.helpers import fresh
from tests.web.conftest import screenshot

from inhouse.desk.models import Status
from inhouse.desk.services import submit_request, update_request
from inhouse.desk.services.workspace import create_canned_reply, save_view

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _ask(cast, subject: str, **options):
    return submit_request(actor=cast.rita, service=cast.printer, subject=subject, **options)


def test_agent_answers_with_a_canned_reply_and_resolves_and_the_requester_sees_it(cast, new_page):
    request = _ask(
        cast,
        "Printer on floor 3 jams",
        description="Every second page gets stuck in **tray 2**.",
    )
    _ask(cast, "Toner is low", priority="high")
    create_canned_reply(
        actor=cast.lena,
        team=cast.service_desk,
        title="Looking into it",
        body="Hi {requester_first_name}, {agent_name} from {team_name} is on {reference}.",
    )
    save_view(actor=cast.alex, team=cast.service_desk, name="Mine", query="assignee=me")
    page = new_page(cast.alex)

    page.goto("/work/")
    expect(page).to_have_url(re.compile(r"/work/it-service-desk/$"))
    row = page.locator("[data-ws-row]", has_text=request.reference)
    expect(row).to_contain_text("Printer on floor 3 jams")
    screenshot(page, "workspace-queue")

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Printer on floor 3 jams")
    page.get_by_label("Canned reply").select_option(label="Looking into it")
    page.get_by_role("button", name="Insert into reply").click()
    reply_box = page.get_by_label("Public reply")
    expected = f"Hi Rita, Alex Tester from IT Service Desk is on {request.reference}."
    expect(reply_box).to_have_value(expected)
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("#messages")).to_contain_text("Reply sent.")
    expect(page.locator("#conversation")).to_contain_text(expected)
    page.get_by_label("Internal note").fill("Roller is worn; a spare is in the cupboard.")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.locator("#conversation .ws-comment--internal")).to_contain_text(
        "Internal note – not visible to the requester"
    )
    screenshot(page, "workspace-request")

    page.get_by_label("Comment to the requester (optional)").fill("New roller fitted.")
    page.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.locator("#messages")).to_contain_text(f"{request.reference} is now “Resolved”.")
    expect(page.locator(".ws-clock--met").first).to_contain_text("Met")

    requester = new_page(cast.rita)
    requester.goto(f"/requests/{request.reference}/")
    expect(requester.get_by_text(expected)).to_be_visible()
    expect(requester.get_by_text("New roller fitted.")).to_be_visible()
    expect(requester.locator("#request-summary")).to_contain_text("Resolved")
    expect(requester.get_by_text("a spare is in the cupboard")).to_have_count(0)
    assert fresh(request).status == Status.RESOLVED


def test_a_stale_priority_change_is_caught_and_the_choice_kept(cast, new_page):
    request = _ask(cast, "Monitor flickers")
    page = new_page(cast.alex)
    page.goto(f"/work/requests/{request.reference}/")

    update_request(actor=cast.ivy, request=request, expected_version=None, priority="urgent")
    page.get_by_label("Priority", exact=True).select_option("low")
    page.get_by_role("button", name="Change priority").click()

    notice = page.locator("#stale-notice")
    expect(notice).to_contain_text("Someone else changed this request while you were editing")
    expect(notice).to_contain_text("Normal → Urgent")
    expect(notice).to_contain_text("Ivy Tester")
    expect(page.get_by_label("Priority", exact=True)).to_have_value("low")
    expect(notice).to_be_focused()
    assert fresh(request).priority == "urgent"
    screenshot(page, "workspace-stale")

    # Sending it again, knowing what changed, applies it.
    page.get_by_role("button", name="Change priority").click()
    expect(page.locator("#messages")).to_contain_text("Priority is now low.")
    assert fresh(request).priority == "low"


def test_queue_filters_swap_the_results_in_place_and_keys_move_the_selection(cast, new_page):
    high = [_ask(cast, f"High one {n}", priority="high") for n in range(2)]
    _ask(cast, "Normal one")
    _ask(cast, "Low one", priority="low")
    page = new_page(cast.alex)
    page.goto("/work/it-service-desk/")
    rows = page.locator("[data-ws-row]")
    expect(rows).to_have_count(4)

    page.get_by_role("checkbox", name="High", exact=True).check()

    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"\?priority=high$"))
    for row, request in zip(rows.all(), high, strict=True):
        expect(row).to_contain_text(request.reference)
        expect(row).to_contain_text("High")

    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    expect(rows.first).to_have_class(re.compile("ws-row--current"))
    page.keyboard.press("x")
    expect(rows.first.get_by_role("checkbox")).to_be_checked()
    page.keyboard.press("/")
    expect(page.get_by_label("Search")).to_be_focused()

    # The same address works as a plain page load, and can be kept as a view.
    page.reload()
    expect(rows).to_have_count(2)
    page.get_by_label("Save these filters as a view").fill("High ones")
    page.get_by_role("button", name="Save view").click()
    view = page.get_by_role("complementary").get_by_role("link", name="High ones")
    expect(view).to_have_attribute("aria-current", "true")
    expect(page.locator(".ws-view--active .ws-count")).to_have_text("2")


def test_a_confidential_hr_case_is_not_in_the_it_queue_and_is_404_for_alex(cast, new_page):
    case = submit_request(
        actor=cast.carl,
        service=cast.mediation,
        subject="Conflict with my manager",
        form_answers={"summary": "It keeps happening"},
    )
    _ask(cast, "Printer on floor 3 jams")
    page = new_page(cast.alex)

    page.goto("/work/it-service-desk/?open=any")
    expect(page.locator("[data-ws-row]")).to_have_count(1)
    expect(page.get_by_text(case.reference)).to_have_count(0)
    expect(page.get_by_text("Conflict with my manager")).to_have_count(0)

    response = page.goto(f"/work/requests/{case.reference}/")
    assert response.status == 404


def test_the_queue_on_a_phone(cast, new_page):
    for n, priority in enumerate(["urgent", "high", "normal"]):
        _ask(cast, f"Request number {n} from the phone test", priority=priority)
    page = new_page(cast.alex, viewport=PHONE)

    page.goto("/work/it-service-desk/")

    expect(page.locator("[data-ws-row]")).to_have_count(3)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    screenshot(page, "workspace-queue-phone")
