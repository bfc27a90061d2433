"""Signing up for a training session in a browser, and giving the seat back."""

from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect
from tests.desk.helpers import START
from tests.web.conftest import screenshot

from inhouse.feedback.models import TrainingSignup
from inhouse.feedback.services.training import SessionDetails, schedule_training_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_requester_finds_a_session_for_their_team_and_signs_up(cast, new_page):
    soon = datetime.now(tz=START.tzinfo) + timedelta(days=3)
    session = schedule_training_session(
        actor=cast.lena,
        provider_team=cast.service_desk,
        details=SessionDetails(
            title="Asking IT well",
            starts_at=soon,
            ends_at=soon + timedelta(hours=1),
            capacity=12,
            place="Room 4.12",
            audience_teams=[cast.marketing],
        ),
    )
    page = new_page(cast.rita)
    page.goto("/")
    page.get_by_role("navigation", name="Primary").get_by_role("link", name="Training").click()
    row = page.locator(".training-row", has_text="Asking IT well")
    expect(row).to_contain_text("12 seats left")
    screenshot(page, "training-list")

    row.get_by_role("link", name="Asking IT well").click()
    seat = page.locator("#training-seat")
    seat.get_by_role("button", name="Sign up").click()

    expect(seat.get_by_role("status")).to_have_text(
        "You have a seat. We will remind you a day before."
    )
    expect(seat).to_contain_text("11 of 12 seats left.")
    screenshot(page, "training-session")
    assert TrainingSignup.objects.get().person == cast.rita

    seat.get_by_role("button", name="Give up my seat").click()
    expect(seat.get_by_role("button", name="Sign up")).to_be_visible()
    assert not TrainingSignup.objects.filter(session=session).exists()
