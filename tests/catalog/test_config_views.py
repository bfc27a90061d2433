"""The catalog pages and a lead's configuration pages, through the Django test client."""

import re

import pytest
from tests.conftest import client_for
from tests.factories import make_agreement, make_person, make_service

from inhouse.catalog.models import Agreement, FormField, Service, Visibility
from inhouse.catalog.selectors import services_visible_to
from inhouse.org.models import MembershipRole
from inhouse.sla.models import Calendar, ClosedDay

pytestmark = pytest.mark.django_db

NEW_SERVICE = {
    "name": "Monitor swap",
    "slug": "monitor-swap",
    "description": "A **bigger** screen.",
    "process_category": "support",
    "default_priority": "normal",
    "priority_from": "default",
    "standard_fields": ["customer_team", "requester"],
    "visibility": "everyone",
    "is_active": "on",
}


def _keys(service: Service) -> list[str]:
    return list(service.form_fields.order_by("position", "id").values_list("key", flat=True))


def _manage(cast, path: str = "") -> str:
    return f"/catalog/manage/{cast.service_desk.slug}/{path}"


# --- the catalog ---------------------------------------------------------------------


def test_catalog_groups_services_by_department_with_markers_and_times(cast):
    response = client_for(cast.hana).get("/catalog/")

    assert response.status_code == 200
    html = response.content.decode()
    # Departments in order, each team's services under it.
    assert html.index(">Facilities</h2>") < html.index(">HR</h2>") < html.index(">IT</h2>")
    assert "Workplace conflict mediation" in html
    assert "Confidential" in html
    # The everyone-agreement's normal-priority targets, in business time.
    assert (
        "First response within <strong>4 hours</strong> · resolved within <strong>1 day</strong>"
        in html
    )


def test_catalog_shows_the_agreement_that_applies_to_the_viewers_team(cast):
    make_agreement(
        cast.service_desk,
        cast.calendar,
        service=cast.printer,
        customer_team=cast.marketing,
        targets={"normal": (15, 90)},
    )

    rita_sees = client_for(cast.rita).get("/catalog/").content.decode()
    otto_sees = client_for(cast.otto).get("/catalog/").content.decode()

    assert "<strong>15 minutes</strong> · resolved within <strong>1½ hours</strong>" in rita_sees
    assert "<strong>15 minutes</strong>" not in otto_sees


def test_catalog_hides_services_the_viewer_may_not_request(cast):
    vault = make_service(cast.facilities, "Key vault", visibility=Visibility.RESTRICTED)
    vault.visible_to_teams.set([cast.finance])

    assert "Key vault" not in client_for(cast.rita).get("/catalog/").content.decode()
    assert "Key vault" in client_for(cast.otto).get("/catalog/").content.decode()
    assert client_for(cast.rita).get(f"/catalog/{vault.slug}/").status_code == 404


def test_catalog_page_query_count_does_not_grow_with_services(cast, django_assert_max_num_queries):
    for number in range(30):
        make_service(cast.facilities, f"Room {number}")
    client = client_for(cast.rita)
    client.get("/catalog/")  # the process's catalog snapshot is built once, not per page

    with django_assert_max_num_queries(12):
        response = client.get("/catalog/")

    assert response.content.decode().count('class="cfg-card"') == 34


def test_manage_links_only_for_those_who_can_manage(cast):
    lena_sees = client_for(cast.lena).get("/catalog/").content.decode()
    alex_sees = client_for(cast.alex).get("/catalog/").content.decode()

    assert _manage(cast) in lena_sees
    assert "/catalog/manage/" not in alex_sees


def test_service_page_shows_form_preview_targets_and_request_link(cast):
    response = client_for(cast.rita).get("/catalog/software-access/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Application") < html.index("Why do you need it?") < html.index("Seats")
    assert 'href="/services/software-access/request/"' in html
    assert "<td>4 hours</td><td>1 day</td>" in html
    assert "Edit service" not in html


# --- who may manage -------------------------------------------------------------------

MANAGE_GETS = [
    "",
    "services/new/",
    "services/printer/",
    "services/software-access/fields/seats/",
    "agreements/new/",
    "calendars/{calendar}/",
]


@pytest.mark.parametrize("who", ["alex", "rita", "fred_as_lead"])
def test_non_leads_get_404_on_every_manage_page(cast, who):
    person = (
        make_person("freda", team=cast.facilities, role=MembershipRole.LEAD)
        if who == "fred_as_lead"
        else getattr(cast, who)
    )
    client = client_for(person)

    for path in MANAGE_GETS:
        url = _manage(cast, path.format(calendar=cast.calendar.pk))
        assert client.get(url).status_code == 404, url


def test_a_lead_of_another_team_posting_changes_nothing(cast):
    freda = make_person("freda", team=cast.facilities, role=MembershipRole.LEAD)
    client = client_for(freda)
    agreement = Agreement.objects.get(provider_team=cast.service_desk)
    posts = {
        "services/new/": NEW_SERVICE,
        "services/printer/": NEW_SERVICE | {"slug": "printer", "name": "Hijacked"},
        "services/software-access/fields/": {"label": "Cost center", "kind": "text"},
        "services/software-access/fields/seats/move/": {"direction": "up"},
        "services/software-access/fields/seats/remove/": {},
        f"agreements/{agreement.pk}/deactivate/": {},
        f"calendars/{cast.calendar.pk}/": {"timezone": "UTC", "hours_0": "09:00-10:00"},
        f"calendars/{cast.calendar.pk}/closed-days/": {"date": "2030-05-02", "name": "Off"},
    }

    for path, data in posts.items():
        assert client.post(_manage(cast, path), data).status_code == 404, path

    assert not Service.objects.filter(slug="monitor-swap").exists()
    assert Service.objects.get(slug="printer").name == "Printer configuration"
    assert _keys(cast.software_access) == ["application", "justification", "needed_by", "seats"]
    assert Agreement.objects.get(pk=agreement.pk).is_active is True
    assert Calendar.objects.get(pk=cast.calendar.pk).weekly_hours["0"] == [["00:00", "24:00"]]
    assert not ClosedDay.objects.exists()


def test_manage_pages_need_a_login(client, cast):
    response = client.get(_manage(cast))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- a lead at work -------------------------------------------------------------------


def test_lead_creates_a_service_with_a_form_and_requesters_find_it(cast):
    client = client_for(cast.lena)

    created = client.post(_manage(cast, "services/new/"), NEW_SERVICE)
    added = client.post(
        _manage(cast, "services/monitor-swap/fields/"),
        {
            "label": "Screen size",
            "kind": "choice",
            "choices": "24 inch\n27 inch\n",
            "required": "on",
        },
    )

    assert created.status_code == 302
    assert created["Location"] == _manage(cast, "services/monitor-swap/#form-editor")
    assert added.status_code == 302
    service = services_visible_to(cast.rita).get(slug="monitor-swap")
    field = service.form_fields.get()
    assert (field.key, field.kind, field.choices, field.required) == (
        "screen_size",
        "choice",
        ["24 inch", "27 inch"],
        True,
    )
    catalog = client_for(cast.rita).get("/catalog/").content.decode()
    assert 'href="/catalog/monitor-swap/"' in catalog
    detail = client_for(cast.rita).get("/catalog/monitor-swap/").content.decode()
    assert "<strong>bigger</strong>" in detail
    assert "27 inch" in detail


def test_service_form_errors_come_back_on_the_form(cast):
    response = client_for(cast.lena).post(
        _manage(cast, "services/new/"), NEW_SERVICE | {"slug": "printer"}
    )

    assert response.status_code == 200
    assert "Another service already uses the address &#x27;printer&#x27;." in (
        response.content.decode()
    )
    assert Service.objects.count() == 4


def test_reserved_catalog_address_is_refused(cast):
    response = client_for(cast.lena).post(
        _manage(cast, "services/new/"), NEW_SERVICE | {"slug": "manage"}
    )

    assert "This address is taken by the catalog itself." in response.content.decode()
    assert not Service.objects.filter(slug="manage").exists()


def test_choice_field_without_choices_shows_the_error_in_the_editor(cast):
    response = client_for(cast.lena).post(
        _manage(cast, "services/printer/fields/"),
        {"label": "Colour", "kind": "choice", "choices": ""},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "A choice field needs at least one choice, one a line." in html
    assert "<html" not in html
    assert not FormField.objects.filter(service=cast.printer).exists()


def test_moving_a_field_with_htmx_returns_the_reordered_editor(cast):
    response = client_for(cast.lena).post(
        _manage(cast, "services/software-access/fields/seats/move/"),
        {"direction": "up"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index('id="field-seats"') < html.index('id="field-needed_by"')
    assert "Moved “Seats” to position 3 of 4." in html
    assert _keys(cast.software_access) == ["application", "justification", "seats", "needed_by"]


def test_moving_a_field_without_javascript_redirects_back(cast):
    response = client_for(cast.lena).post(
        _manage(cast, "services/software-access/fields/seats/move/"), {"direction": "top"}
    )

    assert response.status_code == 302
    assert response["Location"] == _manage(cast, "services/software-access/#form-editor")
    assert _keys(cast.software_access) == ["seats", "application", "justification", "needed_by"]


def test_editing_and_removing_a_field(cast):
    client = client_for(cast.lena)
    url = _manage(cast, "services/software-access/fields/seats/")

    client.post(url, {"label": "Licences", "kind": "number", "required": "on"})
    seats = FormField.objects.get(service=cast.software_access, key="seats")
    assert (seats.label, seats.required) == ("Licences", True)

    client.post(url + "remove/")
    assert _keys(cast.software_access) == ["application", "justification", "needed_by"]


def test_lead_saves_an_agreement_with_durations_and_obligations(cast):
    response = client_for(cast.lena).post(
        _manage(cast, "agreements/new/"),
        {
            "name": "Software for Marketing",
            "service": cast.software_access.pk,
            "customer_team": cast.marketing.pk,
            "calendar": cast.calendar.pk,
            "first_response_normal": "1h 30m",
            "resolution_normal": "8h",
            "first_response_urgent": "15",
            "resolution_urgent": "2h",
            "customer_obligations": ["justification"],
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    agreement = Agreement.objects.get(name="Software for Marketing")
    assert sorted(
        agreement.targets.values_list("priority", "first_response_minutes", "resolution_minutes")
    ) == [("normal", 90, 480), ("urgent", 15, 120)]
    assert agreement.customer_obligations == ["justification"]


def test_agreement_target_errors_are_shown_per_priority(cast):
    response = client_for(cast.lena).post(
        _manage(cast, "agreements/new/"),
        {
            "name": "Odd",
            "customer_team": cast.marketing.pk,
            "calendar": cast.calendar.pk,
            "first_response_high": "5h",
            "resolution_high": "1h",
            "first_response_low": "soon",
            "resolution_low": "2h",
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Write a duration like 45m, 4h or 1h 30m." in html
    assert not Agreement.objects.filter(name="Odd").exists()


def test_obligation_choices_follow_the_chosen_service(cast):
    response = client_for(cast.lena).get(
        _manage(cast, "agreements/obligations/"),
        {"service": cast.software_access.pk},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert 'value="justification"' in html
    assert "Software access" not in html


def test_agreement_can_be_deactivated(cast):
    agreement = Agreement.objects.get(provider_team=cast.service_desk)

    response = client_for(cast.lena).post(_manage(cast, f"agreements/{agreement.pk}/deactivate/"))

    assert response.status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).is_active is False


def test_agreement_page_shows_the_saved_targets_as_durations(cast):
    agreement = Agreement.objects.get(provider_team=cast.service_desk)

    html = client_for(cast.lena).get(_manage(cast, f"agreements/{agreement.pk}/")).content.decode()

    assert 'name="first_response_normal" id="id_first_response_normal" value="4h"' in html
    assert 'name="resolution_low" id="id_resolution_low" value="80h"' in html


def test_manage_entry_goes_straight_to_a_leads_only_team(cast):
    lena = client_for(cast.lena).get("/catalog/manage/")
    ada = client_for(cast.ada).get("/catalog/manage/")

    assert lena["Location"] == _manage(cast)
    assert ada.status_code == 200
    assert 'href="/catalog/manage/finance/"' in ada.content.decode()


# --- standard fields and number limits -----------------------------------------------------


def test_the_details_form_shows_and_saves_the_standard_fields_and_the_priority_rule(cast):
    client = client_for(cast.lena)
    url = _manage(cast, "services/printer/")

    page = client.get(url).content.decode()
    assert 'name="priority_from" value="impact_urgency"' in page
    assert 'name="standard_fields" value="external_ref"' in page
    response = client.post(
        url,
        NEW_SERVICE
        | {
            "name": "Printer configuration",
            "slug": "printer",
            "priority_from": "impact_urgency",
            "standard_fields": ["external_ref"],
        },
    )

    assert response.status_code == 302
    printer = Service.objects.get(pk=cast.printer.pk)
    assert printer.offered_fields == ["impact", "urgency", "external_ref"]
    again = client.get(url).content.decode()
    assert re.search(r'<input[^>]*name="priority_from" value="impact_urgency"[^>]*checked', again)


def test_a_lead_sets_number_limits_in_the_editor_and_sees_them(cast):
    client = client_for(cast.lena)
    url = _manage(cast, "services/software-access/fields/seats/")

    response = client.post(url, {"label": "Seats", "kind": "number", "min_value": "1"})
    assert response.status_code == 302
    seats = FormField.objects.get(service=cast.software_access, key="seats")
    assert (seats.min_value, seats.max_value) == (1, None)
    assert 'name="min_value" value="1"' in client.get(url).content.decode()
    editor = client.get(_manage(cast, "services/software-access/")).content.decode()
    assert "Number · at least 1" in editor


def test_number_limits_errors_come_back_on_the_editor(cast):
    response = client_for(cast.lena).post(
        _manage(cast, "services/software-access/fields/"),
        {"label": "Budget", "kind": "number", "min_value": "100", "max_value": "10"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert "The largest number allowed cannot be below the smallest." in html
    assert not FormField.objects.filter(key="budget").exists()


def test_the_api_shows_the_limits_and_the_standard_fields_of_a_service(cast):
    FormField.objects.filter(key="seats").update(min_value=1, max_value=25)
    Service.objects.filter(pk=cast.software_access.pk).update(priority_from="impact_urgency")
    client = client_for(cast.rita)

    detail = client.get("/api/v1/services/software-access").json()
    listed = client.get("/api/v1/services?q=software").json()

    seats = next(field for field in detail["form"] if field["key"] == "seats")
    assert (seats["min_value"], seats["max_value"]) == (1, 25)
    assert detail["priority_from"] == "impact_urgency"
    assert detail["offered_fields"] == ["impact", "urgency", "customer_team", "requester"]
    assert listed[0]["offered_fields"] == detail["offered_fields"]
