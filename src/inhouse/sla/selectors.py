from dataclasses import dataclass
from datetime import datetime, timedelta

from inhouse.sla.calendars import business_calendar_for
from inhouse.sla.models import Clock


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
