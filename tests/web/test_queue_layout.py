"""The queue fits the screen an agent has: two laptop sizes with the sidebar, and a phone.

Fitting means no horizontal scroll of the page and the table inside its column; on a
phone the secondary columns (requester, priority, assignee) give way so that the
reference, subject, status and due time stay readable.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.desk.helpers import frozen_time
from tests.web.conftest import screenshot

from inhouse.desk.services import submit_request, update_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIMARY = ("Request", "Status", "Resolution due")
SECONDARY = ("Requester", "Priority", "Assignee")


@pytest.fixture
def busy_queue(cast):
    """A queue at its widest: long subjects and names, assigned, breached and confidential."""
    cast.alex.timezone = "America/New_York"
    cast.alex.save(update_fields=["timezone"])
    cast.rita.full_name = "Rita Requester-Longname von Marketingabteilung"
    cast.rita.save(update_fields=["full_name"])
    # Filed four days ago: its one-day resolution target is long past.
    with frozen_time(timezone.now() - timedelta(days=4)):
        overdue = submit_request(
            actor=cast.rita,
            service=cast.software_access,
            subject="Licence for the statistical modelling package used by the forecasting team",
            form_answers={"application": "Salesforce", "justification": "Quarterly forecast"},
        )
    update_request(
        actor=cast.alex,
        request=overdue,
        expected_version=None,
        assignee=cast.ivy,
        priority="urgent",
    )
    for number in range(6):
        submit_request(
            actor=cast.rita,
            service=cast.printer,
            subject=f"Printer {number} on the third floor prints every page twice and jams",
        )
    return overdue


@pytest.mark.parametrize(
    ("width", "height", "hidden"),
    [
        (1280, 800, ()),
        (1366, 768, ()),
        # A small laptop window with the sidebar: the queue's column is narrower still.
        (1024, 768, ("Priority", "Assignee")),
        (390, 844, SECONDARY),
    ],
)
def test_the_queue_fits_the_screen_without_a_horizontal_scroll(
    cast, new_page, busy_queue, width, height, hidden
):
    page = new_page(cast.alex, viewport={"width": width, "height": height})
    page.goto("/work/it-service-desk/")
    table = page.locator(".ws-table")
    expect(table).to_be_visible()

    widths = page.evaluate(
        """() => {
            const table = document.querySelector('.ws-table');
            const box = table.parentElement.getBoundingClientRect();
            const own = table.getBoundingClientRect();
            return {
                page: document.documentElement.scrollWidth,
                viewport: window.innerWidth,
                table_left: own.left, table_right: own.right,
                box_left: box.left, box_right: box.right,
            };
        }"""
    )
    assert widths["page"] <= widths["viewport"], widths
    assert widths["table_left"] >= widths["box_left"] - 0.5, widths
    assert widths["table_right"] <= widths["box_right"] + 0.5, widths

    row = page.locator("[data-ws-row]", has_text=busy_queue.reference)
    expect(row.locator(".ws-ref")).to_be_visible()
    expect(row.locator(".ws-subject")).to_be_visible()
    expect(row.locator(".badge--new, .badge--in_progress").first).to_be_visible()
    expect(row.locator(".ws-col-due time")).to_be_visible()
    expect(row.locator(".ws-col-due time")).to_contain_text("EST")
    for column in SECONDARY:
        cell = row.locator(f'td[data-label="{column}"]')
        if column in hidden:
            expect(cell).to_be_hidden()
        else:
            expect(cell).to_be_visible()
    if width > 640:
        # A table with its headings (a phone shows cards, labelled per cell, instead).
        for column in PRIMARY:
            expect(page.get_by_role("columnheader", name=column, exact=True)).to_be_visible()
        expect(page.locator(".ws-sidebar")).to_be_visible()
    screenshot(page, f"queue-{width}x{height}")
