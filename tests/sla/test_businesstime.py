"""Business-time arithmetic: exact across DST, holidays, lunch breaks and long spans."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inhouse.sla.businesstime import BusinessCalendar

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {day: [(time(9), time(12, 30)), (time(13, 30), time(17, 30))] for day in range(5)}
ALWAYS = {day: [(time(0), time(0))] for day in range(7)}


def berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)


@pytest.fixture
def office() -> BusinessCalendar:
    return BusinessCalendar("Europe/Berlin", OFFICE, {date(2026, 12, 24), date(2026, 12, 25)})


def test_adding_a_whole_day_from_opening_ends_at_closing(office):
    assert office.add(berlin(2026, 11, 24, 9), timedelta(hours=7.5)) == berlin(2026, 11, 24, 17, 30)


def test_work_starts_at_the_next_opening(office):
    assert office.add(berlin(2026, 11, 24, 7), timedelta(hours=1)) == berlin(2026, 11, 24, 10)
    assert office.add(berlin(2026, 11, 24, 12, 45), timedelta(minutes=30)) == berlin(
        2026, 11, 24, 14
    )


def test_friday_evening_continues_on_monday(office):
    assert office.add(berlin(2026, 11, 27, 17), timedelta(hours=1)) == berlin(2026, 11, 30, 9, 30)


def test_holidays_inside_a_multi_day_target_are_skipped(office):
    # Wed 23 Dec 9:00 + 2 days of work: 24 and 25 are closed, 26-27 a weekend.
    assert office.add(berlin(2026, 12, 23, 9), timedelta(hours=15)) == berlin(2026, 12, 28, 17, 30)


def test_zero_work_returns_the_start_even_outside_hours(office):
    start = berlin(2026, 11, 28, 3)
    assert office.add(start, timedelta(0)) == start


def test_round_the_clock_days_last_23_and_25_hours_when_clocks_change():
    always = BusinessCalendar("Europe/Berlin", ALWAYS)
    spring = always.elapsed(berlin(2026, 3, 29), berlin(2026, 3, 30))
    autumn = always.elapsed(berlin(2026, 10, 25), berlin(2026, 10, 26))
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))


def test_office_hours_keep_their_length_across_dst(office):
    new_york = BusinessCalendar("America/New_York", {d: [(time(9), time(17))] for d in range(5)})
    start = datetime(2026, 3, 6, 16, tzinfo=ZoneInfo("America/New_York"))
    # Friday 16:00 + 2h: 1h Friday, 1h Monday after the spring change.
    assert new_york.add(start, timedelta(hours=2)) == datetime(
        2026, 3, 9, 10, tzinfo=ZoneInfo("America/New_York")
    )
    assert office.elapsed(berlin(2026, 3, 27, 9), berlin(2026, 3, 30, 17, 30)) == timedelta(
        hours=15
    )


def test_long_spans(office):
    start = berlin(2026, 1, 5, 9)
    end = office.add(start, timedelta(hours=200))
    assert office.elapsed(start, end) == timedelta(hours=200)
    assert end.tzinfo == UTC


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        BusinessCalendar("UTC", ALWAYS).add(datetime(2026, 1, 1), timedelta(hours=1))
    with pytest.raises(ValueError, match="negative"):
        BusinessCalendar("UTC", ALWAYS).add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=-1))
    with pytest.raises(ValueError, match="no working time"):
        BusinessCalendar("UTC", {})
    with pytest.raises(ValueError, match="overlap"):
        BusinessCalendar("UTC", {0: [(time(9), time(12)), (time(11), time(13))]})
    with pytest.raises(ValueError, match="Unknown timezone"):
        BusinessCalendar("Mars/Olympus", ALWAYS)


ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]


@st.composite
def calendars(draw) -> BusinessCalendar:
    weekly = {}
    for day in range(7):
        if draw(st.booleans()):
            start = draw(st.integers(0, 20))
            length = draw(st.integers(1, 24 - start))
            end = time(0) if start + length == 24 else time(start + length)
            intervals = [(time(start), end)]
            if start + length <= 20 and draw(st.booleans()):
                second = draw(st.integers(start + length + 1, 22))
                intervals.append((time(second), time(second + 1)))
            weekly[day] = intervals
    if not weekly:
        weekly[0] = [(time(9), time(17))]
    holidays = set(draw(st.lists(st.dates(date(2025, 1, 1), date(2031, 1, 1)), max_size=20)))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), weekly, holidays)


moments = st.datetimes(datetime(2026, 1, 1), datetime(2029, 12, 31), timezones=st.just(UTC))
works = st.timedeltas(timedelta(0), timedelta(days=20))


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, works)
def test_elapsed_undoes_add(calendar, start, work):
    assert calendar.elapsed(start, calendar.add(start, work)) == work


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, moments, moments)
def test_elapsed_is_additive_over_a_split_point(calendar, a, b, c):
    a, b, c = sorted([a, b, c])
    assert calendar.elapsed(a, c) == calendar.elapsed(a, b) + calendar.elapsed(b, c)


@settings(max_examples=150, deadline=None)
@given(calendars(), moments, works.filter(bool))
def test_result_is_never_outside_working_time(calendar, start, work):
    end = calendar.add(start, work)
    assert calendar.is_working_time(end) or calendar.is_working_time(
        end - timedelta(microseconds=1)
    )


@settings(max_examples=100, deadline=None)
@given(calendars(), moments, works, works)
def test_more_work_never_finishes_earlier(calendar, start, first, second):
    low, high = sorted([first, second])
    assert calendar.add(start, low) <= calendar.add(start, high)
