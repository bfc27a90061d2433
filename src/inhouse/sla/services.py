"""SLA clocks: started, paused, resumed, stopped and re-targeted with their request.

The rules come twice over: as plain functions that move a ``Clock`` in memory
(``schedule``, ``pause``, ``resume``, ``stop``, ``retarget``), which the demo's
replay uses on unsaved clocks, and as the functions the desk services call on
stored clocks (``pause_clock`` and the rest), which apply the same rules and
save. The stored ones run inside the caller's transaction with the request row
already locked; they never open a transaction of their own and never write the
request's history: a breach they find is returned, and the desk records it.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from inhouse.catalog.models import Agreement
from inhouse.catalog.selectors import target_for
from inhouse.core.inserts import insert_rows, update_columns
from inhouse.core.prepared import PreparedQuery
from inhouse.desk.models import Request
from inhouse.sla.businesstime import BusinessCalendar
from inhouse.sla.calendars import business_calendar_for
from inhouse.sla.models import Clock, ClockKind


@dataclass(frozen=True)
class Breach:
    """A clock that went past its due time, claimed by the caller: record it once."""

    request_id: int
    clock: str
    due_at: datetime


def targets_for(agreement: Agreement | None, priority: str) -> dict[str, timedelta]:
    """The business time each clock has under ``agreement`` at ``priority``."""
    target = target_for(agreement, priority)
    if target is None:
        return {}
    return {
        ClockKind.FIRST_RESPONSE: timedelta(minutes=target.first_response_minutes),
        ClockKind.RESOLUTION: timedelta(minutes=target.resolution_minutes),
    }


# --- the rules, on a clock in memory ------------------------------------------------------------


def schedule(clock: Clock, business: BusinessCalendar) -> None:
    """Set the due and warning times of a running clock from its start."""
    clock.due_at = business.add(clock.started_at, clock.target + clock.paused_total)
    safe_share = 1 - settings.SLA_AT_RISK_SHARE
    clock.warn_at = business.add(clock.started_at, clock.target * safe_share + clock.paused_total)


def _unschedule(clock: Clock) -> None:
    clock.due_at = None
    clock.warn_at = None


def _breach_if_late(clock: Clock, at: datetime) -> bool:
    """A clock halted past its due time breached then; True when that is news."""
    if clock.breached_at is None and clock.due_at is not None and at > clock.due_at:
        clock.breached_at = clock.due_at
        return True
    return False


def pause(clock: Clock, at: datetime) -> bool:
    """Pause a running clock; True if it was already late (a breach to record)."""
    if clock.stopped_at is not None or clock.paused_at is not None:
        return False
    late = _breach_if_late(clock, at)
    clock.paused_at = at
    _unschedule(clock)
    return late


def resume(clock: Clock, at: datetime, business: BusinessCalendar) -> None:
    """Resume a paused clock, or restart a stopped one (a reopened request).

    Either way the time it was not running is added to the paused time, so the
    clock carries on with exactly the business time it had left.
    """
    halted_since = clock.paused_at or clock.stopped_at
    if halted_since is None:
        return
    clock.paused_total += business.elapsed(halted_since, at)
    clock.paused_at = None
    clock.stopped_at = None
    schedule(clock, business)


def stop(clock: Clock, at: datetime, business: BusinessCalendar) -> bool:
    """Stop a clock; True if it stopped late (a breach to record)."""
    if clock.stopped_at is not None:
        return False
    if clock.paused_at is not None:
        # Stopping while paused: the pause ends now and does not count.
        clock.paused_total += business.elapsed(clock.paused_at, at)
        clock.paused_at = None
        schedule(clock, business)
    late = _breach_if_late(clock, at)
    clock.stopped_at = at
    return late


def retarget(
    clock: Clock,
    *,
    target: timedelta | None,
    calendar_id: int | None,
    business: BusinessCalendar | None,
    at: datetime,
) -> None:
    """Give a clock a new target (``None``: no agreement covers it any more).

    The due time is recomputed from the start, keeping the paused time; a clock
    that already stopped keeps its verdict, and one nobody promised a target for
    any more stops rather than run on.
    """
    if clock.stopped_at is not None:
        return
    if target is None or calendar_id is None or business is None:
        clock.stopped_at = at
        clock.paused_at = None
        _unschedule(clock)
        return
    clock.target = target
    clock.calendar_id = calendar_id
    if clock.paused_at is None:
        schedule(clock, business)


def sync_request_sla_fields(request: Request, clocks: Iterable[Clock]) -> None:
    """Copy what queues sort and filter by onto the request row (caller saves it)."""
    clocks = list(clocks)
    resolution = next((c for c in clocks if c.kind == ClockKind.RESOLUTION), None)
    request.resolution_due_at = (
        resolution.due_at if resolution is not None and resolution.is_running else None
    )
    request.sla_breached = any(c.breached_at is not None for c in clocks)


def new_clocks(
    targets: dict[str, timedelta],
    *,
    calendar_id: int,
    business: BusinessCalendar,
    started_at: datetime,
) -> list[Clock]:
    """The clocks a request starts with, scheduled, unsaved and not yet tied to a request."""
    clocks = []
    for kind, target in targets.items():
        clock = Clock(kind=kind, calendar_id=calendar_id, target=target, started_at=started_at)
        schedule(clock, business)
        clocks.append(clock)
    return clocks


# --- the stored clocks of a request -------------------------------------------------------------


def plan_clocks(request: Request, *, at: datetime) -> list[Clock]:
    """The clocks a new request starts with, scheduled but not saved yet.

    The caller copies their due times onto the request before inserting it, then
    saves them with ``start_clocks``: one write each instead of insert-then-update.
    """
    agreement = request.agreement
    if agreement is None:
        clocks: list[Clock] = []
    else:
        clocks = new_clocks(
            targets_for(agreement, request.priority),
            calendar_id=agreement.calendar_id,
            business=business_calendar_for(agreement.calendar),
            started_at=at,
        )
        for clock in clocks:
            # The calendar object itself, so reading the clock later costs no query.
            clock.calendar = agreement.calendar
    sync_request_sla_fields(request, clocks)
    return clocks


def start_clocks(request: Request, clocks: list[Clock]) -> None:
    """Write a request's new clocks; the request then holds them with the ones it
    already held, so whoever answers with it (the API's 201) does not read them back."""
    for clock in clocks:
        clock.request = request
    insert_rows(clocks)
    _hold(request, [*_held(request), *clocks])


def _held(request: Request) -> list[Clock]:
    """The clocks the request object already holds (none read yet: an empty list)."""
    held = getattr(request, "_prefetched_objects_cache", {}).get("clocks")
    return list(held) if held is not None else []


def _hold(request: Request, clocks: list[Clock]) -> None:
    """Let the request object hold ``clocks`` as if prefetched (``request.clocks.all()``)."""
    cache = getattr(request, "_prefetched_objects_cache", None)
    if cache is None:
        request._prefetched_objects_cache = cache = {}  # type: ignore[attr-defined]
    cache.pop("clocks", None)
    # The related manager's own queryset, as a prefetch stores it: its filter on the
    # request is applied only if someone narrows it further, so holding costs no
    # lookup resolution on every submit and change.
    holding = request.clocks.get_queryset()
    holding._result_cache = clocks
    holding._prefetch_done = True  # type: ignore[attr-defined]
    cache["clocks"] = holding


# Every change of a request reads its clocks this way: compiled once per process.
_clocks_of = PreparedQuery(
    lambda request_id: Clock.objects.select_related("calendar").filter(request_id=request_id),
    request_id=int,
)


def clocks_held(request: Request) -> list[Clock]:
    """The request's clocks with their calendars, read once per request object.

    A change locks the request (a fresh object) and then stops, pauses, resumes and
    refreshes its clocks in several steps: they all work on these same objects, which
    every step saves, so the object's copy stays what the database holds until commit.
    """
    if "clocks" in getattr(request, "_prefetched_objects_cache", {}):
        return _held(request)
    clocks = _clocks_of.instances(request_id=request.pk)
    _hold(request, clocks)
    return clocks


def _held_clock(request: Request, kind: str) -> Clock | None:
    return next((clock for clock in clocks_held(request) if clock.kind == kind), None)


def _claim_late_breach(clock: Clock, at: datetime) -> Breach | None:
    """Claim a breach found as the clock halts, with a conditional UPDATE as the sweep
    does, so a sweep committing in between cannot make it recorded twice."""
    assert clock.due_at is not None  # a clock found late had a due time
    claimed = Clock.objects.filter(pk=clock.pk, breached_at__isnull=True).update(
        breached_at=clock.due_at
    )
    if not claimed:
        return None
    return Breach(request_id=clock.request_id, clock=clock.kind, due_at=clock.due_at)


def stop_clock(request: Request, kind: str, *, at: datetime) -> Breach | None:
    """Stop the request's clock of ``kind``; returns the breach it was found with, if any."""
    clock = _held_clock(request, kind)
    if clock is None or clock.stopped_at is not None:
        return None
    late = stop(clock, at, business_calendar_for(clock.calendar))
    breach = _claim_late_breach(clock, at) if late else None
    update_columns(
        clock,
        [
            "stopped_at",
            "paused_at",
            "paused_total",
            "due_at",
            "warn_at",
            "breached_at",
        ],
    )
    return breach


def pause_clock(request: Request, kind: str, *, at: datetime) -> Breach | None:
    """Pause the request's running clock of ``kind``; returns a breach found late, if any."""
    clock = _held_clock(request, kind)
    if clock is None or clock.stopped_at is not None or clock.paused_at is not None:
        return None
    late = pause(clock, at)
    breach = _claim_late_breach(clock, at) if late else None
    update_columns(clock, ["paused_at", "due_at", "warn_at", "breached_at"])
    return breach


def resume_clock(request: Request, kind: str, *, at: datetime) -> None:
    """Resume the request's paused or stopped clock of ``kind`` (see ``resume``)."""
    clock = _held_clock(request, kind)
    if clock is None or (clock.paused_at is None and clock.stopped_at is None):
        return
    resume(clock, at, business_calendar_for(clock.calendar))
    update_columns(clock, ["paused_total", "paused_at", "stopped_at", "due_at", "warn_at"])


def retarget_all(
    clocks: list[Clock],
    *,
    targets: dict[str, timedelta],
    calendar_id: int | None,
    business: BusinessCalendar | None,
    at: datetime,
    started_at: datetime,
) -> list[Clock]:
    """Apply ``targets`` to a request's clocks in memory (see ``retarget``); returns the
    clocks to start, from ``started_at``, for targets the request had no clock for."""
    for clock in clocks:
        retarget(
            clock, target=targets.get(clock.kind), calendar_id=calendar_id, business=business,
            at=at,
        )  # fmt: skip
    kinds = {clock.kind for clock in clocks}
    missing = {kind: target for kind, target in targets.items() if kind not in kinds}
    if not missing or calendar_id is None or business is None:
        return []
    return new_clocks(missing, calendar_id=calendar_id, business=business, started_at=started_at)


def retarget_clocks(request: Request) -> None:
    """Apply the request's current agreement and priority to its stored clocks."""
    agreement = request.agreement
    existing = clocks_held(request)
    halted_before = {clock.pk for clock in existing if clock.stopped_at is not None}
    started = retarget_all(
        existing,
        targets=targets_for(agreement, request.priority),
        calendar_id=agreement.calendar_id if agreement else None,
        business=business_calendar_for(agreement.calendar) if agreement else None,
        at=timezone.now(),
        started_at=request.created_at,
    )
    for clock in existing:
        if clock.pk not in halted_before:
            update_columns(
                clock, ["stopped_at", "paused_at", "target", "calendar", "due_at", "warn_at"]
            )
    start_clocks(request, started)


def refresh_request_sla_fields(request: Request) -> None:
    sync_request_sla_fields(request, clocks_held(request))


# --- the sweeps' claims -------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A clock a sweep found due for a breach or a warning, before claiming it."""

    clock_id: int
    request_id: int
    clock: str
    due_at: datetime


def overdue_clocks(*, now: datetime) -> Iterator[Candidate]:
    """Running clocks past their due time and not yet breached."""
    overdue = Clock.objects.filter(
        breached_at__isnull=True, stopped_at__isnull=True, paused_at__isnull=True, due_at__lt=now
    ).values_list("pk", "request_id", "kind", "due_at")
    for clock_id, request_id, kind, due_at in overdue.iterator(chunk_size=500):
        if due_at is not None:  # always: ``due_at__lt`` matches no clock without one
            yield Candidate(clock_id=clock_id, request_id=request_id, clock=kind, due_at=due_at)


def claim_breach(overdue: Candidate) -> Breach | None:
    """Mark one overdue clock (and its request) breached, once; the caller records the
    breach in the same transaction.

    Safe with several workers at once: the conditional UPDATE matches for one of
    them only, and only that one gets the breach back. The due time is part of
    the condition, so a clock re-targeted meanwhile is left for the next sweep.
    """
    claimed = Clock.objects.filter(
        pk=overdue.clock_id, breached_at__isnull=True, due_at=overdue.due_at
    ).update(breached_at=overdue.due_at)
    if not claimed:
        return None
    Request.objects.filter(pk=overdue.request_id).update(sla_breached=True)
    return Breach(request_id=overdue.request_id, clock=overdue.clock, due_at=overdue.due_at)


def clocks_entering_risk(*, now: datetime) -> Iterator[Candidate]:
    """Running clocks in their at-risk share whose people were not warned yet."""
    entering_risk = Clock.objects.filter(
        warned_at__isnull=True,
        breached_at__isnull=True,
        stopped_at__isnull=True,
        paused_at__isnull=True,
        warn_at__lte=now,
        due_at__gt=now,
    ).values_list("pk", "request_id", "kind", "due_at")
    for clock_id, request_id, kind, due_at in entering_risk.iterator(chunk_size=500):
        if due_at is not None:  # always: ``due_at__gt`` matches no clock without one
            yield Candidate(clock_id=clock_id, request_id=request_id, clock=kind, due_at=due_at)


def claim_warning(at_risk: Candidate, *, now: datetime) -> bool:
    """Mark one clock warned, once (a conditional UPDATE, as ``claim_breach``)."""
    return bool(
        Clock.objects.filter(pk=at_risk.clock_id, warned_at__isnull=True).update(warned_at=now)
    )
