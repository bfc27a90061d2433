"""Being helped by an article: suggested on a service's form, read, voted helpful, and
counted as a deflection once the window passes without a request; the agent's picker."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.desk.helpers import submit
from tests.web.conftest import screenshot

from inhouse.desk.models import Request
from inhouse.knowledge.models import ArticleViewFromForm, ArticleVote, Deflection
from inhouse.knowledge.services.articles import create_article, settle_deflections

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _vpn_article(cast):
    return create_article(
        actor=cast.alex,
        team=cast.service_desk,
        title="VPN access without a ticket",
        body="Open **Self service** and choose *VPN*.",
        services=[cast.software_access],
        publish=True,
    )


def test_a_requester_helped_by_a_suggested_article_counts_as_a_deflection(cast, new_page):
    article = _vpn_article(cast)
    page = new_page(cast.rita)
    page.goto("/services/software-access/request/")
    page.get_by_label("Subject").fill("I need the vpn")
    # htmx asks for matching articles as the requester types.
    suggested = page.locator("#kb-suggestions").get_by_role("link", name=article.title)
    expect(suggested).to_be_visible()
    screenshot(page, "kb-suggestions")
    suggested.click()

    expect(page.get_by_role("heading", name=article.title, level=1)).to_be_visible()
    expect(page.locator(".rich strong")).to_have_text("Self service")
    page.get_by_role("button", name="Yes").click()
    expect(page.locator("#article-vote")).to_contain_text("1 found it helpful")
    screenshot(page, "kb-article")
    page.goto("/")  # leaves without asking

    assert ArticleVote.objects.get().helpful is True
    view = ArticleViewFromForm.objects.get()
    assert (view.person, view.service) == (cast.rita, cast.software_access)
    assert not Request.objects.exists()
    assert settle_deflections(now=timezone.now() + timedelta(minutes=31)) == 1
    deflection = Deflection.objects.get()
    assert (deflection.person, deflection.article, deflection.service) == (
        cast.rita,
        article,
        cast.software_access,
    )


def test_the_service_page_lists_its_articles_and_an_agent_links_one_in_a_reply(cast, new_page):
    article = _vpn_article(cast)
    request = submit(
        cast,
        service=cast.software_access,
        subject="VPN keeps dropping",
        form_answers={"application": "GitHub", "justification": "Remote work"},
    )
    requester_page = new_page(cast.rita)
    requester_page.goto("/catalog/software-access/")
    expect(
        requester_page.locator("#kb-service-articles").get_by_role("link", name=article.title)
    ).to_be_visible()

    page = new_page(cast.alex)
    page.goto(f"/work/requests/{request.reference}/")
    page.get_by_text("Link a knowledge article").click()
    page.get_by_placeholder("Article title").fill("vpn")
    page.locator("#kb-picker-results").get_by_role("button", name="Insert").click()
    expect(page.locator("#reply_body")).to_have_value(
        f"[{article.title}]({page.url.split('/work/')[0]}/kb/{article.slug}/)"
    )
