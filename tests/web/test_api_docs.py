"""Every page works on a closed network: the API docs and the main pages load nothing
from any host but the desk's own."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from tests.desk.helpers import submit
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def record_foreign_requests(page: Page, own_origin: str) -> list[str]:
    """Refuses, and lists, every request the page makes to another host, as a closed
    network would; ``data:`` and ``blob:`` addresses never leave the browser."""
    foreign: list[str] = []

    def route(route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob"} or f"{parts.scheme}://{parts.netloc}" == own_origin:
            route.continue_()
            return
        foreign.append(url)
        route.abort()

    page.route("**/*", route)
    return foreign


def test_api_docs_draw_every_operation_from_the_desks_own_files(cast, new_page, live_server):
    page = new_page(cast.rita)
    foreign = record_foreign_requests(page, live_server.url)

    page.goto("/api/v1/docs")

    submit_operation = page.locator(".opblock-post", has_text="/api/v1/requests").first
    expect(submit_operation).to_be_visible()
    expect(submit_operation.locator(".opblock-summary-method")).to_have_text("POST")
    expect(page.locator(".opblock-get", has_text="/api/v1/services").first).to_be_visible()
    screenshot(page, "api-docs")
    assert foreign == []


def test_main_pages_request_nothing_from_another_host(cast, new_page, live_server):
    reference = submit(cast).reference
    pages_by_person = [
        (cast.rita, ["/", "/requests/", f"/requests/{reference}/", "/catalog/", "/org/"]),
        (cast.alex, ["/work/", "/work/it-service-desk/", f"/work/requests/{reference}/"]),
        (cast.lena, ["/catalog/manage/it-service-desk/"]),
    ]
    for person, addresses in pages_by_person:
        page = new_page(person)
        foreign = record_foreign_requests(page, live_server.url)
        for address in addresses:
            response = page.goto(address)
            page.wait_for_load_state("networkidle")
            assert response is not None and response.ok, address
        assert foreign == [], person.user.username
