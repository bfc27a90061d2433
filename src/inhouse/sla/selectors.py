from dataclasses import dataclass
from datetime import date, datetime, timedelta

from inhouse.core.errors import NotFound
from inhouse.org.models import Team
from inhouse.sla.calendars import business_calendar_for, public_holidays
from inhouse.sla.models import Calendar, Clock, ClosedDay


@dataclass(frozen=True)
class ClockState:
    kind: str
    target: timedelta
    started_at: datetime
    due_at: datetime | None
    remaining: timedelta
    paused: bool
    paused_total: timedelta
    stopped_at: datetime | None
    breached: bool
    breached_at: datetime | None
    at_risk: bool


def clock_state(clock: Clock, *, now: datetime) -> ClockState:
    """A clock as people read it: due, remaining business time, paused, breached."""
    calendar = business_calendar_for(clock.calendar)
    halted_at = clock.stopped_at or clock.paused_at or now
    consumed = calendar.elapsed(clock.started_at, halted_at) - clock.paused_total
    remaining = clock.target - consumed
    breached_at = clock.breached_at
    if breached_at is None and clock.due_at is not None and halted_at > clock.due_at:
        # Past due but the sweep has not marked it yet: it is breached all the same.
        breached_at = clock.due_at
    running = clock.stopped_at is None and clock.paused_at is None
    return ClockState(
        kind=clock.kind,
        target=clock.target,
        started_at=clock.started_at,
        due_at=clock.due_at,
        remaining=remaining,
        paused=clock.paused_at is not None,
        paused_total=clock.paused_total,
        stopped_at=clock.stopped_at,
        breached=breached_at is not None,
        breached_at=breached_at,
        at_risk=running
        and breached_at is None
        and clock.warn_at is not None
        and now >= clock.warn_at,
    )


# --- a team's calendars, as its lead's pages show them -------------------------------------


def calendars_used_by(team: Team) -> list[Calendar]:
    """The calendars the team's agreements count in, by name."""
    return list(Calendar.objects.filter(agreements__provider_team=team).distinct().order_by("name"))


def get_calendar_used_by(team: Team, pk: int) -> Calendar:
    """A calendar the team's agreements use; others are not the team's business."""
    calendar = Calendar.objects.filter(pk=pk, agreements__provider_team=team).distinct().first()
    if calendar is None:
        raise NotFound("No such calendar.")
    return calendar


def other_teams_using(calendar: Calendar, *, besides: Team) -> list[Team]:
    """The other teams whose agreements count in this calendar, by name: who a change affects."""
    return list(
        Team.objects.filter(agreements_provided__calendar=calendar)
        .exclude(pk=besides.pk)
        .distinct()
        .order_by("name")
    )


def closed_days_from(calendar: Calendar, day: date) -> list[ClosedDay]:
    """The calendar's own closed days on or after ``day``, in date order."""
    return list(calendar.closed_days.filter(date__gte=day).order_by("date"))


def public_holidays_between(calendar: Calendar, first: date, last: date) -> list[tuple[date, str]]:
    """The calendar's public holidays from ``first`` to ``last`` (inclusive), with their names."""
    found = public_holidays(calendar.holiday_country, calendar.holiday_subdivision)
    return sorted((day, name) for day, name in found.items() if first <= day <= last)
