"""Filters the pages share: sanitised Markdown, business durations, moments, status badges."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django import template
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from inhouse.catalog.selectors import ExpectedTimes
from inhouse.core.text import render_markdown
from inhouse.desk.models import Status
from inhouse.sla.models import Calendar

register = template.Library()

MINUTES_PER_DAY = 24 * 60


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """User-written Markdown as HTML; ``render_markdown`` allow-lists tags and link schemes."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 - sanitised by nh3


def working_day_minutes(calendar: Calendar) -> int:
    """The longest working day of a calendar's week: what "one business day" means there."""
    longest = 0
    for intervals in (calendar.weekly_hours or {}).values():
        day = 0
        for start, end in intervals:
            start_h, start_m = map(int, start.split(":"))
            end_h, end_m = map(int, end.split(":"))
            day += (end_h * 60 + end_m) - (start_h * 60 + start_m)
        longest = max(longest, day)
    return longest or MINUTES_PER_DAY


class DurationUnit(StrEnum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"


@dataclass(frozen=True)
class RoundedDuration:
    """A duration as a person says it: a count of one unit, in halves, exact or "about"."""

    unit: DurationUnit
    # The count in half units: 7 halves of a day is "3½ days".
    halves: int
    # How many minutes one unit is: 1, 60, or the calendar's working day.
    unit_minutes: int
    exact: bool

    @property
    def twice_minutes(self) -> int:
        """Twice the minutes this rounded duration stands for (whole even for odd days)."""
        return self.halves * self.unit_minutes


# From this many days on, halves of a day are more precision than anyone reads.
WHOLE_DAYS_FROM = 10


def round_business_duration(minutes: int, day_minutes: int) -> RoundedDuration:
    """``minutes`` (0 or more) rounded as it is said, given how long one day is.

    Under an hour (or under a day, if the day is shorter): the exact minutes. Under a
    day: hours to the nearest half, never rounded past the day ("about 1 day" instead).
    From a day on: days to the nearest half, whole days from ``WHOLE_DAYS_FROM`` on.
    Halves round up, so a longer duration never reads shorter than a shorter one.
    """
    if minutes < 0 or day_minutes <= 0:
        raise ValueError("A duration cannot be negative, nor a day shorter than a minute.")
    if minutes < min(60, day_minutes):
        return RoundedDuration(DurationUnit.MINUTE, 2 * minutes, 1, exact=True)
    if minutes < day_minutes:
        halves = (minutes + 15) // 30
        if halves * 30 < day_minutes:
            return RoundedDuration(DurationUnit.HOUR, halves, 60, exact=halves * 30 == minutes)
        return RoundedDuration(DurationUnit.DAY, 2, day_minutes, exact=False)
    if minutes < WHOLE_DAYS_FROM * day_minutes:
        halves = (4 * minutes + day_minutes) // (2 * day_minutes)
    else:
        halves = 2 * ((2 * minutes + day_minutes) // (2 * day_minutes))
    return RoundedDuration(
        DurationUnit.DAY, halves, day_minutes, exact=halves * day_minutes == 2 * minutes
    )


def say_duration(rounded: RoundedDuration, *, working: bool) -> str:
    """ "25 minutes", "2 working hours", "about 3½ working days"; never empty."""
    whole, half = divmod(rounded.halves, 2)
    count = (f"{whole}½" if whole else "½") if half else str(whole)
    # "1½ days" is plural in English; the form is chosen by the next whole number.
    number = whole + half
    if rounded.unit == DurationUnit.MINUTE:
        text = ngettext("%(count)s minute", "%(count)s minutes", number)
    elif rounded.unit == DurationUnit.HOUR:
        text = (
            ngettext("%(count)s working hour", "%(count)s working hours", number)
            if working
            else ngettext("%(count)s hour", "%(count)s hours", number)
        )
    else:
        text = (
            ngettext("%(count)s working day", "%(count)s working days", number)
            if working
            else ngettext("%(count)s day", "%(count)s days", number)
        )
    text = text % {"count": count}
    return text if rounded.exact else _("about %(duration)s") % {"duration": text}


@register.filter
def business_duration(value: int | timedelta | None, calendar: Calendar | int | None = None) -> str:
    """Business minutes in plain words, in the calendar's working days.

    With a calendar whose day is 8 hours: 25 → "25 minutes", 90 → "1½ working hours",
    1700 → "about 3½ working days". A round-the-clock calendar (or none) counts plain
    hours and days. ``calendar`` may also be the length of its day in minutes.
    Negative durations read as their size: the template says "over" or "overdue by".
    """
    if value is None or value == "":
        return ""
    minutes = int(value.total_seconds() // 60) if isinstance(value, timedelta) else int(value)
    day = working_day_minutes(calendar) if isinstance(calendar, Calendar) else calendar
    day = day or MINUTES_PER_DAY
    rounded = round_business_duration(abs(minutes), day)
    return say_duration(rounded, working=day != MINUTES_PER_DAY)


# How a moment is written, by the style a template asks for; "T" names the timezone.
MOMENT_FORMATS = {
    "": "D j M, H:i T",
    "year": "D j M Y, H:i T",
    "day": "j M Y",
}


@register.filter(expects_localtime=True)
def moment(value: datetime | None, style: str = "") -> SafeString:
    """A stored time as a ``<time>`` element in the viewer's timezone, with its abbreviation.

    ``{{ req.created_at|moment }}`` → ``<time datetime="…">Tue 3 Mar, 10:00 CET</time>``;
    style "year" adds the year, "day" writes the date alone. The middleware activates
    the viewer's timezone, and templates hand this filter the time already in it.
    """
    if not value:
        return SafeString("")
    return format_html(
        '<time datetime="{}">{}</time>',
        # What the "c" format writes, without a second formatter: queues show one per row.
        value.isoformat(),
        dateformat.format(value, MOMENT_FORMATS[style]),
    )


@register.simple_tag
def expected_times_words(expected: ExpectedTimes | None) -> str:
    """An agreement's targets for one service in one sentence, said alike on every page.

    "First response within **4 working hours** · resolved within **2 working days**".
    """
    if expected is None:
        return _("No agreed times for your team.")
    calendar = expected.agreement.calendar
    return format_html(
        _("First response within {first} · resolved within {resolution}"),
        first=format_html(
            "<strong>{}</strong>", business_duration(expected.first_response_minutes, calendar)
        ),
        resolution=format_html(
            "<strong>{}</strong>", business_duration(expected.resolution_minutes, calendar)
        ),
    )


# Lazy labels, translated when shown; ``Status.values`` would build a list per call.
_STATUS_LABELS = dict(Status.choices)


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """The status as words in a tinted pill; the words carry the meaning, not the colour.

    Built here rather than from a template: queues print one per row.
    """
    label = str(_STATUS_LABELS.get(status, status))
    return format_html(
        '<span class="badge badge--{}"><span class="visually-hidden">{}</span>{}</span>',
        status,
        _("Status: "),
        label,
    )
