"""An agent hears of a new request in their team's queue and follows the notice to it."""

import re

import pytest
from playwright.sync_api import expect
from tests.web.conftest import screenshot

from inhouse.desk.models import NotificationPreference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_requesters_new_request_reaches_the_agent_through_the_bell(cast, new_page):
    requester = new_page(cast.rita)
    requester.goto("/services/printer/request/")
    requester.get_by_label("Subject").fill("Printer on floor 3 jams")
    requester.get_by_role("button", name="Submit request").click()
    expect(requester.locator("#messages")).to_have_text("Request IT-1000 submitted.")
    # The requester is not told of their own request.
    expect(requester.locator("#bell-count")).to_have_text("0")

    agent = new_page(cast.alex)
    agent.goto("/work/")
    expect(agent.locator("#bell-count")).to_have_text("1")
    agent.get_by_role("link", name=re.compile(r"Notifications:\s*1\s*unread")).click()
    notice = agent.locator(".notification--unread")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("New request IT-1000 from Rita Tester: Printer on floor 3 jams")
    screenshot(agent, "agent-notifications")

    notice.get_by_role("link", name=re.compile("New request IT-1000")).click()
    expect(agent).to_have_url(re.compile(r"/work/requests/IT-1000/$"))
    expect(agent.get_by_role("heading", level=1)).to_contain_text("Printer on floor 3 jams")


def test_an_agent_switches_new_requests_off_on_the_settings_page(cast, new_page):
    agent = new_page(cast.ivy)
    agent.goto("/notifications/")
    agent.get_by_role("link", name="Settings").click()
    expect(agent.get_by_role("heading", name="Notification settings")).to_be_visible()
    new_requests = agent.get_by_label("New request in your team's queue")
    expect(new_requests).to_be_checked()
    new_requests.uncheck()
    screenshot(agent, "agent-notification-settings")
    agent.get_by_role("button", name="Save settings").click()

    expect(agent.locator("#messages")).to_have_text("Your notification settings are saved.")
    expect(agent.get_by_label("New request in your team's queue")).not_to_be_checked()
    expect(agent.get_by_label("Assigned to you")).to_be_checked()
    assert NotificationPreference.objects.get(person=cast.ivy, kind="new_request").enabled is False
