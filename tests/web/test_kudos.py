"""Giving kudos in a browser: from a colleague's page (htmx swaps the panel in place) and
from a resolved request's page (a plain form choosing whom to thank)."""

import pytest
from playwright.sync_api import expect
from tests.desk.helpers import submit
from tests.web.conftest import screenshot

from inhouse.desk.models import Status
from inhouse.desk.services import transition_request
from inhouse.feedback.models import Kudos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_colleague_is_thanked_from_their_page_and_the_kudos_shows_at_once(cast, new_page):
    page = new_page(cast.rita)
    page.goto(f"/org/people/{cast.alex.pk}/")
    panel = page.locator("#kudos-panel")
    expect(panel).to_contain_text("No kudos yet.")

    panel.get_by_label("Thank Alex Tester").fill("Fixed the **printer** in minutes")
    panel.get_by_role("button", name="Send kudos").click()

    expect(panel.get_by_role("status")).to_have_text("Your kudos are on their way.")
    expect(panel.locator(".kudos-item")).to_contain_text("Fixed the printer in minutes")
    expect(panel.locator(".kudos-item strong")).to_have_text("printer")
    screenshot(page, "kudos-person-panel")
    assert Kudos.objects.get().recipient_person == cast.alex


def test_a_requester_thanks_the_team_from_a_resolved_request(cast, new_page):
    request = submit(cast, subject="Printer on floor 3 jams")
    transition_request(actor=cast.alex, request=request, to=Status.RESOLVED)
    page = new_page(cast.rita)
    page.goto(f"/requests/{request.reference}/")

    page.get_by_role("link", name="Say thanks").click()
    expect(page.get_by_role("heading", name="Send kudos")).to_be_visible()
    expect(page.get_by_label("IT Service Desk")).to_be_checked()
    page.get_by_label("Your thanks").fill("Back to printing, thank you all")
    page.get_by_role("button", name="Send kudos").click()

    expect(page).to_have_url(f"/org/teams/{cast.service_desk.slug}/")
    expect(page.locator("#kudos-panel .kudos-item")).to_contain_text(f"for {request.reference}")
    screenshot(page, "kudos-team-page")
    kudos = Kudos.objects.get()
    assert (kudos.recipient_team, kudos.request) == (cast.service_desk, request)


def test_a_lead_sees_the_teams_satisfaction_beside_its_kudos_and_shares_them_upward(
    cast, new_page, settings
):
    from inhouse.feedback.models import TeamKudosSetting
    from inhouse.feedback.services.ratings import rate_request

    settings.FEEDBACK_MIN_GROUP_SIZE = 1
    for score in (5, 4, 2):
        request = transition_request(actor=cast.alex, request=submit(cast), to=Status.RESOLVED)
        rate_request(actor=cast.rita, request=request, score=score)
    page = new_page(cast.lena)
    page.goto(f"/org/teams/{cast.service_desk.slug}/")

    satisfaction = page.locator("#team-satisfaction")
    expect(satisfaction).to_contain_text("CSAT, last 30 days")
    expect(satisfaction.locator("[data-span-days='30'] .csat-percent")).to_have_text("67%")
    expect(satisfaction).to_contain_text("No closed survey with enough answers to show.")
    expect(satisfaction.get_by_role("link", name="Relationship surveys")).to_be_visible()

    panel = page.locator("#kudos-panel")
    panel.get_by_label("Tell the team's manager about kudos to the team (weekly)").check()
    panel.get_by_role("button", name="Save").click()
    expect(panel.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator("#team-satisfaction")).to_be_visible()
    screenshot(page, "kudos-team-lead-satisfaction")
    assert TeamKudosSetting.objects.get(team=cast.service_desk).share_with_manager is True

    agent = new_page(cast.alex)
    agent.goto(f"/org/teams/{cast.service_desk.slug}/")
    expect(agent.locator("#kudos-panel")).to_be_visible()
    expect(agent.locator("#team-satisfaction")).to_have_count(0)
