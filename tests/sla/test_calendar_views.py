"""A team's business calendar pages, among its lead's pages: hours, holidays, closed days."""

import pytest
from tests.conftest import client_for
from tests.factories import make_calendar

from inhouse.catalog.models import Agreement
from inhouse.sla.models import Calendar, ClosedDay

pytestmark = pytest.mark.django_db


def _manage(cast, path: str = "") -> str:
    return f"/catalog/manage/{cast.service_desk.slug}/{path}"


def test_bad_weekly_hours_show_a_form_error_and_change_nothing(cast):
    before = Calendar.objects.get(pk=cast.calendar.pk)

    response = client_for(cast.lena).post(
        _manage(cast, f"calendars/{cast.calendar.pk}/"),
        {"timezone": "Europe/Berlin", "hours_0": "9 to 5", "hours_1": "17:00-09:00"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Write opening hours as 09:00-17:00; separate several with commas." in html
    assert "17:00-09:00 ends before it starts." in html
    after = Calendar.objects.get(pk=cast.calendar.pk)
    assert (after.weekly_hours, after.timezone, after.updated_at) == (
        before.weekly_hours,
        before.timezone,
        before.updated_at,
    )


def test_calendar_form_saves_hours_and_holiday_region(cast):
    response = client_for(cast.lena).post(
        _manage(cast, f"calendars/{cast.calendar.pk}/"),
        {
            "timezone": "Europe/Berlin",
            "hours_0": "9:00-12:30, 13:30-17:30",
            "hours_4": "09:00-15:00",
            "holiday_country": "de",
            "holiday_subdivision": "by",
        },
    )

    assert response.status_code == 302
    calendar = Calendar.objects.get(pk=cast.calendar.pk)
    assert calendar.weekly_hours == {
        "0": [["09:00", "12:30"], ["13:30", "17:30"]],
        "4": [["09:00", "15:00"]],
    }
    assert (calendar.timezone, calendar.holiday_country, calendar.holiday_subdivision) == (
        "Europe/Berlin",
        "DE",
        "BY",
    )
    page = client_for(cast.lena).get(response["Location"]).content.decode()
    assert "Christmas Day" in page


def test_unknown_subdivision_is_a_form_error(cast):
    response = client_for(cast.lena).post(
        _manage(cast, f"calendars/{cast.calendar.pk}/"),
        {
            "timezone": "UTC",
            "hours_0": "09:00-17:00",
            "holiday_country": "DE",
            "holiday_subdivision": "XX",
        },  # fmt: skip
    )

    assert "Not a subdivision of DE." in response.content.decode()
    assert Calendar.objects.get(pk=cast.calendar.pk).holiday_country == ""


def test_closed_days_are_added_and_removed_from_the_calendar_page(cast):
    client = client_for(cast.lena)
    base = _manage(cast, f"calendars/{cast.calendar.pk}/")

    client.post(base + "closed-days/", {"date": "2099-05-02", "name": "Offsite"})
    closed = ClosedDay.objects.get()
    assert (str(closed.date), closed.name) == ("2099-05-02", "Offsite")
    assert "Offsite" in client.get(base).content.decode()

    client.post(base + f"closed-days/{closed.pk}/remove/")
    assert not ClosedDay.objects.exists()


def test_calendar_of_another_team_is_not_on_this_teams_pages(cast):
    elsewhere = make_calendar("Facilities only")
    Agreement.objects.filter(provider_team=cast.facilities).update(calendar=elsewhere)

    response = client_for(cast.ada).get(_manage(cast, f"calendars/{elsewhere.pk}/"))

    assert response.status_code == 404


def test_the_team_page_links_to_the_calendars_its_agreements_use(cast):
    html = client_for(cast.lena).get(_manage(cast)).content.decode()

    assert f'href="{_manage(cast, f"calendars/{cast.calendar.pk}/")}"' in html
