"""Changes to business calendars: weekly hours, timezone, holidays and closed days.

A calendar is shared by every agreement that names it, so only org admins and
the leads of a team whose agreements use it may change it. Every change saves
the calendar row, which moves its ``updated_at``; ``sla.calendars`` keys its
per-process cache on that, so every process picks the change up.
"""

import logging
from collections.abc import Mapping
from datetime import date

import holidays
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound, PermissionDenied
from inhouse.core.versioned import CATALOG, bump
from inhouse.org.models import Person, validate_timezone
from inhouse.sla.models import Calendar, ClosedDay, validate_weekly_hours

logger = logging.getLogger(__name__)


def _require_manager(actor: Person, calendar: Calendar) -> None:
    if not policy.can_manage_calendar(actor, calendar):
        logger.warning(
            "calendar change refused: person %s may not change calendar %s", actor.pk, calendar.pk
        )
        raise PermissionDenied(
            "Only org admins and the leads of teams whose agreements use this calendar "
            "can change it."
        )


def _holiday_region(country: str, subdivision: str) -> tuple[str, str, dict[str, str]]:
    """The country and subdivision as the holidays package spells them, or errors."""
    country = country.strip().upper()
    subdivision = subdivision.strip()
    if not country:
        if subdivision:
            return "", "", {"holiday_subdivision": "Choose a country first."}
        return "", "", {}
    supported = holidays.list_supported_countries()
    # Three-letter aliases exist in the list, but the calendar stores ISO alpha-2 codes.
    if len(country) != 2 or country not in supported:
        error = f"'{country}' is not a two-letter country code the holidays list knows."
        return "", "", {"holiday_country": error}
    if not subdivision:
        return country, "", {}
    by_upper = {known.upper(): known for known in supported[country]}
    if subdivision.upper() not in by_upper:
        known = ", ".join(supported[country]) or "none"
        error = f"Not a subdivision of {country}. Known: {known}."
        return "", "", {"holiday_subdivision": error}
    return country, by_upper[subdivision.upper()], {}


def update_calendar(
    *,
    actor: Person,
    calendar: Calendar,
    weekly_hours: Mapping[str, list[list[str]]],
    timezone: str,
    holiday_country: str = "",
    holiday_subdivision: str = "",
) -> Calendar:
    """Replace the calendar's weekly hours, timezone and public-holiday region.

    ``weekly_hours`` maps weekdays "0" (Monday) to "6" to ``[["09:00", "17:00"], …]``;
    a weekday left out is closed all day.
    """
    _require_manager(actor, calendar)
    country, subdivision, errors = _holiday_region(holiday_country, holiday_subdivision)
    hours = {str(weekday): intervals for weekday, intervals in weekly_hours.items()}
    try:
        validate_weekly_hours(hours)
    except ValidationError as exc:
        errors["weekly_hours"] = " ".join(exc.messages)
    else:
        if not any(hours.values()):
            errors["weekly_hours"] = "Open the calendar on at least one weekday."
    try:
        validate_timezone(timezone)
    except ValidationError as exc:
        errors["timezone"] = " ".join(exc.messages)
    if errors:
        raise InvalidInput("The calendar could not be saved.", fields=errors)
    calendar.weekly_hours = {
        day: [list(interval) for interval in intervals]
        for day, intervals in sorted(hours.items())
        if intervals
    }
    calendar.timezone = timezone
    calendar.holiday_country = country
    calendar.holiday_subdivision = subdivision
    with transaction.atomic():
        calendar.save(
            update_fields=[
                "weekly_hours",
                "timezone",
                "holiday_country",
                "holiday_subdivision",
                "updated_at",
            ]
        )
        # The catalog snapshot holds the agreements' calendars.
        bump(CATALOG)
    logger.info("calendar %s changed by person %s", calendar.pk, actor.pk)
    return calendar


def _touch(calendar: Calendar) -> None:
    # Closed days live in their own table; saving the calendar moves updated_at,
    # which is what tells every process's cache that the calendar changed.
    calendar.save(update_fields=["updated_at"])
    bump(CATALOG)


def add_closed_day(*, actor: Person, calendar: Calendar, day: date, name: str) -> ClosedDay:
    """Close the calendar for a whole day of the organization's own (not a public holiday)."""
    _require_manager(actor, calendar)
    errors = {}
    if not name.strip():
        errors["name"] = "Say why the day is closed, e.g. 'Company offsite'."
    elif len(name.strip()) > 200:
        errors["name"] = "Keep the name under 200 characters."
    if calendar.closed_days.filter(date=day).exists():
        errors["date"] = f"{day.isoformat()} is already a closed day."
    if errors:
        raise InvalidInput("The closed day could not be added.", fields=errors)
    try:
        with transaction.atomic():
            closed_day = ClosedDay.objects.create(calendar=calendar, date=day, name=name.strip())
            _touch(calendar)
    except IntegrityError as exc:
        # Someone added the same day a moment ago.
        raise InvalidInput(
            "The closed day could not be added.",
            fields={"date": f"{day.isoformat()} is already a closed day."},
        ) from exc
    return closed_day


def remove_closed_day(*, actor: Person, calendar: Calendar, closed_day_id: int) -> None:
    _require_manager(actor, calendar)
    with transaction.atomic():
        deleted, _ = ClosedDay.objects.filter(pk=closed_day_id, calendar=calendar).delete()
        if not deleted:
            raise NotFound("No such closed day.")
        _touch(calendar)
