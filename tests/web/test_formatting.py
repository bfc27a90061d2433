"""How times and business durations read: the viewer's timezone, and plain words."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import client_for
from tests.desk.helpers import frozen_time, submit
from tests.factories import OFFICE_HOURS, ROUND_THE_CLOCK, make_person

from inhouse.catalog.models import Agreement
from inhouse.catalog.selectors import ExpectedTimes
from inhouse.core.middleware import ViewerTimezoneMiddleware
from inhouse.sla.models import Calendar
from inhouse.web.templatetags.inhouse_tags import (
    WHOLE_DAYS_FROM,
    business_duration,
    expected_times_words,
    moment,
    round_business_duration,
    say_duration,
)

EIGHT_HOUR_DAY = 8 * 60

# --- business durations in words ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 minutes"),
        (1, "1 minute"),
        (25, "25 minutes"),
        (59, "59 minutes"),
        (60, "1 working hour"),
        (90, "1½ working hours"),
        (100, "about 1½ working hours"),
        (140, "about 2½ working hours"),
        (240, "4 working hours"),
        (470, "about 1 working day"),
        (480, "1 working day"),
        (600, "about 1½ working days"),
        (960, "2 working days"),
        (1440, "3 working days"),
        (1700, "about 3½ working days"),
        (10 * 480, "10 working days"),
        (10 * 480 + 200, "about 10 working days"),
        (timedelta(hours=-3), "3 working hours"),
    ],
)
def test_a_business_duration_reads_in_the_calendars_working_hours_and_days(minutes, text):
    calendar = Calendar(weekly_hours=OFFICE_HOURS)
    assert business_duration(minutes, calendar) == text


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (45, "45 minutes"),
        (240, "4 hours"),
        (460, "about 7½ hours"),
        (1440, "1 day"),
        (2160, "1½ days"),
        (5000, "about 3½ days"),
    ],
)
def test_a_round_the_clock_calendar_counts_plain_hours_and_days(minutes, text):
    assert business_duration(minutes, Calendar(weekly_hours=ROUND_THE_CLOCK)) == text
    assert business_duration(minutes, None) == text


def test_nothing_to_say_is_said_as_nothing():
    assert business_duration(None, None) == ""
    assert business_duration("", None) == ""


day_lengths = st.integers(min_value=30, max_value=24 * 60)
durations = st.integers(min_value=0, max_value=400 * 24 * 60)


@given(day=day_lengths, minutes=durations, more=st.integers(min_value=0, max_value=10_000))
def test_a_longer_duration_never_reads_as_less(day, minutes, more):
    shorter = round_business_duration(minutes, day)
    longer = round_business_duration(minutes + more, day)
    assert shorter.twice_minutes <= longer.twice_minutes


@given(day=day_lengths, minutes=durations, working=st.booleans())
def test_a_duration_is_never_empty_and_says_about_exactly_when_it_rounds(day, minutes, working):
    rounded = round_business_duration(minutes, day)
    text = say_duration(rounded, working=working)
    assert text.strip()
    assert text.startswith("about ") == (not rounded.exact)
    assert rounded.exact == (rounded.twice_minutes == 2 * minutes)


@given(day=day_lengths, minutes=durations)
def test_rounding_stays_within_a_quarter_of_the_duration(day, minutes):
    rounded = round_business_duration(minutes, day)
    assert abs(rounded.twice_minutes - 2 * minutes) <= 2 * minutes / 4


@given(day=day_lengths, minutes=st.integers(min_value=0, max_value=59))
def test_under_an_hour_the_minutes_are_exact(day, minutes):
    if minutes < day:
        assert business_duration(minutes, day) == (
            "1 minute" if minutes == 1 else f"{minutes} minutes"
        )


@given(day=day_lengths, days=st.integers(min_value=1, max_value=3 * WHOLE_DAYS_FROM))
def test_whole_working_days_are_exact(day, days):
    text = business_duration(days * day, day)
    unit = "day" if days == 1 else "days"
    working = "" if day == 24 * 60 else "working "
    assert text == f"{days} {working}{unit}"


def test_negative_durations_and_days_are_refused_by_the_arithmetic():
    with pytest.raises(ValueError):
        round_business_duration(-1, EIGHT_HOUR_DAY)
    with pytest.raises(ValueError):
        round_business_duration(10, 0)


def test_expected_times_are_worded_in_one_sentence():
    calendar = Calendar(weekly_hours=OFFICE_HOURS)
    expected = ExpectedTimes(
        agreement=Agreement(calendar=calendar),
        priority="normal",
        first_response_minutes=240,
        resolution_minutes=960,
    )
    assert expected_times_words(expected) == (
        "First response within <strong>4 working hours</strong>"
        " · resolved within <strong>2 working days</strong>"
    )
    assert expected_times_words(None) == "No agreed times for your team."


# --- moments in the viewer's timezone ----------------------------------------------------------

WINTER = datetime(2026, 1, 15, 14, 30, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "moment_at", "text", "iso"),
    [
        ("America/New_York", WINTER, "Thu 15 Jan, 09:30 EST", "2026-01-15T09:30:00-05:00"),
        ("America/New_York", SUMMER, "Wed 15 Jul, 10:30 EDT", "2026-07-15T10:30:00-04:00"),
        ("Europe/Berlin", WINTER, "Thu 15 Jan, 15:30 CET", "2026-01-15T15:30:00+01:00"),
        ("Europe/Berlin", SUMMER, "Wed 15 Jul, 16:30 CEST", "2026-07-15T16:30:00+02:00"),
    ],
)
def test_a_moment_is_written_in_the_active_timezone_with_its_abbreviation(
    zone, moment_at, text, iso
):
    template = Template("{% load inhouse_tags %}{{ at|moment }}")
    with timezone.override(ZoneInfo(zone)):
        html = template.render(Context({"at": moment_at}))
    assert html == f'<time datetime="{iso}">{text}</time>'


def test_a_moment_can_carry_the_year_or_be_a_date_alone():
    with timezone.override(ZoneInfo("Europe/Berlin")):
        assert moment(timezone.localtime(WINTER), "year") == (
            '<time datetime="2026-01-15T15:30:00+01:00">Thu 15 Jan 2026, 15:30 CET</time>'
        )
        assert moment(timezone.localtime(WINTER), "day") == (
            '<time datetime="2026-01-15T15:30:00+01:00">15 Jan 2026</time>'
        )
    assert moment(None) == ""


def test_an_agent_in_new_york_sees_the_queue_in_eastern_time(cast):
    cast.alex.timezone = "America/New_York"
    cast.alex.save(update_fields=["timezone"])
    with frozen_time():
        request = submit(cast)
        html = client_for(cast.alex).get("/work/it-service-desk/").content.decode()
    # Filed Monday 2 March 2026 09:00 UTC on a round-the-clock day: due Tuesday 09:00 UTC.
    assert request.resolution_due_at == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert '<time datetime="2026-03-03T04:00:00-05:00">Tue 3 Mar, 04:00 EST</time>' in html


def test_a_requester_in_berlin_sees_her_requests_in_central_european_time(cast):
    with frozen_time():
        submit(cast)
        html = client_for(cast.rita).get("/requests/").content.decode()
    assert '<time datetime="2026-03-03T10:00:00+01:00">Tue 3 Mar, 10:00 CET</time>' in html


@pytest.mark.parametrize(
    ("zone", "active"), [("Asia/Kolkata", "Asia/Kolkata"), ("Not/AZone", "UTC")]
)
def test_the_middleware_activates_the_viewers_timezone_or_falls_back_to_utc(db, zone, active):
    person = make_person("tz-reader", timezone="UTC")
    # Written past the model's validation, as an old import could have left it.
    type(person).objects.filter(pk=person.pk).update(timezone=zone)
    request = RequestFactory().get("/")
    request.user = type(person).objects.get(pk=person.pk).user
    seen: list[str] = []

    def view(_request):
        seen.append(timezone.get_current_timezone_name())
        return HttpResponse()

    ViewerTimezoneMiddleware(view)(request)
    assert seen == [active]
