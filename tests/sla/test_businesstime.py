"""Business-time arithmetic: exact across DST, holidays, lunch breaks and long spans.

Unit cases pin down the behaviour on hand-checked dates; property tests check the
algebra (``add`` and ``elapsed`` undo each other, ``elapsed`` is additive, ``add``
is monotonic and lands in working time) on generated calendars. The wall-clock
contract itself is checked against a brute-force reference that walks real time
slot by slot and judges each slot by the wall-clock time it shows, never by
instants derived from interval edges: over half-hour slots on long spans, and
minute by minute around clock changes of one hour, half an hour and a whole day.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inhouse.sla.businesstime import BusinessCalendar

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE_HOURS = {day: [(time(9), time(12, 30)), (time(13, 30), time(17, 30))] for day in range(5)}
NINE_TO_FIVE = {day: [(time(9), time(17))] for day in range(5)}
ROUND_THE_CLOCK = {day: [(time(0), time(0))] for day in range(7)}
CHRISTMAS_EVE_AND_DAY = {date(2026, 12, 24), date(2026, 12, 25)}
MICROSECOND = timedelta(microseconds=1)


def berlin(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)


def new_york(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NEW_YORK)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def office() -> BusinessCalendar:
    """Berlin, Monday to Friday 09:00-12:30 and 13:30-17:30 (7.5 h a day)."""
    return BusinessCalendar("Europe/Berlin", OFFICE_HOURS, CHRISTMAS_EVE_AND_DAY)


# --- add -----------------------------------------------------------------------------------


def test_work_inside_hours_runs_on_the_same_interval(office: BusinessCalendar) -> None:
    """Tuesday 10:00 + 2 h is 12:00, and the result is a UTC datetime."""
    end = office.add(berlin(2026, 11, 24, 10), timedelta(hours=2))
    assert end == berlin(2026, 11, 24, 12)
    assert end.tzinfo is UTC


def test_work_spanning_lunch_resumes_after_the_break(office: BusinessCalendar) -> None:
    """Tuesday 10:00 + 3 h: 2.5 h until lunch, the last half hour from 13:30."""
    assert office.add(berlin(2026, 11, 24, 10), timedelta(hours=3)) == berlin(2026, 11, 24, 14)


def test_work_starting_before_opening_counts_from_opening(office: BusinessCalendar) -> None:
    """Tuesday 07:00 + 1 h is 10:00."""
    assert office.add(berlin(2026, 11, 24, 7), timedelta(hours=1)) == berlin(2026, 11, 24, 10)


def test_work_starting_at_lunch_counts_from_the_afternoon(office: BusinessCalendar) -> None:
    """Tuesday 12:45 + 30 min is 14:00; 12:30 sharp is already lunch."""
    assert office.add(berlin(2026, 11, 24, 12, 45), timedelta(minutes=30)) == berlin(
        2026, 11, 24, 14
    )
    assert office.add(berlin(2026, 11, 24, 12, 30), timedelta(minutes=30)) == berlin(
        2026, 11, 24, 14
    )


def test_friday_evening_continues_on_monday(office: BusinessCalendar) -> None:
    """Friday 17:00 + 1 h: 30 min on Friday, 30 on Monday; Friday 18:00 + 1 h is Monday 10:00."""
    assert office.add(berlin(2026, 11, 27, 17), timedelta(hours=1)) == berlin(2026, 11, 30, 9, 30)
    assert office.add(berlin(2026, 11, 27, 18), timedelta(hours=1)) == berlin(2026, 11, 30, 10)


def test_a_whole_day_from_opening_ends_at_closing_that_day(office: BusinessCalendar) -> None:
    """The result is the earliest moment the work is done: 17:30, not 09:00 the next day."""
    assert office.add(berlin(2026, 11, 24, 9), timedelta(hours=7.5)) == berlin(2026, 11, 24, 17, 30)


def test_work_ending_at_lunch_ends_at_the_start_of_lunch(office: BusinessCalendar) -> None:
    """Tuesday 09:00 + 3.5 h is 12:30, the end of the morning interval."""
    assert office.add(berlin(2026, 11, 24, 9), timedelta(hours=3.5)) == berlin(2026, 11, 24, 12, 30)


def test_holidays_inside_a_three_day_target_are_skipped(office: BusinessCalendar) -> None:
    """Wednesday 23 Dec 09:00 + 3 days (22.5 h): 24-25 Dec are holidays, 26-27 a weekend."""
    assert office.add(berlin(2026, 12, 23, 9), timedelta(hours=22.5)) == berlin(
        2026, 12, 29, 17, 30
    )


def test_several_intervals_per_day_are_filled_in_order() -> None:
    """08-10, 11-13 and 14-16: 09:30 + 3 h takes 30 min, 2 h, then 30 min after 14:00."""
    calendar = BusinessCalendar(
        "Europe/Berlin",
        {
            day: [(time(14), time(16)), (time(8), time(10)), (time(11), time(13))]
            for day in range(5)
        },
    )
    assert calendar.add(berlin(2026, 11, 24, 9, 30), timedelta(hours=3)) == berlin(
        2026, 11, 24, 14, 30
    )


def test_two_hundred_business_hours_span_five_weeks_and_more(office: BusinessCalendar) -> None:
    """Monday 5 Jan 09:00 + 200 h: five 37.5 h weeks, then Monday and 5 h of Tuesday 10 Feb."""
    start = berlin(2026, 1, 5, 9)
    end = office.add(start, timedelta(hours=200))
    assert end == berlin(2026, 2, 10, 15)
    assert office.elapsed(start, end) == timedelta(hours=200)


def test_a_multi_month_span_crosses_holidays_and_dst_exactly(office: BusinessCalendar) -> None:
    """From Monday 5 Jan, 100 working days (20 weeks) end on Friday 22 May at closing time."""
    start = berlin(2026, 1, 5, 9)
    # The spring DST change falls in the span; office hours keep their length.
    assert office.add(start, timedelta(hours=7.5 * 100)) == berlin(2026, 5, 22, 17, 30)


def test_work_is_exact_to_the_microsecond(office: BusinessCalendar) -> None:
    """One microsecond of work at 09:00 ends at 09:00:00.000001."""
    assert office.add(berlin(2026, 11, 24, 9), MICROSECOND) == berlin(2026, 11, 24, 9, 0, 0, 1)
    assert office.add(berlin(2026, 11, 24, 12, 29, 59, 999_999), 2 * MICROSECOND) == berlin(
        2026, 11, 24, 13, 30, 0, 1
    )


def test_adding_no_work_returns_the_start_even_outside_hours(office: BusinessCalendar) -> None:
    """Saturday 03:00 + 0 is Saturday 03:00, in UTC."""
    end = office.add(berlin(2026, 11, 28, 3), timedelta(0))
    assert end == berlin(2026, 11, 28, 3)
    assert end.tzinfo is UTC


def test_start_in_any_timezone_means_the_same_moment(office: BusinessCalendar) -> None:
    """A start given in New York time is the same instant as in Berlin time."""
    start = berlin(2026, 11, 24, 10)
    assert office.add(start.astimezone(NEW_YORK), timedelta(hours=2)) == office.add(
        start, timedelta(hours=2)
    )


# --- DST -----------------------------------------------------------------------------------


def test_office_hours_keep_their_length_across_the_spring_change() -> None:
    """Berlin 9-17, Friday 27 Mar 16:00 + 2 h is Monday 30 Mar 10:00 CEST (08:00 UTC)."""
    calendar = BusinessCalendar("Europe/Berlin", NINE_TO_FIVE)
    assert calendar.add(berlin(2026, 3, 27, 16), timedelta(hours=2)) == utc(2026, 3, 30, 8)
    assert calendar.elapsed(berlin(2026, 3, 27, 9), berlin(2026, 3, 30, 17)) == timedelta(hours=16)


def test_office_hours_keep_their_length_across_the_autumn_change() -> None:
    """Berlin 9-17, Friday 23 Oct 16:00 + 2 h is Monday 26 Oct 10:00 CET (09:00 UTC)."""
    calendar = BusinessCalendar("Europe/Berlin", NINE_TO_FIVE)
    assert calendar.add(berlin(2026, 10, 23, 16), timedelta(hours=2)) == utc(2026, 10, 26, 9)


def test_new_york_office_hours_across_both_changes() -> None:
    """New York 9-17: 6 Mar 16:00 EST + 2 h is 9 Mar 10:00 EDT;
    30 Oct 16:00 EDT + 2 h is 2 Nov 10:00 EST."""
    calendar = BusinessCalendar("America/New_York", NINE_TO_FIVE)
    assert calendar.add(new_york(2026, 3, 6, 16), timedelta(hours=2)) == utc(2026, 3, 9, 14)
    assert calendar.add(new_york(2026, 10, 30, 16), timedelta(hours=2)) == utc(2026, 11, 2, 15)


@pytest.mark.parametrize(
    ("timezone", "spring_day", "autumn_day"),
    [
        ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ],
)
def test_round_the_clock_days_last_23_and_25_hours_when_clocks_change(
    timezone: str, spring_day: date, autumn_day: date
) -> None:
    """00:00-24:00 every day: the spring DST day has 23 h of work, the autumn one 25 h."""
    calendar = BusinessCalendar(timezone, ROUND_THE_CLOCK)
    zone = ZoneInfo(timezone)

    def local_midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=zone)

    for day, hours in [(spring_day, 23), (autumn_day, 25)]:
        midnight, next_midnight = local_midnight(day), local_midnight(day + timedelta(days=1))
        assert calendar.elapsed(midnight, next_midnight) == timedelta(hours=hours)
        assert calendar.add(midnight, timedelta(hours=hours)) == next_midnight
        # Round the clock, business time is real time (hence the sum in UTC, not wall-clock).
        real_day_later = midnight.astimezone(UTC) + timedelta(hours=24)
        assert calendar.add(midnight, timedelta(hours=24)) == real_day_later


def test_round_the_clock_add_across_the_spring_change_in_berlin() -> None:
    """Saturday 28 Mar 12:00 CET + 24 h is Sunday 13:00 CEST: real hours, not wall-clock ones."""
    calendar = BusinessCalendar("Europe/Berlin", ROUND_THE_CLOCK)
    assert calendar.add(berlin(2026, 3, 28, 12), timedelta(hours=24)) == berlin(2026, 3, 29, 13)


def test_an_interval_spanning_the_changed_hour_has_its_real_length() -> None:
    """Berlin 01:00-04:00 lasts 2 h on the spring DST day and 4 h on the autumn one."""
    calendar = BusinessCalendar("Europe/Berlin", {6: [(time(1), time(4))]})
    assert calendar.elapsed(berlin(2026, 3, 29), berlin(2026, 3, 30)) == timedelta(hours=2)
    assert calendar.elapsed(berlin(2026, 10, 25), berlin(2026, 10, 26)) == timedelta(hours=4)


def test_an_interval_starting_in_the_skipped_hour_begins_when_the_clock_reaches_it() -> None:
    """02:30-04:00 on Berlin's spring-forward night: 02:30 is never shown, so the interval is
    03:00-04:00 CEST, one hour, starting the moment the clocks jump (01:00 UTC)."""
    calendar = BusinessCalendar("Europe/Berlin", {6: [(time(2, 30), time(4))]})
    assert calendar.elapsed(berlin(2026, 3, 29), berlin(2026, 3, 30)) == timedelta(hours=1)
    assert calendar.next_working_moment(berlin(2026, 3, 29)) == utc(2026, 3, 29, 1)
    assert calendar.add(berlin(2026, 3, 29), timedelta(minutes=30)) == berlin(2026, 3, 29, 3, 30)
    assert calendar.add(berlin(2026, 3, 29), timedelta(hours=1)) == berlin(2026, 3, 29, 4)


def test_an_interval_covering_the_repeated_hour_counts_both_passes() -> None:
    """00:00-02:30 on Berlin's fall-back night is three real hours: 00:00-02:30 in summer time
    (22:00-00:30 UTC), then 02:00-02:30 again in winter time (01:00-01:30 UTC). The first pass of
    02:30-03:00 in between is outside the interval."""
    calendar = BusinessCalendar("Europe/Berlin", {6: [(time(0), time(2, 30))]})
    assert calendar.elapsed(berlin(2026, 10, 25), berlin(2026, 10, 26)) == timedelta(hours=3)
    assert calendar.add(berlin(2026, 10, 25), timedelta(hours=2.5)) == utc(2026, 10, 25, 0, 30)
    assert calendar.add(berlin(2026, 10, 25), timedelta(hours=3)) == utc(2026, 10, 25, 1, 30)
    assert not calendar.is_working_time(utc(2026, 10, 25, 0, 45))
    assert calendar.next_working_moment(utc(2026, 10, 25, 0, 30)) == utc(2026, 10, 25, 1)


def test_an_interval_falls_apart_when_the_clocks_go_back_inside_it() -> None:
    """Lord Howe puts the clocks back from 02:00 to 01:30 on 5 Apr 2026: 01:45-02:15 is 45 minutes
    in two pieces, 01:45-02:00 before the change and 01:45-02:15 after it (14:45-15:00 and
    15:15-15:45 UTC the day before)."""
    calendar = BusinessCalendar("Australia/Lord_Howe", {6: [(time(1, 45), time(2, 15))]})
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    sunday = datetime(2026, 4, 5, tzinfo=lord_howe)
    assert calendar.elapsed(sunday, sunday + timedelta(days=1)) == timedelta(minutes=45)
    assert calendar.add(sunday, timedelta(minutes=15)) == utc(2026, 4, 4, 15)
    assert calendar.add(sunday, timedelta(minutes=16)) == utc(2026, 4, 4, 15, 16)
    assert calendar.add(sunday, timedelta(minutes=45)) == utc(2026, 4, 4, 15, 45)
    assert calendar.next_working_moment(utc(2026, 4, 4, 15)) == utc(2026, 4, 4, 15, 15)


def test_the_repeated_hour_counts_only_where_its_wall_time_is_inside() -> None:
    """02:30-05:00 in Berlin: in spring it is 03:00-05:00 CEST (2 h); in autumn 02:30-03:00 in
    summer time and 02:30-05:00 in winter time (3 h), not the 3.5 h from the first 02:30 on."""
    calendar = BusinessCalendar("Europe/Berlin", {6: [(time(2, 30), time(5))]})
    assert calendar.elapsed(berlin(2026, 3, 29), berlin(2026, 3, 30)) == timedelta(hours=2)
    assert calendar.next_working_moment(berlin(2026, 10, 25)) == utc(2026, 10, 25, 0, 30)
    assert calendar.elapsed(berlin(2026, 10, 25), berlin(2026, 10, 26)) == timedelta(hours=3)


def test_intervals_around_the_skipped_hour_join_up() -> None:
    """00:00-02:30 and 03:00-05:00 on the Berlin spring day: 02:00-03:00 is never shown, so the
    two intervals are 00:00-02:00 CET and 03:00-05:00 CEST, 4 real hours without a break."""
    calendar = BusinessCalendar("Europe/Berlin", {6: [(time(0), time(2, 30)), (time(3), time(5))]})
    assert calendar.elapsed(berlin(2026, 3, 29), berlin(2026, 3, 30)) == timedelta(hours=4)
    assert calendar.add(berlin(2026, 3, 29), timedelta(hours=4)) == berlin(2026, 3, 29, 5)


def test_a_skipped_local_date_has_no_working_time() -> None:
    """Samoa skipped 30 Dec 2011: no moment shows that date, so its 09:00-17:00 never happens."""
    apia = ZoneInfo("Pacific/Apia")
    calendar = BusinessCalendar("Pacific/Apia", {day: [(time(9), time(17))] for day in range(7)})
    days_around_the_gap = (datetime(2011, 12, 29, tzinfo=apia), datetime(2012, 1, 1, tzinfo=apia))
    assert calendar.elapsed(*days_around_the_gap) == timedelta(hours=16)
    assert calendar.add(datetime(2011, 12, 29, 16, tzinfo=apia), timedelta(hours=2)) == datetime(
        2011, 12, 31, 10, tzinfo=apia
    )


# --- elapsed -------------------------------------------------------------------------------


def test_elapsed_across_a_weekend_counts_only_working_days(office: BusinessCalendar) -> None:
    """Friday 15:00 to Monday 11:00 is 2.5 h + 2 h."""
    assert office.elapsed(berlin(2026, 11, 27, 15), berlin(2026, 11, 30, 11)) == timedelta(
        hours=4.5
    )


def test_elapsed_from_and_to_moments_outside_hours(office: BusinessCalendar) -> None:
    """Tuesday 07:00 to Wednesday 20:00 is two whole days; lunch to lunch is one day."""
    assert office.elapsed(berlin(2026, 11, 24, 7), berlin(2026, 11, 25, 20)) == timedelta(hours=15)
    assert office.elapsed(berlin(2026, 11, 24, 13), berlin(2026, 11, 25, 13)) == timedelta(
        hours=7.5
    )
    assert office.elapsed(berlin(2026, 11, 28, 1), berlin(2026, 11, 29, 23)) == timedelta(0)


def test_elapsed_backwards_is_negative(office: BusinessCalendar) -> None:
    """``elapsed(end, start)`` is minus ``elapsed(start, end)``."""
    assert office.elapsed(berlin(2026, 11, 24, 11), berlin(2026, 11, 24, 10)) == timedelta(hours=-1)


def test_elapsed_over_holidays_and_many_weeks(office: BusinessCalendar) -> None:
    """All of December 2026: 23 weekdays minus two holidays, 21 days of 7.5 h."""
    assert office.elapsed(berlin(2026, 12, 1), berlin(2027, 1, 1)) == timedelta(hours=21 * 7.5)


# --- is_working_time and next_working_moment -----------------------------------------------


def test_working_time_includes_an_interval_start_but_not_its_end(office: BusinessCalendar) -> None:
    """09:00 and 12:29:59.999999 are working time; 12:30, weekends and holidays are not."""
    assert office.is_working_time(berlin(2026, 11, 24, 9))
    assert office.is_working_time(berlin(2026, 11, 24, 12, 29, 59, 999_999))
    assert not office.is_working_time(berlin(2026, 11, 24, 12, 30))
    assert not office.is_working_time(berlin(2026, 11, 28, 10))
    assert not office.is_working_time(berlin(2026, 12, 24, 10))


def test_next_working_moment_is_the_moment_itself_or_the_next_opening(
    office: BusinessCalendar,
) -> None:
    """Inside hours the moment itself (in UTC); at lunch 13:30; on 23 Dec evening, 28 Dec 09:00."""
    moment = berlin(2026, 11, 24, 10, 15)
    assert office.next_working_moment(moment) == moment
    assert office.next_working_moment(moment).tzinfo is UTC
    assert office.next_working_moment(berlin(2026, 11, 24, 12, 30)) == berlin(2026, 11, 24, 13, 30)
    assert office.next_working_moment(berlin(2026, 12, 23, 18)) == berlin(2026, 12, 28, 9)


# --- refused input -------------------------------------------------------------------------


def test_naive_datetimes_are_refused(office: BusinessCalendar) -> None:
    """Every method wants timezone-aware datetimes."""
    naive = datetime(2026, 11, 24, 10)
    aware = berlin(2026, 11, 24, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        office.add(naive, timedelta(hours=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        office.elapsed(aware, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        office.elapsed(naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        office.is_working_time(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        office.next_working_moment(naive)


def test_negative_work_is_refused(office: BusinessCalendar) -> None:
    """``add`` moves forward only."""
    with pytest.raises(ValueError, match="negative"):
        office.add(berlin(2026, 11, 24, 10), -MICROSECOND)


@pytest.mark.parametrize(
    ("weekly_hours", "message"),
    [
        ({}, "no working time"),
        ({5: []}, "no working time"),
        ({0: [(time(9), time(12)), (time(11), time(13))]}, "overlap"),
        ({0: [(time(17), time(9))]}, "inverted"),
        ({0: [(time(9), time(9))]}, "inverted"),
        ({7: [(time(9), time(17))]}, "Weekdays are 0"),
        ({0: [(time(9, tzinfo=UTC), time(17))]}, "without a timezone"),
    ],
)
def test_invalid_weekly_hours_are_refused(
    weekly_hours: dict[int, list[tuple[time, time]]], message: str
) -> None:
    """Empty weeks, overlapping, inverted or zone-bound intervals and bad weekdays."""
    with pytest.raises(ValueError, match=message):
        BusinessCalendar("UTC", weekly_hours)


def test_holidays_must_be_dates() -> None:
    """A datetime among the holidays is refused rather than silently closing nothing."""
    with pytest.raises(ValueError, match="Holidays are local dates"):
        BusinessCalendar("UTC", ROUND_THE_CLOCK, {datetime(2026, 12, 24)})


def test_an_unknown_timezone_is_refused() -> None:
    """The zone must be an IANA name."""
    with pytest.raises(ValueError, match="Unknown timezone"):
        BusinessCalendar("Mars/Olympus", ROUND_THE_CLOCK)


def test_touching_intervals_are_allowed() -> None:
    """09-12 and 12-17 are one continuous stretch, not an overlap."""
    calendar = BusinessCalendar("UTC", {0: [(time(9), time(12)), (time(12), time(17))]})
    assert calendar.add(utc(2026, 11, 23, 11), timedelta(hours=2)) == utc(2026, 11, 23, 13)


# --- properties ----------------------------------------------------------------------------

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]
MINUTES_PER_DAY = 24 * 60
SPAN = timedelta(days=120)
# A generated calendar and an anchor moment near which its holidays fall.
Scenario = tuple[BusinessCalendar, datetime]


def _wall_clock(minutes: int) -> time:
    return time(0) if minutes == MINUTES_PER_DAY else time(minutes // 60, minutes % 60)


@st.composite
def weekly_hours(draw: st.DrawFn, step_minutes: int) -> dict[int, list[tuple[time, time]]]:
    """Up to three intervals per weekday, on a grid of ``step_minutes``."""
    grid = st.integers(0, MINUTES_PER_DAY // step_minutes).map(lambda k: k * step_minutes)
    weekly: dict[int, list[tuple[time, time]]] = {}
    for weekday in range(7):
        bounds = sorted(draw(st.sets(grid, max_size=6)))
        pairs = list(zip(bounds[0::2], bounds[1::2], strict=False))
        if pairs:
            weekly[weekday] = [(_wall_clock(start), _wall_clock(end)) for start, end in pairs]
    if not weekly:
        weekly[draw(st.integers(0, 6))] = [(time(9), time(17))]
    return weekly


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A calendar and an anchor moment in 2020-2030, with holidays near the anchor."""
    anchor = draw(
        st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC))
    )
    near_anchor = st.integers(-3, SPAN.days).map(lambda days: anchor.date() + timedelta(days=days))
    holidays = draw(st.sets(near_anchor, max_size=20))
    # Whole and half hours put boundaries on DST changes and inside skipped hours.
    step_minutes = draw(st.sampled_from([1, 30, 60]))
    calendar = BusinessCalendar(
        draw(st.sampled_from(ZONES)), draw(weekly_hours(step_minutes)), holidays
    )
    # Callers may pass any zone: the instant is what counts.
    return calendar, anchor.astimezone(ZoneInfo(draw(st.sampled_from(ZONES))))


offsets = st.timedeltas(timedelta(0), SPAN)
works = st.timedeltas(timedelta(0), timedelta(days=60))
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@PROPERTY_SETTINGS
@given(scenarios(), works)
def test_elapsed_undoes_add(scenario: Scenario, work: timedelta) -> None:
    """``elapsed(s, add(s, w)) == w``."""
    calendar, start = scenario
    assert calendar.elapsed(start, calendar.add(start, work)) == work


@PROPERTY_SETTINGS
@given(scenarios(), offsets, offsets)
def test_elapsed_is_additive_over_a_split_point(
    scenario: Scenario, first: timedelta, second: timedelta
) -> None:
    """``elapsed(a, c) == elapsed(a, b) + elapsed(b, c)`` for a <= b <= c; swapping negates."""
    calendar, a = scenario
    b, c = sorted([a + first, a + second])
    assert calendar.elapsed(a, c) == calendar.elapsed(a, b) + calendar.elapsed(b, c)
    assert calendar.elapsed(c, a) == -calendar.elapsed(a, c)


@PROPERTY_SETTINGS
@given(scenarios(), works.filter(bool))
def test_add_never_ends_outside_working_time(scenario: Scenario, work: timedelta) -> None:
    """For work > 0 the microsecond before the result is working time: the result is inside an
    interval or exactly at its end, never in a gap, and after the next working moment."""
    calendar, start = scenario
    end = calendar.add(start, work)
    assert calendar.is_working_time(end - MICROSECOND)
    assert end > calendar.next_working_moment(start)


@PROPERTY_SETTINGS
@given(scenarios(), works, works)
def test_more_work_never_finishes_earlier(
    scenario: Scenario, first: timedelta, second: timedelta
) -> None:
    """w1 <= w2 implies add(s, w1) <= add(s, w2)."""
    calendar, start = scenario
    low, high = sorted([first, second])
    assert calendar.add(start, low) <= calendar.add(start, high)


@PROPERTY_SETTINGS
@given(scenarios(), offsets)
def test_next_working_moment_is_where_counting_starts(
    scenario: Scenario, offset: timedelta
) -> None:
    """It is working time, nothing is worked before it, and adding from it changes nothing."""
    calendar, anchor = scenario
    moment = anchor + offset
    following = calendar.next_working_moment(moment)
    assert following >= moment
    assert calendar.is_working_time(following)
    assert calendar.elapsed(moment, following) == timedelta(0)
    assert calendar.add(following, timedelta(hours=1)) == calendar.add(moment, timedelta(hours=1))


HALF_HOUR = timedelta(minutes=30)


def _works_by_the_wall_clock(
    calendar_hours: dict[int, list[tuple[time, time]]],
    holidays: set[date],
    zone: ZoneInfo,
    moment: datetime,
) -> bool:
    """The contract itself: the wall-clock time ``moment`` shows lies inside one of its local
    date's intervals (start included, end excluded) and that date is no holiday."""
    local = moment.astimezone(zone)
    if local.date() in holidays:
        return False
    reading = local.time()
    return any(
        opening <= reading and (closing == time(0) or reading < closing)
        for opening, closing in calendar_hours.get(local.weekday(), [])
    )


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(ZONES),
    weekly_hours(step_minutes=60),
    st.sets(st.integers(0, 60), max_size=10),
    st.integers(0, 10 * 365 * 48),
    st.integers(1, 48),
)
def test_add_and_elapsed_agree_with_counting_half_hour_slots(
    timezone: str,
    hours: dict[int, list[tuple[time, time]]],
    holiday_offsets: set[int],
    start_slot: int,
    work_slots: int,
) -> None:
    """On whole-hour calendars (every zone here changes clocks on whole hours and has offsets in
    half hours), each real half-hour slot is all working or not: ``add`` must end with the
    ``work_slots``-th working slot, and ``elapsed`` over every prefix must count them."""
    zone = ZoneInfo(timezone)
    start = utc(2020, 1, 1) + start_slot * HALF_HOUR
    holidays = {start.astimezone(zone).date() + timedelta(days=days) for days in holiday_offsets}
    calendar = BusinessCalendar(timezone, hours, holidays)

    slot, counted = start, 0
    while counted < work_slots:
        if _works_by_the_wall_clock(hours, holidays, zone, slot):
            counted += 1
            assert calendar.elapsed(start, slot + HALF_HOUR) == counted * HALF_HOUR
        slot += HALF_HOUR
    assert calendar.add(start, work_slots * HALF_HOUR) == slot


# --- the wall-clock contract, minute by minute ---------------------------------------------

MINUTE = timedelta(minutes=1)
# A window of three days from its start holds the clock change.
WINDOW_MINUTES = 3 * MINUTES_PER_DAY
# Local dates on which the clocks change, with how: one-hour and half-hour shifts both ways,
# and a whole skipped date.
CLOCK_CHANGES = [
    ("Europe/Berlin", date(2026, 3, 29)),  # 02:00 -> 03:00
    ("Europe/Berlin", date(2026, 10, 25)),  # 03:00 -> 02:00
    ("America/New_York", date(2026, 3, 8)),  # 02:00 -> 03:00
    ("America/New_York", date(2026, 11, 1)),  # 02:00 -> 01:00
    ("Australia/Lord_Howe", date(2026, 4, 5)),  # 02:00 -> 01:30
    ("Australia/Lord_Howe", date(2026, 10, 4)),  # 02:00 -> 02:30
    ("Pacific/Apia", date(2011, 4, 2)),  # 04:00 -> 03:00
    ("Pacific/Apia", date(2011, 9, 24)),  # 03:00 -> 04:00
    ("Pacific/Apia", date(2011, 12, 30)),  # 29 Dec 24:00 -> 31 Dec 00:00
]


def _window_start(change_day: date) -> datetime:
    """UTC midnight the day before a change: every change above falls in the window after it."""
    return datetime.combine(change_day - timedelta(days=1), time(0), tzinfo=UTC)


def assert_agrees_with_walking_the_wall_clock(
    timezone: str,
    hours: dict[int, list[tuple[time, time]]],
    holidays: set[date],
    start: datetime,
    minutes: int,
) -> None:
    """Walk real minutes from ``start`` and judge each by the wall-clock time it shows: before
    every minute ``elapsed`` has counted the working ones so far, ``is_working_time`` agrees, and
    ``add`` of that many minutes ends where the last one ends. Edges and offsets are whole minutes,
    so a minute is working or not as a whole."""
    zone = ZoneInfo(timezone)
    calendar = BusinessCalendar(timezone, hours, holidays)
    worked = 0
    for step in range(minutes):
        minute = start + step * MINUTE
        assert calendar.elapsed(start, minute) == worked * MINUTE, minute
        working = _works_by_the_wall_clock(hours, holidays, zone, minute)
        assert calendar.is_working_time(minute) == working, minute
        if working:
            worked += 1
            assert calendar.add(start, worked * MINUTE) == minute + MINUTE, minute
    assert calendar.elapsed(start, start + minutes * MINUTE) == worked * MINUTE


@pytest.mark.parametrize(("timezone", "change_day"), CLOCK_CHANGES)
def test_the_clock_changes_walked_below_are_real(timezone: str, change_day: date) -> None:
    """Each listed date really is a clock change (a skipped date counts), so the walks below do
    cross one."""
    zone = ZoneInfo(timezone)
    day_start = datetime.combine(change_day, time(0), tzinfo=zone)
    next_day_start = datetime.combine(change_day + timedelta(days=1), time(0), tzinfo=zone)
    assert next_day_start.utcoffset() != day_start.utcoffset()


def _intervals(text: str) -> list[tuple[time, time]]:
    """``"01:30-02:30 02:45-24:00"`` as wall-clock intervals (24:00 is ``time(0)``)."""
    return [
        (_wall_clock(_minutes(opening)), _wall_clock(_minutes(closing)))
        for opening, closing in (interval.split("-") for interval in text.split())
    ]


def _minutes(reading: str) -> int:
    hours, minutes = reading.split(":")
    return int(hours) * 60 + int(minutes)


@pytest.mark.parametrize(
    ("timezone", "change_day", "intervals"),
    [
        ("Europe/Berlin", date(2026, 3, 29), "02:30-04:00"),
        ("Europe/Berlin", date(2026, 3, 29), "02:15-02:45"),
        ("Europe/Berlin", date(2026, 3, 29), "01:30-02:30 02:45-24:00"),
        ("Europe/Berlin", date(2026, 10, 25), "00:00-02:30"),
        ("Europe/Berlin", date(2026, 10, 25), "02:15-02:45 02:59-03:00"),
        ("America/New_York", date(2026, 3, 8), "02:30-03:30"),
        ("America/New_York", date(2026, 11, 1), "00:30-01:15 01:45-02:00"),
        ("Australia/Lord_Howe", date(2026, 4, 5), "01:45-02:15"),
        ("Australia/Lord_Howe", date(2026, 10, 4), "02:10-02:20 02:25-03:00"),
        ("Pacific/Apia", date(2011, 4, 2), "03:30-04:30"),
        ("Pacific/Apia", date(2011, 9, 24), "03:30-04:30"),
        ("Pacific/Apia", date(2011, 12, 30), "09:00-17:00"),
        ("Pacific/Apia", date(2011, 12, 30), "00:00-24:00"),
        ("Pacific/Apia", date(2011, 12, 30), "23:30-24:00"),
    ],
)
def test_edges_inside_skipped_and_repeated_hours_follow_the_wall_clock(
    timezone: str, change_day: date, intervals: str
) -> None:
    """The same intervals every day, walked over three days around a change."""
    hours = {weekday: _intervals(intervals) for weekday in range(7)}
    start = _window_start(change_day)
    assert_agrees_with_walking_the_wall_clock(timezone, hours, set(), start, WINDOW_MINUTES)


@st.composite
def night_heavy_weekly_hours(draw: st.DrawFn) -> dict[int, list[tuple[time, time]]]:
    """Up to three intervals per weekday; edges often fall between 00:00 and 05:00 to the minute,
    where the clocks change, or anywhere on a quarter-hour grid."""
    edge = st.one_of(
        st.integers(0, 5 * 60),
        st.integers(0, MINUTES_PER_DAY // 15).map(lambda k: k * 15),
    )
    weekly: dict[int, list[tuple[time, time]]] = {}
    for weekday in range(7):
        bounds = sorted(draw(st.sets(edge, max_size=6)))
        pairs = list(zip(bounds[0::2], bounds[1::2], strict=False))
        if pairs:
            weekly[weekday] = [(_wall_clock(start), _wall_clock(end)) for start, end in pairs]
    if not weekly:
        weekly[draw(st.integers(0, 6))] = [(time(2, 30), time(3, 30))]
    return weekly


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(CLOCK_CHANGES),
    night_heavy_weekly_hours(),
    st.sets(st.integers(-2, 2), max_size=3),
    st.integers(-12 * 60, 12 * 60),
)
def test_add_and_elapsed_agree_with_walking_the_wall_clock(
    clock_change: tuple[str, date],
    hours: dict[int, list[tuple[time, time]]],
    holiday_offsets: set[int],
    start_minute: int,
) -> None:
    """Generated calendars with edges inside skipped and repeated hours, holidays around the
    change, walked minute by minute over three days from a start near the change."""
    timezone, change_day = clock_change
    holidays = {change_day + timedelta(days=days) for days in holiday_offsets}
    start = _window_start(change_day) + start_minute * MINUTE
    assert_agrees_with_walking_the_wall_clock(timezone, hours, holidays, start, WINDOW_MINUTES)
