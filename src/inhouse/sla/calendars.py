"""Turns ``Calendar`` rows into ``BusinessCalendar`` objects, cached per process.

The cache key includes the row's ``updated_at``, so an edited calendar or a
closed day added through the services (which touch the calendar) is picked up
by every process without any shared state.
"""

from datetime import date, datetime, time

import holidays

from inhouse.sla.businesstime import BusinessCalendar
from inhouse.sla.models import Calendar

# Public holidays are loaded for this many years either side of today.
_HOLIDAY_YEARS_AROUND = 6
_cache: dict[tuple[int, datetime], BusinessCalendar] = {}


def _parse_hhmm(text: str) -> time:
    return time(0, 0) if text == "24:00" else time.fromisoformat(text)


def public_holidays(
    country: str, subdivision: str = "", *, around_year: int | None = None
) -> dict[date, str]:
    """Public holidays of a country (and subdivision) by date, with their names."""
    if not country:
        return {}
    year = around_year or date.today().year
    years = range(year - _HOLIDAY_YEARS_AROUND, year + _HOLIDAY_YEARS_AROUND + 1)
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=years)
    return dict(found.items())


def forget_business_calendars() -> None:
    """Drop every cached calendar (tests, and after bulk edits that bypass ``updated_at``)."""
    _cache.clear()


def business_calendar_for(calendar: Calendar) -> BusinessCalendar:
    key = (calendar.pk, calendar.updated_at)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    weekly_hours = {
        int(weekday): [(_parse_hhmm(start), _parse_hhmm(end)) for start, end in intervals]
        for weekday, intervals in calendar.weekly_hours.items()
    }
    closed = set(public_holidays(calendar.holiday_country, calendar.holiday_subdivision))
    closed.update(calendar.closed_days.values_list("date", flat=True))
    built = BusinessCalendar(calendar.timezone, weekly_hours, frozenset(closed))
    # Old versions of an edited calendar are dropped so the cache cannot grow without bound.
    for stale in [k for k in _cache if k[0] == calendar.pk]:
        del _cache[stale]
    _cache[key] = built
    return built
