"""The search in a real browser: the home page finds a service by a plural and by a
choice on its form as one types, and suggests articles next to it; the results page
sections what it finds."""

import pytest
from playwright.sync_api import expect
from tests.web.conftest import screenshot

from inhouse.desk.services import add_comment, submit_request
from inhouse.knowledge.services.articles import create_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_requester_finds_a_service_by_a_plural_and_by_a_form_choice(cast, new_page):
    page = new_page(cast.rita)
    page.goto("/")
    results = page.locator("#service-results")

    page.get_by_label("Search the services").fill("printers")
    expect(results.get_by_role("heading", level=2)).to_have_text("Services matching “printers”")
    expect(results.get_by_role("link", name="Printer configuration")).to_be_visible()
    expect(results.get_by_role("link", name="Software access")).to_have_count(0)

    # "Figma" is only one of the choices on the software form.
    page.get_by_label("Search the services").fill("figma")
    expect(results.get_by_role("heading", level=2)).to_have_text("Services matching “figma”")
    expect(results.get_by_role("link", name="Printer configuration")).to_have_count(0)
    results.get_by_role("link", name="Software access").click()
    expect(page.get_by_role("heading", name="Software access", level=1)).to_be_visible()


def test_the_results_page_shows_a_section_per_kind_with_marked_snippets(cast, new_page):
    request = submit_request(
        actor=cast.rita, service=cast.printer, subject="Printer eats paper",
        description="The printer eats every second sheet",
    )  # fmt: skip
    add_comment(actor=cast.alex, request=request, body="Printers of this model jam often")
    page = new_page(cast.rita)
    page.goto("/")
    page.get_by_label("Search the services").fill("printer")
    page.get_by_role("link", name="Search requests, comments, articles, ideas, people").click()

    expect(page.get_by_role("heading", name="Services (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Requests (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(page.locator(".search-hit mark").first).to_be_visible()

    # htmx swaps the sections as one types; the address follows.
    page.get_by_label("Search everything").fill("jam")
    expect(page.get_by_role("heading", name="Comments (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Requests (1)")).to_have_count(0)
    screenshot(page, "search-results")


def test_typing_in_the_home_search_suggests_an_article_which_opens(cast, new_page):
    article = create_article(
        actor=cast.alex, team=cast.service_desk, title="Printer shows a paper jam",
        body="Open **tray 2** and pull the sheet out gently.", services=[cast.printer],
        publish=True,
    )  # fmt: skip
    page = new_page(cast.rita)
    page.goto("/")
    results = page.locator("#service-results")

    # A plural, as one types it: the article is suggested next to the service.
    page.get_by_label("Search the services").fill("jams")
    suggested = results.get_by_role("region", name="Articles that may answer “jams”")
    expect(suggested.get_by_role("link", name=article.title)).to_be_visible()
    expect(suggested.locator("mark").first).to_have_text("jam")
    screenshot(page, "home-article-suggestion")

    suggested.get_by_role("link", name=article.title).click()
    expect(page.get_by_role("heading", name=article.title, level=1)).to_be_visible()
    expect(page.locator(".rich strong")).to_have_text("tray 2")
