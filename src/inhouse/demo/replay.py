"""Replays one planned request up to ``now`` into the rows the services would have written.

Each step does what its service function does (``add_comment``,
``transition_request``, ``update_request``, ``transfer_request``) to the
request, its history and its SLA clocks, and the worker's sweeps mark
warnings and breaches at the moment they fall due.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from inhouse.demo.plans import Act, PlannedRequest, Step
from inhouse.demo.world import Terms, World
from inhouse.desk.models import Channel, EventKind, Request, Status
from inhouse.policy import TRANSITIONS
from inhouse.sla.models import ClockKind


@dataclass
class ReplayedClock:
    """A clock in memory, moved by the same rules as ``inhouse.sla.services``."""

    kind: str
    terms: Terms
    target: timedelta
    started_at: datetime
    paused_at: datetime | None = None
    paused_total: timedelta = timedelta(0)
    stopped_at: datetime | None = None
    due_at: datetime | None = None
    warn_at: datetime | None = None
    breached_at: datetime | None = None
    warned_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None

    def schedule(self) -> None:
        business = self.terms.business
        self.due_at = business.add(self.started_at, self.target + self.paused_total)
        safe_share = 1 - settings.SLA_AT_RISK_SHARE
        self.warn_at = business.add(self.started_at, self.target * safe_share + self.paused_total)

    def _mark_breach_if_late(self, at: datetime) -> None:
        if self.breached_at is None and self.due_at is not None and at > self.due_at:
            self.breached_at = self.due_at

    def pause(self, at: datetime) -> None:
        if self.running:
            self._mark_breach_if_late(at)
            self.paused_at, self.due_at, self.warn_at = at, None, None

    def resume(self, at: datetime) -> None:
        """Carry on after a pause, or after being stopped (a reopened request)."""
        halted_since = self.paused_at or self.stopped_at
        if halted_since is not None:
            self.paused_total += self.terms.business.elapsed(halted_since, at)
            self.paused_at = self.stopped_at = None
            self.schedule()

    def stop(self, at: datetime) -> None:
        if self.stopped_at is not None:
            return
        if self.paused_at is not None:
            self.paused_total += self.terms.business.elapsed(self.paused_at, at)
            self.paused_at = None
            self.schedule()
        self._mark_breach_if_late(at)
        self.stopped_at = at

    def retarget(self, terms: Terms, target: timedelta) -> None:
        if self.stopped_at is None:
            self.terms, self.target = terms, target
            if self.paused_at is None:
                self.schedule()


@dataclass
class ReplayedEvent:
    at: datetime
    actor: int | None
    kind: str
    data: dict[str, Any]
    public: bool = True
    comment: int | None = None  # index into the replayed request's comments
    blocker: int | None = None  # uid of a blocking request, for dependency events


@dataclass
class ReplayedComment:
    author: int
    body: str
    public: bool
    by_provider: bool
    channel: str
    at: datetime


@dataclass
class Replayed:
    """One request as the services would have left it at ``now``, with its rows."""

    plan: PlannedRequest
    references: list[tuple[str, int, datetime]]  # reference, team id, since
    holdings: list[list]  # [team id, started at, ended at or None]
    clocks: list[ReplayedClock]
    comments: list[ReplayedComment] = field(default_factory=list)
    events: list[ReplayedEvent] = field(default_factory=list)
    blockers: list[tuple[int, datetime]] = field(default_factory=list)  # blocker uid, linked at
    request: Request | None = None  # built last, from the final state


class _Request:
    """The mutable state of one request while its steps are replayed."""

    def __init__(self, world: World, plan: PlannedRequest, references: list[str]) -> None:
        self.world, self.plan = world, plan
        service = world.services[plan.service]
        self.service = plan.service
        self.team_id = service.team_id
        self.terms = world.terms(service.id, plan.customer_team)
        self.status = Status.NEW
        self.assignee: int | None = None
        self.priority = plan.priority
        self.confidential = service.spec.confidential
        self.version = 1
        self.first_responded_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.updated_at = plan.created_at
        self.references = references
        self.taken = 1  # references taken so far
        self.out = Replayed(
            plan=plan,
            references=[(references[0], self.team_id, plan.created_at)],
            holdings=[[self.team_id, plan.created_at, None]],
            clocks=[],
        )
        data = {"service": plan.service, "priority": plan.priority, "channel": plan.channel,
                "reference": references[0]}  # fmt: skip
        self.event(plan.created_at, plan.requester, EventKind.CREATED, data)
        if self.terms is not None and plan.priority in self.terms.targets:
            first, resolution = self.terms.targets[plan.priority]
            for kind, target in (
                (ClockKind.FIRST_RESPONSE, first),
                (ClockKind.RESOLUTION, resolution),
            ):
                clock = ReplayedClock(kind, self.terms, target, plan.created_at)
                clock.schedule()
                self.out.clocks.append(clock)

    # --- building blocks ----------------------------------------------------------------------

    def event(self, at: datetime, actor: int | None, kind: str, data: dict, **extra: Any) -> None:
        self.out.events.append(ReplayedEvent(at, actor, kind, data, **extra))

    def comment(self, at: datetime, author: int, body: str, *, public: bool = True) -> None:
        by_provider = author != self.plan.requester
        channel = (
            self.plan.channel
            if not by_provider and self.plan.channel in (Channel.EMAIL, Channel.CHAT)
            else Channel.PORTAL
        )
        self.out.comments.append(ReplayedComment(author, body, public, by_provider, channel, at))
        self.event(at, author, EventKind.COMMENTED, {"public": public}, public=public,
                   comment=len(self.out.comments) - 1)  # fmt: skip

    def clock(self, kind: str) -> ReplayedClock | None:
        return next((clock for clock in self.out.clocks if clock.kind == kind), None)

    def on_clock(self, kind: str, action: str, at: datetime) -> None:
        clock = self.clock(kind)
        if clock is not None:
            getattr(clock, action)(at)

    def first_response(self, at: datetime, actor: int) -> bool:
        if self.first_responded_at is not None:
            return False
        self.first_responded_at = at
        self.on_clock(ClockKind.FIRST_RESPONSE, "stop", at)
        self.event(at, actor, EventKind.FIRST_RESPONSE, {})
        return True

    def move(self, at: datetime, actor: int | None, to: str) -> None:
        """``desk.services.requests._apply_status``: the status and the clocks it moves."""
        before = self.status
        if to not in TRANSITIONS[before]:
            raise ValueError(
                f"{self.plan.subject!r}: planned {before} → {to}, which is not allowed."
            )
        if before == Status.WAITING_ON_CUSTOMER:
            self.on_clock(ClockKind.RESOLUTION, "resume", at)
        if to == Status.WAITING_ON_CUSTOMER:
            self.on_clock(ClockKind.RESOLUTION, "pause", at)
        elif to in (Status.RESOLVED, Status.CANCELLED):
            self.on_clock(ClockKind.FIRST_RESPONSE, "stop", at)
            self.on_clock(ClockKind.RESOLUTION, "stop", at)
            if to == Status.RESOLVED:
                self.resolved_at = at
        elif to == Status.CLOSED:
            self.closed_at = at
        elif to == Status.IN_PROGRESS and before == Status.RESOLVED:
            self.on_clock(ClockKind.RESOLUTION, "resume", at)
            self.resolved_at = None
        self.status = to
        self.event(at, actor, EventKind.STATUS_CHANGED, {"status": [before, to]})

    def retarget(self) -> None:
        if self.terms is None or self.priority not in self.terms.targets:
            return
        first, resolution = self.terms.targets[self.priority]
        for clock in self.out.clocks:
            clock.retarget(
                self.terms, first if clock.kind == ClockKind.FIRST_RESPONSE else resolution
            )

    def sweep(self, until: datetime) -> None:
        """What the worker's minutely sweeps did up to ``until``: warn, then mark breaches."""
        for clock in self.out.clocks:
            if not clock.running or clock.breached_at is not None:
                continue
            if clock.warned_at is None and clock.warn_at <= until:
                clock.warned_at = clock.warn_at
            if clock.due_at < until:
                clock.breached_at = clock.due_at
                self.event(clock.due_at, None, EventKind.BREACHED,
                           {"clock": clock.kind, "due_at": clock.due_at.isoformat()})  # fmt: skip

    # --- the steps ------------------------------------------------------------------------------

    def apply(self, step: Step) -> None:
        at, actor = step.at, step.actor
        changed = True
        if step.act == Act.ASSIGN:
            self.event(at, actor, EventKind.ASSIGNED, {"assignee": [self.assignee, step.value]})
            self.assignee = step.value
        elif step.act == Act.REPLY:
            self.comment(at, actor, step.text)
            changed = self.first_response(at, actor)
            if self.status == Status.NEW:
                self.move(at, actor, Status.IN_PROGRESS)
                changed = True
        elif step.act == Act.NOTE:
            self.comment(at, actor, step.text, public=False)
            changed = False
        elif step.act in (Act.ASK, Act.RESOLVE):
            self.comment(at, actor, step.text)
            self.first_response(at, actor)
            self.move(
                at, actor, Status.WAITING_ON_CUSTOMER if step.act == Act.ASK else Status.RESOLVED
            )
        elif step.act == Act.REQUESTER_REPLY:
            self.comment(at, actor, step.text)
            changed = self.status == Status.WAITING_ON_CUSTOMER
            if changed:
                self.move(at, actor, Status.IN_PROGRESS)
        elif step.act == Act.SUPPLIER_WAIT:
            self.move(at, actor, Status.WAITING_ON_SUPPLIER)
        elif step.act == Act.SUPPLIER_DONE:
            self.move(at, actor, Status.IN_PROGRESS)
        elif step.act == Act.PRIORITY:
            self.event(
                at, actor, EventKind.PRIORITY_CHANGED, {"priority": [self.priority, step.value]}
            )
            self.priority = step.value
            self.retarget()
        elif step.act == Act.TRANSFER:
            self.transfer(at, actor, step.value, step.text)
        elif step.act == Act.BLOCKED_BY:
            self.event(at, actor, EventKind.DEPENDENCY_ADDED, {}, blocker=step.value)
            self.out.blockers.append((step.value, at))
        elif step.act == Act.REOPEN:
            self.comment(at, actor, step.text)
            self.move(at, actor, Status.IN_PROGRESS)
        elif step.act == Act.CLOSE:
            self.move(at, actor, Status.CLOSED)
        elif step.act == Act.CANCEL:
            self.comment(at, actor, step.text)
            if actor != self.plan.requester:
                self.first_response(at, actor)
            self.move(at, actor, Status.CANCELLED)
        # Every step touches the request; only real changes bump its version (optimistic locking).
        self.updated_at = at
        if changed:
            self.version += 1

    def transfer(self, at: datetime, actor: int, slug: str, note: str) -> None:
        old_slug, old_team, old_reference = (
            self.service,
            self.team_id,
            self.references[self.taken - 1],
        )
        service = self.world.services[slug]
        if service.team_id != old_team:
            self.out.holdings[-1][2] = at
            self.out.holdings.append([service.team_id, at, None])
            reference = self.references[self.taken]
            self.taken += 1
            self.out.references.append((reference, service.team_id, at))
            self.team_id, self.assignee = service.team_id, None
        self.service = slug
        self.confidential = self.confidential or service.spec.confidential
        self.terms = self.world.terms(service.id, self.plan.customer_team)
        self.retarget()
        self.event(at, actor, EventKind.TRANSFERRED, {
            "service": [old_slug, slug], "provider_team": [old_team, self.team_id],
            "reference": [old_reference, self.references[self.taken - 1]], "note": note,
        })  # fmt: skip

    def finish(self, now: datetime, parent_id: int | None) -> Replayed:
        self.sweep(now)
        plan, out = self.plan, self.out
        resolution = self.clock(ClockKind.RESOLUTION)
        out.request = Request(
            reference=self.references[self.taken - 1],
            service_id=self.world.services[self.service].id,
            provider_team_id=self.team_id,
            agreement_id=self.terms.agreement_id if self.terms else None,
            requester_id=plan.requester,
            customer_team_id=plan.customer_team,
            subject=plan.subject,
            description=plan.description,
            form_answers=plan.answers,
            priority=self.priority,
            status=self.status,
            assignee_id=self.assignee,
            confidential=self.confidential,
            parent_id=parent_id,
            external_ref=plan.external_ref,
            channel=plan.channel,
            version=self.version,
            created_at=plan.created_at,
            updated_at=self.updated_at,
            first_responded_at=self.first_responded_at,
            resolved_at=self.resolved_at,
            closed_at=self.closed_at,
            resolution_due_at=resolution.due_at if resolution and resolution.running else None,
            sla_breached=any(clock.breached_at for clock in out.clocks),
        )
        out.events.sort(key=lambda event: event.at)
        return out


def replay(
    world: World, plan: PlannedRequest, references: list[str], now: datetime, parent_id: int | None
) -> Replayed:
    """The request as the services would have left it at ``now``, with every row it wrote.

    ``references`` are the ones it takes, in order: on filing, then one per transfer to
    another team.
    """
    state = _Request(world, plan, references)
    for step in plan.steps:
        if step.at > now:
            break
        state.sweep(step.at)
        state.apply(step)
    return state.finish(now, parent_id)
