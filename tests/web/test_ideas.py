"""A colleague votes for an idea on the list, sees the count move in place, and takes
the vote back; without JavaScript the same button is a form that comes back to the list."""

import re

import pytest
from playwright.sync_api import expect
from tests.web.conftest import screenshot

from inhouse.knowledge.models.ideas import Idea, IdeaVote
from inhouse.knowledge.services.ideas import propose_idea, vote_for_idea

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _ideas(cast) -> tuple[Idea, Idea]:
    clinic = propose_idea(
        actor=cast.rita,
        title="Walk-in laptop clinic on Tuesdays",
        body="A fixed hour each week.",
        owning_team=cast.service_desk,
    )
    glossary = propose_idea(
        actor=cast.otto, title="A shared glossary of team names", body="", owning_team=None
    )
    vote_for_idea(actor=cast.otto, idea=glossary)
    vote_for_idea(actor=cast.rita, idea=glossary)
    return clinic, glossary


def test_voting_for_an_idea_and_taking_the_vote_back(cast, new_page):
    clinic, glossary = _ideas(cast)
    page = new_page(cast.carl)
    page.goto("/")
    page.get_by_role("link", name="Ideas", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ideas")
    # Most votes first: the glossary (2 votes) comes before the clinic (none yet).
    rows = page.locator(".idea-row")
    expect(rows.first).to_contain_text("A shared glossary of team names")
    row = rows.filter(has_text="Walk-in laptop clinic")
    expect(row.locator(".vote__count")).to_have_text("0 votes")

    row.get_by_role("button", name=re.compile("^Vote")).click()
    expect(row.locator(".vote__count")).to_have_text("1 vote")
    expect(row.get_by_role("button", name=re.compile("^Remove my vote"))).to_be_visible()
    screenshot(page, "ideas-voted")
    assert list(IdeaVote.objects.filter(idea=clinic).values_list("person", flat=True)) == [
        cast.carl.pk
    ]

    # The vote is kept: a fresh load of the idea shows it.
    page.get_by_role("link", name="Walk-in laptop clinic on Tuesdays").click()
    expect(page.locator(f"#vote-count-{clinic.pk}")).to_have_text("1 vote")
    screenshot(page, "idea-detail")
    page.get_by_role("button", name=re.compile("^Remove my vote")).click()
    expect(page.locator(f"#vote-count-{clinic.pk}")).to_have_text("0 votes")
    expect(page.get_by_role("button", name=re.compile("^Vote"))).to_be_visible()
    assert Idea.objects.get(pk=clinic.pk).vote_count == 0
    assert Idea.objects.get(pk=glossary.pk).vote_count == 2


def test_voting_without_javascript_comes_back_to_the_list(cast, browser, live_server):
    from tests.factories import TEST_PASSWORD

    clinic, _ = _ideas(cast)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill(cast.carl.user.username)
        page.get_by_label("Password").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto("/ideas/?sort=recent")
        row = page.locator(".idea-row").filter(has_text="Walk-in laptop clinic")
        row.get_by_role("button", name=re.compile("^Vote")).click()
        expect(page).to_have_url(re.compile(r"/ideas/\?sort=recent$"))
        expect(
            page.locator(".idea-row")
            .filter(has_text="Walk-in laptop clinic")
            .locator(".vote__count")
        ).to_have_text("1 vote")
        assert Idea.objects.get(pk=clinic.pk).vote_count == 1
    finally:
        context.close()
