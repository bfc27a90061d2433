"""Rating from both sides in a real browser: the requester rates a resolved request on the
portal, and the agent rates how clear it was on the workspace page."""

import pytest
from playwright.sync_api import expect
from tests.desk.helpers import submit
from tests.factories import make_agreement
from tests.web.conftest import screenshot

from inhouse.desk.models import Notification, NotificationKind
from inhouse.desk.services import transition_request
from inhouse.feedback.models import ClarityRating, Rating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_requester_follows_the_invitation_and_rates_without_losing_her_reply(cast, new_page):
    request = transition_request(actor=cast.alex, request=submit(cast), to="resolved")
    assert Notification.objects.filter(
        recipient=cast.rita, kind=NotificationKind.RATE_REQUEST
    ).exists()
    page = new_page(cast.rita)
    page.goto(f"/requests/{request.reference}/")
    panel = page.locator("#rating-panel")
    expect(panel.get_by_role("heading", name="How did it go?")).to_be_visible()

    # Something typed in the reply box stays put while she rates (htmx swaps the panel only).
    page.get_by_label("Your reply").fill("One more question")
    panel.get_by_label("4").check()
    panel.get_by_label("Anything to add? (optional)").fill("Quick and friendly")
    panel.get_by_role("button", name="Send rating").click()
    expect(panel).to_contain_text("You rated it 4 out of 5.")
    expect(page.locator("#messages")).to_contain_text(f"Thank you for rating {request.reference}.")
    expect(page.get_by_label("Your reply")).to_have_value("One more question")
    screenshot(page, "portal-rating")

    # She changes her mind within the week.
    panel.get_by_label("5").check()
    panel.get_by_role("button", name="Update rating").click()
    expect(panel).to_contain_text("You rated it 5 out of 5.")
    rating = Rating.objects.get(request=request)
    assert (rating.score, rating.comment) == (5, "Quick and friendly")


def test_agent_sees_the_rating_and_rates_clarity_naming_what_was_missing(cast, new_page):
    make_agreement(
        cast.service_desk,
        cast.calendar,
        service=cast.software_access,
        customer_obligations=["justification", "needed_by"],
    )
    request = submit(
        cast,
        service=cast.software_access,
        subject="Figma",
        form_answers={"application": "Figma", "justification": "x", "needed_by": "2026-04-01"},
    )
    request = transition_request(actor=cast.alex, request=request, to="resolved")
    page = new_page(cast.alex)
    page.goto(f"/work/requests/{request.reference}/")
    panel = page.locator("#rating-panel")
    expect(panel).to_contain_text("Not rated yet.")

    page.get_by_label("Public reply").fill("Draft kept")
    panel.get_by_label("2", exact=True).check()
    panel.get_by_label("Why do you need it?").check()
    panel.get_by_role("button", name="Rate clarity").click()
    expect(panel.locator("#clarity-rating")).to_contain_text("Rated 2 / 5")
    expect(page.get_by_label("Public reply")).to_have_value("Draft kept")
    screenshot(page, "workspace-clarity")
    clarity = ClarityRating.objects.get(request=request)
    assert (clarity.score, clarity.missing_obligations, clarity.rated_by) == (
        2,
        ["justification"],
        cast.alex,
    )
