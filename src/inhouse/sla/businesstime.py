"""Business-time arithmetic, independent of Django.

A calendar is a set of working intervals per weekday, in local wall-clock time
of one IANA timezone, minus holidays (local dates). Each local date's intervals
are converted to UTC for that very date, so DST changes are exact: a 00:00-24:00
interval lasts 23 or 25 hours on the days the clocks change.

``add(start, work)`` is the earliest moment at which ``work`` of working time
has passed since ``start``: adding a whole day's hours at opening time gives
closing time that day, not opening time the next. Results are UTC-aware.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DAY = timedelta(days=1)
_SECONDS_PER_DAY = 86_400
_MIDNIGHT = time(0, 0)
# Searching this far ahead without finding working time means the holidays swallow every day.
_MAX_IDLE_DAYS = 3_660

Interval = tuple[datetime, datetime]


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


class BusinessCalendar:
    def __init__(
        self,
        timezone: str,
        weekly_hours: Mapping[int, Iterable[tuple[time, time]]],
        holidays: set[date] | frozenset[date] = frozenset(),
    ) -> None:
        try:
            self._zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"Unknown timezone {timezone!r}.") from exc
        self._weekly: dict[int, tuple[tuple[time, time | None], ...]] = {}
        for weekday in range(7):
            intervals = sorted(weekly_hours.get(weekday, ()), key=lambda pair: pair[0])
            previous_end = -1
            checked: list[tuple[time, time | None]] = []
            for start, end in intervals:
                if start.microsecond or end.microsecond:
                    raise ValueError("Working hours are whole seconds.")
                end_seconds = _SECONDS_PER_DAY if end == _MIDNIGHT else _seconds(end)
                if _seconds(start) >= end_seconds:
                    raise ValueError(
                        f"Weekday {weekday}: interval {start}-{end} is inverted or empty."
                    )
                if _seconds(start) < previous_end:
                    raise ValueError(f"Weekday {weekday}: intervals overlap.")
                previous_end = end_seconds
                # None stands for 24:00, the local midnight ending the day.
                checked.append((start, None if end == _MIDNIGHT else end))
            self._weekly[weekday] = tuple(checked)
        if not any(self._weekly.values()):
            raise ValueError("The calendar has no working time in its week.")
        self._holidays = frozenset(holidays)
        self._days: dict[int, tuple[Interval, ...]] = {}

    # --- the working intervals of one local date, in UTC -------------------------------

    def _local(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self._zone).astimezone(UTC)

    def _intervals(self, ordinal: int) -> tuple[Interval, ...]:
        cached = self._days.get(ordinal)
        if cached is not None:
            return cached
        day = date.fromordinal(ordinal)
        intervals: list[Interval] = []
        if day not in self._holidays:
            for start, end in self._weekly[day.weekday()]:
                start_utc = self._local(day, start)
                end_utc = (
                    self._local(day + _DAY, _MIDNIGHT) if end is None else self._local(day, end)
                )
                # A local time skipped by DST can fold an interval onto nothing.
                if end_utc > start_utc:
                    intervals.append((start_utc, end_utc))
        result = tuple(intervals)
        self._days[ordinal] = result
        return result

    def _ordinal_of(self, moment: datetime) -> int:
        return moment.astimezone(self._zone).date().toordinal()

    @staticmethod
    def _utc(moment: datetime, name: str) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} must be a timezone-aware datetime.")
        return moment.astimezone(UTC)

    # --- the public arithmetic ------------------------------------------------------------

    def add(self, start: datetime, work: timedelta) -> datetime:
        current = self._utc(start, "start")
        if work < timedelta(0):
            raise ValueError("Work to add cannot be negative.")
        if not work:
            return current
        remaining = work
        # The previous local day's last interval may run to midnight, never past it.
        ordinal = self._ordinal_of(current)
        idle_days = 0
        while True:
            intervals = self._intervals(ordinal)
            for interval_start, interval_end in intervals:
                if interval_end <= current:
                    continue
                begin = max(interval_start, current)
                available = interval_end - begin
                if available >= remaining:
                    return begin + remaining
                remaining -= available
            idle_days = 0 if intervals else idle_days + 1
            if idle_days > _MAX_IDLE_DAYS:
                raise ValueError("No working time in the next ten years: check the holidays.")
            ordinal += 1

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two moments; negative if ``end`` is before ``start``."""
        begin, finish = self._utc(start, "start"), self._utc(end, "end")
        if finish < begin:
            return -self.elapsed(finish, begin)
        total = timedelta(0)
        for ordinal in range(self._ordinal_of(begin), self._ordinal_of(finish) + 1):
            for interval_start, interval_end in self._intervals(ordinal):
                overlap = min(interval_end, finish) - max(interval_start, begin)
                if overlap > timedelta(0):
                    total += overlap
        return total

    def is_working_time(self, moment: datetime) -> bool:
        current = self._utc(moment, "moment")
        return any(
            interval_start <= current < interval_end
            for interval_start, interval_end in self._intervals(self._ordinal_of(current))
        )

    def next_working_moment(self, moment: datetime) -> datetime:
        """``moment`` itself if it is working time, else the start of the next interval."""
        current = self._utc(moment, "moment")
        ordinal = self._ordinal_of(current)
        for _ in range(_MAX_IDLE_DAYS):
            for interval_start, interval_end in self._intervals(ordinal):
                if interval_end > current:
                    return max(interval_start, current)
            ordinal += 1
        raise ValueError("No working time in the next ten years: check the holidays.")
