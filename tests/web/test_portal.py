"""A requester asks for a service, follows it to the end, and cannot see what is not theirs."""

import pytest
from playwright.sync_api import expect
from tests.desk.helpers import submit
from tests.factories import make_service
from tests.web.conftest import screenshot

from inhouse.catalog.models import FieldKind
from inhouse.desk.models import Request, Status
from inhouse.desk.services import add_comment, transition_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_requester_finds_a_service_fixes_a_refused_answer_and_submits(cast, new_page):
    page = new_page(cast.rita)
    page.goto("/")
    expect(page.get_by_role("heading", name="What do you need?")).to_be_visible()
    screenshot(page, "portal-home")

    page.get_by_label("Search the services").fill("software")
    # htmx swaps in the matching services as the requester types.
    results = page.locator("#service-results")
    expect(results.get_by_role("heading", level=2)).to_have_text("Services matching “software”")
    expect(results.get_by_role("link", name="Printer configuration")).to_have_count(0)
    results.get_by_role("link", name="Software access").click()

    expect(page.get_by_role("heading", name="Software access", level=1)).to_be_visible()
    page.get_by_label("Subject").fill("Figma for the spring campaign")
    page.get_by_label("Why do you need it?").fill("We design the visuals in it.")
    application = page.get_by_label("Application")
    # Without the browser's own check, the service's validation answers.
    application.evaluate("select => select.removeAttribute('required')")
    page.get_by_role("button", name="Submit request").click()

    error = page.locator("#id_answer_application_error")
    expect(error).to_have_text("This field is required.")
    expect(application).to_have_attribute("aria-describedby", "id_answer_application_error")
    expect(page.get_by_label("Subject")).to_have_value("Figma for the spring campaign")
    expect(page.get_by_label("Why do you need it?")).to_have_value("We design the visuals in it.")
    screenshot(page, "portal-request-form")

    application.select_option("Figma")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("#messages")).to_have_text("Request IT-1000 submitted.")
    expect(page.get_by_role("heading", name="Figma for the spring campaign")).to_be_visible()
    assert Request.objects.get().form_answers["application"] == "Figma"

    page.get_by_role("navigation", name="Primary").get_by_role("link", name="My requests").click()
    row = page.locator(".request-row", has_text="IT-1000")
    expect(row).to_contain_text("Figma for the spring campaign")
    expect(row).to_contain_text("New")
    screenshot(page, "portal-my-requests")


def test_requester_names_a_colleague_by_typing_and_the_search_suggests_them(cast, new_page):
    make_service(
        cast.service_desk,
        "Laptop for a newcomer",
        slug="newcomer-laptop",
        fields=[
            {"key": "newcomer", "label": "Newcomer", "kind": FieldKind.PERSON, "required": True}
        ],
    )
    page = new_page(cast.rita)
    page.goto("/services/newcomer-laptop/request/")
    page.get_by_label("Subject").fill("A laptop for Carl")
    newcomer = page.get_by_label("Newcomer")
    newcomer.press_sequentially("carl")
    # htmx filled the box's suggestions from the people search while typing.
    suggestion = page.locator("#id_answer_newcomer-choices option")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_have_attribute("value", cast.carl.email)
    expect(suggestion).to_contain_text(cast.carl.full_name)
    # Choosing a suggestion puts its value in the box (the browser's own list does that).
    newcomer.fill(cast.carl.email)
    page.get_by_role("button", name="Submit request").click()

    expect(page.locator("#messages")).to_have_text("Request IT-1000 submitted.")
    assert Request.objects.get().form_answers == {"newcomer": cast.carl.pk}
    expect(page.locator("dd", has_text=cast.carl.full_name)).to_be_visible()


def test_requester_reads_the_reply_answers_and_reopens_the_resolution(cast, new_page):
    request = submit(cast, service=cast.printer, subject="Printer on floor 3 jams")
    add_comment(actor=cast.alex, request=request, body="Which tray? **Please** check.")
    transition_request(actor=cast.alex, request=request, to=Status.WAITING_ON_CUSTOMER)
    page = new_page(cast.rita)
    page.goto(f"/requests/{request.reference}/")

    expect(page.get_by_role("note")).to_contain_text("Waiting on you")
    screenshot(page, "portal-request-waiting")
    conversation = page.locator("#conversation")
    expect(conversation.locator(".comment").first).to_contain_text("Which tray? Please check.")
    page.get_by_label("Your reply").fill("The lower tray.")
    page.get_by_role("button", name="Send reply").click()
    # htmx put the reply and the new status in place, without a page load.
    expect(conversation.locator(".comment")).to_have_count(2)
    expect(page.locator("#request-summary .badge")).to_have_text("Status: In progress")
    expect(page.get_by_label("Your reply")).to_have_value("")
    expect(page.get_by_label("Your reply")).to_be_focused()

    transition_request(
        actor=cast.alex, request=request, to=Status.RESOLVED, comment="New rollers fitted."
    )
    page.reload()
    expect(page.locator("#request-summary .badge")).to_have_text("Status: Resolved")
    expect(conversation).to_contain_text("New rollers fitted.")
    screenshot(page, "portal-request")

    page.get_by_text("Not solved? Reopen it").click()
    page.get_by_label("What is still not right? (optional)").fill("It jams again.")
    page.get_by_role("button", name="Reopen request").click()
    expect(page.locator("#messages")).to_have_text(f"Request {request.reference} reopened.")
    expect(page.locator("#request-summary .badge")).to_have_text("Status: In progress")
    assert Request.objects.get(pk=request.pk).status == Status.IN_PROGRESS


def test_a_confidential_request_is_not_found_for_a_colleague(cast, new_page):
    hidden = submit(
        cast,
        service=cast.mediation,
        subject="Conflict with my manager",
        form_answers={"summary": "It started in March."},
    )
    page = new_page(cast.carl)
    response = page.goto(f"/requests/{hidden.reference}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="We could not find that page")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("Conflict with my manager")


def test_home_fits_a_phone(cast, new_page):
    submit(cast, service=cast.printer, subject="Printer on floor 3 jams")
    page = new_page(cast.rita, viewport={"width": 390, "height": 844})
    page.goto("/")
    expect(page.get_by_role("heading", name="What do you need?")).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "portal-home-phone")
