"""Business-time arithmetic, independent of Django.

The model
---------
A calendar is one IANA timezone, a set of working intervals per weekday
(0 = Monday ... 6 = Sunday) in *local wall-clock* time, and a set of holidays
(local dates with no working time at all). An interval ending at ``time(0, 0)``
ends at the local midnight closing the day (24:00), so ``00:00-00:00`` on every
day is a round-the-clock calendar.

Each local date's intervals are converted to real (UTC) moments *for that very
date*, so clock changes are exact: a 00:00-24:00 day lasts 23 or 25 hours when
the clocks spring forward or fall back, while 09:00-17:00 stays 8 hours. Local
times that do not exist or exist twice are resolved as ``zoneinfo`` does with
``fold=0`` (a skipped time is read with the offset in force before the change,
a repeated one means its first occurrence). Should that resolution make the
intervals of a date overlap each other or spill into a neighbouring date, the
overlap is counted once: working time never counts twice.

Inputs are timezone-aware datetimes in any zone; every datetime returned is in
UTC. Arithmetic is exact to the microsecond: boundaries are UTC datetimes and
durations timedeltas, both integer microseconds underneath, never floats.

``add(start, work)`` is the earliest moment at which ``work`` of working time
has passed since ``start``. Counting begins at the next working moment when
``start`` is outside working hours, and a result may be the very end of an
interval: adding a whole day's hours at opening time gives closing time that
day, not opening time the next. Adding no work returns ``start`` (in UTC) even
outside working hours.

Speed: ``add`` runs on every request change. Each local date's UTC intervals
and working total are computed once and cached, as is each Monday-to-Sunday
week's total, so long spans pass whole days and weeks with one subtraction each.
The caches hold one small entry per date ever touched and are safe to share
between threads (a race only computes the same entry twice).
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_NO_TIME = timedelta(0)
_MIDNIGHT = time(0, 0)
_MICROSECONDS_PER_DAY = 86_400_000_000

_Interval = tuple[datetime, datetime]
# One local date, all in UTC: where it starts, where it ends, its working total and
# its working intervals, sorted and disjoint.
_Day = tuple[datetime, datetime, timedelta, tuple[_Interval, ...]]
# One Monday-to-Sunday week: where it ends (UTC) and its working total.
_Week = tuple[datetime, timedelta]


def _micros_into_day(moment: time) -> int:
    return (
        (moment.hour * 60 + moment.minute) * 60 + moment.second
    ) * 1_000_000 + moment.microsecond


def _in_utc(moment: datetime, name: str) -> datetime:
    zone = moment.tzinfo
    # Identity first: Django hands out UTC datetimes, and utcoffset() costs a call.
    if zone is not UTC and (zone is None or moment.utcoffset() is None):
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment!r}.")
    return moment.astimezone(UTC)


class BusinessCalendar:
    """Working time of one timezone's weekly hours minus holidays; see the module docstring."""

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
        # Per weekday: (opening, closing) wall-clock times; a closing of None is 24:00.
        self._weekly: tuple[tuple[tuple[time, time | None], ...], ...] = tuple(
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
    ) -> tuple[tuple[time, time | None], ...]:
        checked: list[tuple[time, time | None]] = []
        previous_closing = -1
        for opening, closing in sorted(intervals, key=lambda interval: interval[0]):
            if opening.tzinfo is not None or closing.tzinfo is not None:
                raise ValueError(
                    f"Weekday {weekday}: working hours are wall-clock times without a timezone."
                )
            opening_micros = _micros_into_day(opening)
            closing_micros = (
                _MICROSECONDS_PER_DAY if closing == _MIDNIGHT else _micros_into_day(closing)
            )
            if opening_micros >= closing_micros:
                raise ValueError(
                    f"Weekday {weekday}: interval {opening}-{closing} is inverted or empty."
                )
            if opening_micros < previous_closing:
                raise ValueError(f"Weekday {weekday}: intervals overlap at {opening}.")
            previous_closing = closing_micros
            # fold=0 everywhere, so a repeated local time always means its first occurrence.
            checked.append(
                (
                    opening.replace(fold=0),
                    None if closing == _MIDNIGHT else closing.replace(fold=0),
                )
            )
        return tuple(checked)

    # --- cached days and weeks ---------------------------------------------------------

    def _wall_clock(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self._zone).astimezone(UTC)

    def _day(self, ordinal: int) -> _Day:
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day = date.fromordinal(ordinal)
        day_start = self._wall_clock(day, _MIDNIGHT)
        day_end = self._wall_clock(date.fromordinal(ordinal + 1), _MIDNIGHT)
        intervals: list[_Interval] = []
        total = _NO_TIME
        # Clipping to the day and to the previous interval keeps intervals disjoint even
        # when fold=0 moves a skipped local time past a later one.
        floor = day_start
        if day not in self._holidays:
            for opening, closing in self._weekly[day.weekday()]:
                start = max(self._wall_clock(day, opening), floor)
                end = day_end if closing is None else min(self._wall_clock(day, closing), day_end)
                if end > start:
                    intervals.append((start, end))
                    total += end - start
                    floor = end
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

    def _containing_day(self, moment: datetime) -> tuple[int, _Day]:
        """The local date whose span holds ``moment`` (UTC), found from the UTC date.

        Cheaper than converting to the zone: the local date is at most one day off
        the UTC date, and stepping along cached days also settles the rare moment
        that a skipped or repeated local midnight leaves in a neighbour's span.
        """
        ordinal = moment.toordinal()
        day = self._day(ordinal)
        while moment < day[0]:
            ordinal -= 1
            day = self._day(ordinal)
        while moment >= day[1]:
            ordinal += 1
            day = self._day(ordinal)
        return ordinal, day

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
        ordinal, day = self._containing_day(current)
        days = self._days
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
            # The cache lookup inline spares a method call per day on the hot path.
            day = days.get(ordinal) or self._day(ordinal)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two moments; negative if ``end`` is before ``start``."""
        current = _in_utc(start, "start")
        finish = _in_utc(end, "end")
        if finish < current:
            return -self.elapsed(end, start)
        ordinal, day = self._containing_day(current)
        days = self._days
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
        intervals = self._containing_day(current)[1][3]
        return any(start <= current < end for start, end in intervals)

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself (in UTC) if it is working time, else the start of the next interval."""
        current = _in_utc(moment, "moment")
        ordinal, day = self._containing_day(current)
        # Terminates: holidays are finite and the week has working hours.
        while True:
            for start, end in day[3]:
                if end > current:
                    return max(start, current)
            ordinal += 1
            day = self._day(ordinal)
