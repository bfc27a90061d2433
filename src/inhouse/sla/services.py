"""SLA clocks: started, paused, resumed, stopped and re-targeted with their request.

These functions are called by the desk services inside their transaction, with
the request row already locked; they never open a transaction of their own
except ``sweep_breaches``, which the worker runs.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from inhouse.catalog.models import Agreement
from inhouse.catalog.selectors import target_for
from inhouse.desk.models import EventKind, Request, RequestEvent
from inhouse.desk.services import notifications
from inhouse.sla.calendars import business_calendar_for
from inhouse.sla.models import Clock, ClockKind


def _targets(agreement: Agreement | None, priority: str) -> dict[str, timedelta]:
    target = target_for(agreement, priority)
    if target is None:
        return {}
    return {
        ClockKind.FIRST_RESPONSE: timedelta(minutes=target.first_response_minutes),
        ClockKind.RESOLUTION: timedelta(minutes=target.resolution_minutes),
    }


def _schedule(clock: Clock) -> None:
    """Set the due and warning times of a running clock from its start."""
    calendar = business_calendar_for(clock.calendar)
    clock.due_at = calendar.add(clock.started_at, clock.target + clock.paused_total)
    safe_share = 1 - settings.SLA_AT_RISK_SHARE
    clock.warn_at = calendar.add(clock.started_at, clock.target * safe_share + clock.paused_total)


def _unschedule(clock: Clock) -> None:
    clock.due_at = None
    clock.warn_at = None


def _business_between(clock: Clock, start: datetime, end: datetime) -> timedelta:
    return business_calendar_for(clock.calendar).elapsed(start, end)


def sync_request_sla_fields(request: Request, clocks: Iterable[Clock]) -> None:
    """Copy what queues sort and filter by onto the request row (caller saves it)."""
    clocks = list(clocks)
    resolution = next((c for c in clocks if c.kind == ClockKind.RESOLUTION), None)
    request.resolution_due_at = (
        resolution.due_at if resolution is not None and resolution.is_running else None
    )
    request.sla_breached = any(c.breached_at is not None for c in clocks)


def plan_clocks(request: Request, *, at: datetime) -> list[Clock]:
    """The clocks a new request starts with, scheduled but not saved yet.

    The caller copies their due times onto the request before inserting it, then
    saves them with ``start_clocks``: one write each instead of insert-then-update.
    """
    agreement = request.agreement
    clocks = []
    for kind, target in _targets(agreement, request.priority).items():
        clock = Clock(
            request=request, kind=kind, calendar=agreement.calendar, target=target, started_at=at
        )
        _schedule(clock)
        clocks.append(clock)
    sync_request_sla_fields(request, clocks)
    return clocks


def start_clocks(request: Request, clocks: list[Clock]) -> None:
    for clock in clocks:
        clock.request = request
    Clock.objects.bulk_create(clocks)


def _save(clock: Clock, *fields: str) -> None:
    clock.save(update_fields=list(fields))


def _mark_breach_if_late(clock: Clock, at: datetime) -> None:
    """A clock stopped or paused past its due time breached then; the history says so once.

    The breach is claimed with a conditional UPDATE, as the sweep does, so a sweep
    committing in between cannot make it recorded twice.
    """
    if clock.breached_at is None and clock.due_at is not None and at > clock.due_at:
        clock.breached_at = clock.due_at
        claimed = Clock.objects.filter(pk=clock.pk, breached_at__isnull=True).update(
            breached_at=clock.due_at
        )
        if not claimed:
            return
        RequestEvent.objects.create(
            request_id=clock.request_id,
            kind=EventKind.BREACHED,
            data={"clock": clock.kind, "due_at": clock.due_at.isoformat()},
            created_at=at,
        )


def stop_clock(request: Request, kind: str, *, at: datetime) -> Clock | None:
    clock = Clock.objects.filter(request=request, kind=kind, stopped_at__isnull=True).first()
    if clock is None:
        return None
    if clock.paused_at is not None:
        # Stopping while paused: the pause ends now and does not count.
        clock.paused_total += _business_between(clock, clock.paused_at, at)
        clock.paused_at = None
        _schedule(clock)
    _mark_breach_if_late(clock, at)
    clock.stopped_at = at
    _save(clock, "stopped_at", "paused_at", "paused_total", "due_at", "warn_at", "breached_at")
    return clock


def pause_clock(request: Request, kind: str, *, at: datetime) -> None:
    clock = Clock.objects.filter(
        request=request, kind=kind, stopped_at__isnull=True, paused_at__isnull=True
    ).first()
    if clock is None:
        return
    _mark_breach_if_late(clock, at)
    clock.paused_at = at
    _unschedule(clock)
    _save(clock, "paused_at", "due_at", "warn_at", "breached_at")


def resume_clock(request: Request, kind: str, *, at: datetime) -> None:
    """Resume a paused clock, or restart a stopped one (a reopened request).

    Either way the time it was not running is added to the paused time, so the
    clock carries on with exactly the business time it had left.
    """
    clock = Clock.objects.filter(request=request, kind=kind).first()
    if clock is None:
        return
    halted_since = clock.paused_at or clock.stopped_at
    if halted_since is None:
        return
    clock.paused_total += _business_between(clock, halted_since, at)
    clock.paused_at = None
    clock.stopped_at = None
    _schedule(clock)
    _save(clock, "paused_total", "paused_at", "stopped_at", "due_at", "warn_at")


def retarget_clocks(request: Request) -> None:
    """Apply the request's current agreement and priority to its clocks.

    Due times are recomputed from each clock's start, keeping the paused time;
    a clock that already stopped keeps its verdict.
    """
    targets = _targets(request.agreement, request.priority)
    for clock in Clock.objects.filter(request=request):
        if clock.stopped_at is not None:
            continue
        if clock.kind not in targets:
            # No agreement covers this any more (say, moved to a team without one):
            # the clock stops rather than run on targets nobody promised.
            clock.stopped_at = timezone.now()
            clock.paused_at = None
            _unschedule(clock)
            _save(clock, "stopped_at", "paused_at", "due_at", "warn_at")
            continue
        clock.target = targets[clock.kind]
        clock.calendar = request.agreement.calendar
        if clock.paused_at is None:
            _schedule(clock)
        _save(clock, "target", "calendar", "due_at", "warn_at")
    existing = set(Clock.objects.filter(request=request).values_list("kind", flat=True))
    for kind, target in targets.items():
        if kind not in existing:
            clock = Clock(
                request=request,
                kind=kind,
                calendar=request.agreement.calendar,
                target=target,
                started_at=request.created_at,
            )
            _schedule(clock)
            clock.save()


def refresh_request_sla_fields(request: Request) -> None:
    sync_request_sla_fields(request, Clock.objects.filter(request=request))


def sweep_breaches(*, now: datetime) -> int:
    """Mark every running clock past its due time as breached, once.

    Safe to run from several workers at once: each clock is claimed with a
    conditional UPDATE, and only the worker whose update matched records the
    history event.
    """
    marked = 0
    overdue = Clock.objects.filter(
        breached_at__isnull=True, stopped_at__isnull=True, paused_at__isnull=True, due_at__lt=now
    ).values_list("pk", "request_id", "kind", "due_at")
    for clock_id, request_id, kind, due_at in overdue.iterator(chunk_size=500):
        with transaction.atomic():
            claimed = Clock.objects.filter(
                pk=clock_id, breached_at__isnull=True, due_at=due_at
            ).update(breached_at=due_at)
            if not claimed:
                continue
            Request.objects.filter(pk=request_id).update(sla_breached=True)
            RequestEvent.objects.create(
                request_id=request_id,
                kind=EventKind.BREACHED,
                data={"clock": kind, "due_at": due_at.isoformat()},
                created_at=now,
            )
            notifications.notify_breached(
                Request.objects.get(pk=request_id), clock_label=ClockKind(kind).label.lower()
            )
        marked += 1
    return marked


def sweep_warnings(*, now: datetime) -> int:
    """Warn the people working a request, once per clock, when it enters its at-risk share."""
    warned = 0
    entering_risk = Clock.objects.filter(
        warned_at__isnull=True,
        breached_at__isnull=True,
        stopped_at__isnull=True,
        paused_at__isnull=True,
        warn_at__lte=now,
        due_at__gt=now,
    ).values_list("pk", "request_id", "kind")
    for clock_id, request_id, kind in entering_risk.iterator(chunk_size=500):
        with transaction.atomic():
            if not Clock.objects.filter(pk=clock_id, warned_at__isnull=True).update(warned_at=now):
                continue
            notifications.notify_at_risk(
                Request.objects.get(pk=request_id), clock_label=ClockKind(kind).label.lower()
            )
        warned += 1
    return warned
