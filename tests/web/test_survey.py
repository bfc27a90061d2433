"""An invitee answers a relationship survey by its link, once: the second time is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.web.conftest import screenshot

from inhouse.feedback.models import SurveyAnswer, SurveyInvitation
from inhouse.feedback.services.surveys import schedule_survey, send_due_survey_notices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pick(page, name: str, value: int) -> None:
    page.locator(f'input[name="{name}"][value="{value}"]').check()


def test_invitee_answers_a_survey_by_its_link_and_is_refused_the_second_time(cast, new_page):
    today = timezone.now().date()
    survey = schedule_survey(
        actor=cast.lena,
        team=cast.service_desk,
        title="How are we doing?",
        opens_on=today,
        closes_on=today + timedelta(days=7),
        customer_team_ids=[cast.marketing.pk],
    )
    send_due_survey_notices(now=survey.opens_at)

    page = new_page(cast.rita)
    page.goto("/notifications/")
    expect(page.locator(".notification__text")).to_contain_text(
        "IT Service Desk asks how well it serves you"
    )
    page.goto("/surveys/")
    page.get_by_role("link", name="How are we doing?").click()
    expect(page.get_by_role("heading", name="How are we doing?", level=1)).to_be_visible()
    screenshot(page, "survey-answer")
    # Sent without a score: the form says so and keeps what was typed.
    page.get_by_label("Anything else they should hear?").fill("Quick and friendly.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    expect(page.get_by_label("Anything else they should hear?")).to_have_value(
        "Quick and friendly."
    )

    _pick(page, "recommend", 9)
    for driver in ("timeliness", "quality", "communication", "ease_of_asking"):
        _pick(page, driver, 4)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator("#messages")).to_contain_text("Thank you. Your answer is recorded")
    expect(page.get_by_text("answered, thank you")).to_be_visible()

    # Back to the form still in the browser's history, sent again: its token is spent.
    page.go_back()
    _pick(page, "recommend", 0)
    for driver in ("timeliness", "quality", "communication", "ease_of_asking"):
        _pick(page, driver, 1)
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("alert")).to_contain_text("You have already answered this survey")
    # Following the link again says the same, and offers no form.
    page.goto(f"/surveys/{survey.pk}/")
    expect(page.get_by_role("alert")).to_contain_text("You have already answered this survey")
    expect(page.get_by_role("button", name="Send my answer")).to_have_count(0)
    screenshot(page, "survey-answered")

    assert list(SurveyAnswer.objects.values_list("recommend", "comment")) == [
        (9, "Quick and friendly.")
    ]
    assert SurveyInvitation.objects.get(person=cast.rita).used is True
