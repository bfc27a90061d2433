"""A lead shapes a request form and an agreement; anyone browses the org chart."""

import pytest
from playwright.sync_api import expect
from tests.factories import make_person
from tests.web.conftest import screenshot

from inhouse.catalog.models import Agreement, FieldKind, FormField
from inhouse.org.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_adds_a_field_moves_it_to_the_top_and_requesters_see_it_first(cast, new_page):
    for position, (key, label) in enumerate([("printer_name", "Printer"), ("room", "Room")]):
        FormField.objects.create(
            service=cast.printer, key=key, label=label, kind=FieldKind.TEXT, position=position
        )
    page = new_page(cast.lena)

    page.goto("/catalog/manage/it-service-desk/")
    page.get_by_role("link", name="Printer configuration").first.click()
    editor = page.locator("#form-editor")
    editor.get_by_label("Label", exact=True).fill("Cost center")
    editor.get_by_label("Kind", exact=True).select_option("text")
    editor.get_by_label("Required", exact=True).check()
    editor.get_by_role("button", name="Add field").click()
    expect(editor.get_by_role("status")).to_have_text("Added “Cost center” at the end of the form.")
    rows = editor.locator(".cfg-fieldrow")
    expect(rows).to_have_count(3)

    editor.get_by_role("button", name="Move “Cost center” up").click()
    expect(rows.nth(1)).to_contain_text("Cost center")
    editor.get_by_role("button", name="Move “Cost center” up").click()
    expect(rows.first).to_contain_text("Cost center")
    expect(editor.get_by_role("status")).to_have_text("Moved “Cost center” to position 1 of 3.")
    # htmx swapped the list in place; the button keeps focus for the next move.
    expect(editor.get_by_role("button", name="Move “Cost center” down")).to_be_visible()
    screenshot(page, "config-service-form")

    assert list(cast.printer.form_fields.order_by("position").values_list("key", flat=True)) == [
        "cost_center",
        "printer_name",
        "room",
    ]
    requester = new_page(cast.rita)
    requester.goto("/services/printer/request/")
    asked = requester.locator('main form [name^="answer_"]')
    assert asked.evaluate_all("inputs => inputs.map(input => input.name)") == [
        "answer_cost_center",
        "answer_printer_name",
        "answer_room",
    ]


def test_lead_sets_up_an_agreement_for_one_customer_team(cast, new_page):
    page = new_page(cast.lena)

    page.goto("/catalog/manage/it-service-desk/agreements/new/?service=software-access")
    page.get_by_label("Name").fill("Software access for Marketing")
    page.get_by_label("Customer team").select_option(label="Marketing")
    page.get_by_label("Normal: first response").fill("1h")
    page.get_by_label("Normal: resolution").fill("1h 30m")
    page.get_by_label("Urgent: first response").fill("15m")
    page.get_by_label("Urgent: resolution").fill("2h")
    page.get_by_label("Why do you need it? (justification)").check()
    screenshot(page, "config-agreement")
    page.get_by_role("button", name="Create agreement").click()

    expect(page.get_by_role("status").first).to_contain_text("Software access for Marketing")
    agreement = Agreement.objects.get(name="Software access for Marketing")
    assert (agreement.service, agreement.customer_team) == (cast.software_access, cast.marketing)
    assert agreement.customer_obligations == ["justification"]
    assert sorted(agreement.targets.values_list("priority", "first_response_minutes")) == [
        ("normal", 60),
        ("urgent", 15),
    ]


def test_browsing_the_org_chart_to_a_person(cast, new_page):
    boss = make_person("bea", team=cast.it, job_title="Head of IT")
    Person.objects.filter(pk__in=[cast.lena.pk, cast.alex.pk]).update(manager=boss)
    page = new_page(cast.rita)

    page.goto("/org/")
    it_department = page.locator("li.org-node", has_text="IT Service Desk").first
    it_department.locator("summary", has_text="IT Service Desk").click()
    lena = page.get_by_role("link", name="Lena Tester")
    expect(lena).to_be_visible()
    screenshot(page, "org-chart")

    lena.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lena Tester")
    expect(page.get_by_role("link", name="Bea Tester")).to_be_visible()
    expect(page.get_by_role("link", name="IT Service Desk")).to_be_visible()
    screenshot(page, "org-person")

    page.goto("/org/people/")
    page.get_by_label("Find a person").press_sequentially("bea")
    expect(page.locator("#people-results")).to_contain_text("Head of IT")
    page.locator("#people-results").get_by_role("link", name="Bea Tester").click()
    expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    expect(page.get_by_role("link", name="Alex Tester")).to_be_visible()
