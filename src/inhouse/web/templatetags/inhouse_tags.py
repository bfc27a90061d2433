"""Filters the pages share: sanitised Markdown, business durations, status badges."""

from datetime import timedelta

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


def _hours_minutes(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    return f"{hours}h" if hours else f"{rest}m"


@register.filter
def business_duration(value: int | timedelta | None, calendar: Calendar | int | None = None) -> str:
    """90 → "1h 30m"; with a calendar whose day is 8 hours, 1440 → "3 business days".

    Negative durations read as their size: the template says "overdue by".
    """
    if value is None or value == "":
        return ""
    minutes = int(value.total_seconds() // 60) if isinstance(value, timedelta) else int(value)
    minutes = abs(minutes)
    day = working_day_minutes(calendar) if isinstance(calendar, Calendar) else calendar
    if not day or minutes < day:
        return _hours_minutes(minutes)
    days, rest = divmod(minutes, day)
    if day == MINUTES_PER_DAY:
        text = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    else:
        text = ngettext("%(count)d business day", "%(count)d business days", days) % {"count": days}
    return f"{text} {_hours_minutes(rest)}" if rest else text


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """The status as words in a tinted pill; the words carry the meaning, not the colour.

    Built here rather than from a template: queues print one per row.
    """
    label = str(Status(status).label) if status in Status.values else status
    return format_html(
        '<span class="badge badge--{}"><span class="visually-hidden">{}</span>{}</span>',
        status,
        _("Status: "),
        label,
    )
