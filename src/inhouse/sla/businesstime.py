"""Business-time arithmetic, independent of Django.

``BusinessCalendar`` states the contract: working time is read off the local wall
clock. This module docstring is about how it is computed.

Every local reading is ``UTC + offset``, and the offset is constant between two of
the zone's transitions. So for each UTC date the calendar finds the stretches of
one offset (probing the zone every few hours and bisecting to the second where it
changed), reads each stretch as a run of local wall-clock times, and keeps the
parts of it that lie inside the working intervals of the local dates it shows.
Nothing is resolved with ``fold``: a skipped wall time is simply never shown, and a
repeated one is shown, and counted, once per pass.

Inputs are timezone-aware datetimes in any zone; every datetime returned is in
UTC. Arithmetic is exact to the microsecond: boundaries are UTC datetimes and
durations timedeltas, both integer microseconds underneath, never floats.

Speed: ``add`` runs on every request change. Each UTC date's working intervals
and total are computed once and cached, as is each Monday-to-Sunday week's
total, so long spans pass whole days and weeks with one subtraction each. The
moment a call starts from finds its date with ``toordinal()``, no zone lookup.
The caches hold one small entry per date ever touched and are safe to share
between threads (a race only computes the same entry twice).
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_NO_TIME = timedelta(0)
_MICROSECOND = timedelta(microseconds=1)
_MIDNIGHT = time(0, 0)
_WHOLE_DAY = timedelta(days=1)
# tzdata never changes a zone's offset twice within days (the closest pair, Africa/Freetown
# in 1939, is four days apart), so probing every six hours sees every change.
_OFFSET_PROBE_STEP = timedelta(hours=6)

_Interval = tuple[datetime, datetime]
# One UTC date: where it starts, where it ends, its working total and its working
# intervals, sorted and disjoint, all in UTC.
_Day = tuple[datetime, datetime, timedelta, tuple[_Interval, ...]]
# One Monday-to-Sunday week of UTC dates: where it ends and its working total.
_Week = tuple[datetime, timedelta]
# A stretch of real time during which the zone's offset does not change.
_Stretch = tuple[datetime, datetime, timedelta]


def _since_midnight(moment: time) -> timedelta:
    return timedelta(
        hours=moment.hour,
        minutes=moment.minute,
        seconds=moment.second,
        microseconds=moment.microsecond,
    )


def _in_utc(moment: datetime, name: str) -> datetime:
    zone = moment.tzinfo
    # Identity first: Django hands out UTC datetimes, and utcoffset() costs a call.
    if zone is not UTC and (zone is None or moment.utcoffset() is None):
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}.")
    return moment.astimezone(UTC)


class BusinessCalendar:
    """Working time of one timezone's weekly hours minus holidays, read off the wall clock.

    A calendar is one IANA timezone, working intervals per weekday (0 = Monday ...
    6 = Sunday) in local wall-clock time, and holidays (local dates with no working
    time: public holidays and closed days alike). An interval ending at
    ``time(0, 0)`` ends at 24:00, so ``00:00-00:00`` on every day is a
    round-the-clock calendar.

    The contract: **a minute is working time exactly when the local wall-clock time
    it shows lies inside one of that local date's working intervals (start included,
    end excluded) and that date is not a holiday or closed day.** ``elapsed`` counts
    such minutes; ``add`` returns the instant at which the given amount of them has
    passed. Both are exact to the microsecond: the same rule holds for every moment,
    not only whole minutes. When the clocks change:

    - an interval whose start is skipped begins at the first wall time that exists
      after it: 02:30-04:00 on Berlin's spring-forward night is 03:00-04:00, one hour;
    - every moment of a repeated hour whose wall time lies inside an interval counts,
      on both passes: 00:00-02:30 on Berlin's fall-back night is three real hours;
    - so an interval can fall apart into two pieces of real time: 01:45-02:15 on
      Lord Howe's night when the clocks go back from 02:00 to 01:30 is 45 minutes,
      01:45-02:00 twice and 02:00-02:15 once;
    - a local date the zone skips entirely (Pacific/Apia, 30 December 2011) has no
      working time, and a 00:00-24:00 day lasts as long as the day really does.

    Counting in ``add`` begins at the next working moment when ``start`` is outside
    working hours, and a result may be the very end of an interval: adding a whole
    day's hours at opening time gives closing time that day, not opening time the
    next. Adding no work returns ``start`` (in UTC) even outside working hours.
    """

    def __init__(
        self,
        timezone: str,
        weekly_hours: Mapping[int, Iterable[tuple[time, time]]],
        holidays: set[date] | frozenset[date] = frozenset(),
    ) -> None:
        try:
            self._zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"Unknown timezone {timezone!r}.") from exc
        unknown_days = set(weekly_hours) - set(range(7))
        if unknown_days:
            raise ValueError(
                f"Weekdays are 0 (Monday) to 6 (Sunday), got {sorted(unknown_days)!r}."
            )
        # Per weekday: (opening, closing) as time since local midnight; 24:00 is a whole day.
        self._weekly: tuple[tuple[tuple[timedelta, timedelta], ...], ...] = tuple(
            self._checked_intervals(weekday, weekly_hours.get(weekday, ())) for weekday in range(7)
        )
        if not any(self._weekly):
            raise ValueError("The calendar has no working time in its week.")
        # A datetime never equals the date it falls on, so it would silently close nothing.
        if any(isinstance(holiday, datetime) for holiday in holidays):
            raise ValueError("Holidays are local dates, not datetimes.")
        self._holidays = frozenset(holidays)
        self._days: dict[int, _Day] = {}
        self._weeks: dict[int, _Week] = {}

    @staticmethod
    def _checked_intervals(
        weekday: int, intervals: Iterable[tuple[time, time]]
    ) -> tuple[tuple[timedelta, timedelta], ...]:
        checked: list[tuple[timedelta, timedelta]] = []
        previous_closing = -_MICROSECOND
        for opening, closing in sorted(intervals, key=lambda interval: interval[0]):
            if opening.tzinfo is not None or closing.tzinfo is not None:
                raise ValueError(
                    f"Weekday {weekday}: working hours are wall-clock times without a timezone."
                )
            opening_since = _since_midnight(opening)
            closing_since = _WHOLE_DAY if closing == _MIDNIGHT else _since_midnight(closing)
            if opening_since >= closing_since:
                raise ValueError(
                    f"Weekday {weekday}: interval {opening}-{closing} is inverted or empty."
                )
            if opening_since < previous_closing:
                raise ValueError(f"Weekday {weekday}: intervals overlap at {opening}.")
            previous_closing = closing_since
            checked.append((opening_since, closing_since))
        return tuple(checked)

    # --- cached days and weeks ---------------------------------------------------------

    def _offset_at(self, moment: datetime) -> timedelta:
        offset = moment.astimezone(self._zone).utcoffset()
        assert offset is not None  # a ZoneInfo always knows its offset
        return offset

    def _offset_change(self, before: datetime, after: datetime, offset: timedelta) -> datetime:
        """The first moment in (before, after] whose offset is not ``offset``.

        Precondition: the offset changes exactly once in between. tzdata changes
        offsets on whole seconds, so bisecting down to one second finds the moment.
        """
        while after - before > timedelta(seconds=1):
            middle = before + timedelta(seconds=(after - before) // timedelta(seconds=2))
            if self._offset_at(middle) == offset:
                before = middle
            else:
                after = middle
        return after

    def _stretches(self, start: datetime, end: datetime) -> list[_Stretch]:
        """[start, end) cut where the zone's offset changes, each piece with its offset."""
        stretches: list[_Stretch] = []
        offset = self._offset_at(start)
        probe = start
        while probe < end:
            following = min(probe + _OFFSET_PROBE_STEP, end)
            following_offset = self._offset_at(following)
            if following_offset != offset:
                change = self._offset_change(probe, following, offset)
                stretches.append((start, change, offset))
                start, offset = change, following_offset
            probe = following
        if start < end:
            stretches.append((start, end, offset))
        return stretches

    def _day(self, ordinal: int) -> _Day:
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day_start = datetime.combine(date.fromordinal(ordinal), _MIDNIGHT, tzinfo=UTC)
        day_end = day_start + _WHOLE_DAY
        intervals: list[_Interval] = []
        total = _NO_TIME
        for stretch_start, stretch_end, offset in self._stretches(day_start, day_end):
            # The stretch shows the wall-clock times [first_reading, last_reading); keep what
            # falls inside the working intervals of each local date among them.
            first_reading = (stretch_start + offset).replace(tzinfo=None)
            last_reading = (stretch_end + offset).replace(tzinfo=None)
            for local_ordinal in range(
                first_reading.toordinal(), (last_reading - _MICROSECOND).toordinal() + 1
            ):
                local_date = date.fromordinal(local_ordinal)
                if local_date in self._holidays:
                    continue
                local_midnight = datetime.combine(local_date, _MIDNIGHT)
                for opening, closing in self._weekly[local_date.weekday()]:
                    begin = max(local_midnight + opening, first_reading)
                    end = min(local_midnight + closing, last_reading)
                    if begin >= end:
                        continue
                    interval_start = (begin - offset).replace(tzinfo=UTC)
                    interval_end = (end - offset).replace(tzinfo=UTC)
                    total += interval_end - interval_start
                    # Stretches come in order, so pieces do too; touching ones become one.
                    if intervals and intervals[-1][1] == interval_start:
                        interval_start = intervals.pop()[0]
                    intervals.append((interval_start, interval_end))
        record = (day_start, day_end, total, tuple(intervals))
        self._days[ordinal] = record
        return record

    def _week(self, monday: int) -> _Week:
        cached = self._weeks.get(monday)
        if cached is not None:
            return cached
        days = [self._day(ordinal) for ordinal in range(monday, monday + 7)]
        record = (days[-1][1], sum((day[2] for day in days), _NO_TIME))
        self._weeks[monday] = record
        return record

    # --- the public arithmetic ---------------------------------------------------------

    def add(self, start: datetime, work: timedelta) -> datetime:
        """The earliest moment (UTC) by which ``work`` of working time has passed since ``start``.

        Outside working hours counting starts at the next working moment; no work returns ``start``.
        """
        current = _in_utc(start, "start")
        if work <= _NO_TIME:
            if work < _NO_TIME:
                raise ValueError(f"Work to add cannot be negative, got {work}.")
            return current
        remaining = work
        # The cache lookup inline spares a method call per day on the hot path.
        days = self._days
        ordinal = current.toordinal()
        day = days.get(ordinal) or self._day(ordinal)
        while True:
            day_start, day_end, day_total, intervals = day
            if current <= day_start and remaining > day_total:
                remaining -= day_total
            else:
                for interval_start, interval_end in intervals:
                    if interval_end <= current:
                        continue
                    begin = interval_start if interval_start > current else current
                    available = interval_end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            current = day_end
            ordinal += 1
            # Ordinal 1 (1 January of year 1) was a Monday: weeks start at 7k + 1.
            if ordinal % 7 == 1:
                week_end, week_total = self._week(ordinal)
                while remaining > week_total:
                    remaining -= week_total
                    current = week_end
                    ordinal += 7
                    week_end, week_total = self._week(ordinal)
            day = days.get(ordinal) or self._day(ordinal)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two moments; negative if ``end`` is before ``start``."""
        current = _in_utc(start, "start")
        finish = _in_utc(end, "end")
        if finish < current:
            return -self.elapsed(end, start)
        # The cache lookup inline spares a method call per day on the hot path.
        days = self._days
        ordinal = current.toordinal()
        day = days.get(ordinal) or self._day(ordinal)
        total = _NO_TIME
        while True:
            day_start, day_end, day_total, intervals = day
            if current <= day_start and day_end <= finish:
                total += day_total
            else:
                for interval_start, interval_end in intervals:
                    if interval_end > current and interval_start < finish:
                        total += min(interval_end, finish) - max(interval_start, current)
            if day_end >= finish:
                return total
            current = day_end
            ordinal += 1
            if ordinal % 7 == 1:
                week_end, week_total = self._week(ordinal)
                while week_end <= finish:
                    total += week_total
                    current = week_end
                    ordinal += 7
                    week_end, week_total = self._week(ordinal)
            day = days.get(ordinal) or self._day(ordinal)

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` is inside a working interval (start inclusive, end exclusive)."""
        current = _in_utc(moment, "moment")
        intervals = self._day(current.toordinal())[3]
        return any(start <= current < end for start, end in intervals)

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself (in UTC) if it is working time, else the start of the next interval."""
        current = _in_utc(moment, "moment")
        ordinal = current.toordinal()
        day = self._day(ordinal)
        # Terminates: holidays are finite and the week has working hours.
        while True:
            for start, end in day[3]:
                if end > current:
                    return max(start, current)
            ordinal += 1
            day = self._day(ordinal)
