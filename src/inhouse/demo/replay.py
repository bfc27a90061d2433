"""Replays one planned request up to ``now`` into the rows the services would have written.

Each step does what its service function does (``add_comment``,
``transition_request``, ``update_request``, ``transfer_request``) to the
request, its history and its SLA clocks, with the services' own rules: the
clocks move by the functions of ``inhouse.sla.services`` on unsaved clocks,
status moves and comments by the rules of ``inhouse.desk.services``, and every
event is built by its writer in ``inhouse.desk.events``. The worker's sweeps
mark warnings and breaches at the moment they fall due.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from inhouse.demo.plans import Act, PlannedRequest, Step
from inhouse.demo.world import Terms, World
from inhouse.desk import events
from inhouse.desk.models import Channel, Request, RequestEvent, Status
from inhouse.desk.services.conversation import status_after_comment
from inhouse.desk.services.lifecycle import ClockMove, clock_moves
from inhouse.policy import TRANSITIONS
from inhouse.sla import services as clocks
from inhouse.sla.models import Clock, ClockKind


@dataclass
class ReplayedEvent:
    """An event waiting for the ids of rows not inserted yet.

    ``write`` is its writer in ``inhouse.desk.events`` and ``facts`` its arguments
    but the request's id and, where the event names one, the id of its comment
    (an index into the replayed request's comments) or of its blocking request
    (the blocker's planned uid).
    """

    at: datetime
    write: Callable[..., RequestEvent]
    facts: dict[str, Any]
    comment: int | None = None
    blocker: int | None = None

    def build(
        self, request_id: int, *, comment_id: int | None, blocker_id: int | None
    ) -> RequestEvent:
        ids: dict[str, int] = {}
        if comment_id is not None:
            ids["comment_id"] = comment_id
        if blocker_id is not None:
            ids["blocker_id"] = blocker_id
        return self.write(request_id=request_id, at=self.at, **self.facts, **ids)


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
    clocks: list[Clock]  # unsaved, without their request
    comments: list[ReplayedComment] = field(default_factory=list)
    events: list[ReplayedEvent] = field(default_factory=list)
    blockers: list[tuple[int, datetime]] = field(default_factory=list)  # blocker uid, linked at
    request: Request | None = None  # built last, from the final state


def _targets(terms: Terms | None, priority: str) -> dict[str, timedelta]:
    if terms is None or priority not in terms.targets:
        return {}
    first, resolution = terms.targets[priority]
    return {ClockKind.FIRST_RESPONSE: first, ClockKind.RESOLUTION: resolution}


def _person_taking(step: Step) -> int:
    """Who takes a step only a person takes: a comment, a reopening, a transfer."""
    if step.actor is None:
        raise ValueError(f"A planned {step.act} step names nobody to take it.")
    return step.actor


class _Request:
    """The mutable state of one request while its steps are replayed."""

    def __init__(self, world: World, plan: PlannedRequest, references: list[str]) -> None:
        self.world, self.plan = world, plan
        service = world.services[plan.service]
        self.service = plan.service
        self.team_id = service.team_id
        self.terms = world.terms(service.id, plan.customer_team)
        self.status: str = Status.NEW
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
        self.event(
            plan.created_at, events.created, actor_id=plan.requester, service=plan.service,
            priority=plan.priority, channel=plan.channel, reference=references[0],
            priority_from=plan.priority_from, impact_urgency=plan.impact_urgency,
        )  # fmt: skip
        if self.terms is not None:
            self.out.clocks = clocks.new_clocks(
                _targets(self.terms, plan.priority),
                calendar_id=self.terms.calendar_id,
                business=self.terms.business,
                started_at=plan.created_at,
            )

    # --- building blocks ----------------------------------------------------------------------

    def event(
        self,
        at: datetime,
        write: Callable[..., RequestEvent],
        *,
        comment: int | None = None,
        blocker: int | None = None,
        **facts: Any,
    ) -> None:
        self.out.events.append(ReplayedEvent(at, write, facts, comment, blocker))

    def comment(self, at: datetime, author: int, body: str, *, public: bool = True) -> None:
        """``write_comment``: the comment and its event."""
        by_provider = author != self.plan.requester
        channel = (
            self.plan.channel
            if not by_provider and self.plan.channel in (Channel.EMAIL, Channel.CHAT)
            else Channel.PORTAL
        )
        self.out.comments.append(ReplayedComment(author, body, public, by_provider, channel, at))
        self.event(at, events.commented, actor_id=author, public=public,
                   comment=len(self.out.comments) - 1)  # fmt: skip

    def clock(self, kind: str) -> Clock | None:
        return next((clock for clock in self.out.clocks if clock.kind == kind), None)

    def breach_found(self, late: bool, clock: Clock, at: datetime) -> None:
        """A clock halted late: the services record the breach as they halt it."""
        if late:
            assert clock.due_at is not None  # a late clock had a due time
            self.event(at, events.breached, clock=clock.kind, due_at=clock.due_at)

    def first_response(self, at: datetime, actor: int) -> bool:
        """``mark_first_response``, once."""
        if self.first_responded_at is not None:
            return False
        self.first_responded_at = at
        first = self.clock(ClockKind.FIRST_RESPONSE)
        if first is not None and self.terms is not None:
            self.breach_found(clocks.stop(first, at, self.terms.business), first, at)
        self.event(at, events.first_response, actor_id=actor)
        return True

    def move(self, at: datetime, actor: int | None, to: str) -> None:
        """``apply_status``: the status and the clocks it moves."""
        before = self.status
        if to not in TRANSITIONS[before]:
            raise ValueError(
                f"{self.plan.subject!r}: planned {before} → {to}, which is not allowed."
            )
        for kind, clock_move in clock_moves(before, to):
            clock = self.clock(kind)
            if clock is None or self.terms is None:
                continue
            if clock_move == ClockMove.PAUSE:
                self.breach_found(clocks.pause(clock, at), clock, at)
            elif clock_move == ClockMove.STOP:
                self.breach_found(clocks.stop(clock, at, self.terms.business), clock, at)
            else:
                clocks.resume(clock, at, self.terms.business)
        if to == Status.RESOLVED:
            self.resolved_at = at
        elif to == Status.CLOSED:
            self.closed_at = at
        elif to == Status.IN_PROGRESS and before == Status.RESOLVED:
            self.resolved_at = None
        self.status = to
        self.event(at, events.status_changed, actor_id=actor, before=before, after=to)

    def after_comment(self, at: datetime, actor: int, *, public: bool = True) -> bool:
        """``add_comment``'s consequences: the first response, and the status it moves."""
        by_provider = actor != self.plan.requester
        changed = public and by_provider and self.first_response(at, actor)
        moved_to = status_after_comment(
            self.status, public=public, by_provider=by_provider, by_requester=not by_provider
        )
        if moved_to is not None:
            self.move(at, actor, moved_to)
        return changed or moved_to is not None

    def retarget(self, at: datetime) -> None:
        """``retarget_clocks`` with the current terms and priority."""
        self.out.clocks += clocks.retarget_all(
            self.out.clocks,
            targets=_targets(self.terms, self.priority),
            calendar_id=self.terms.calendar_id if self.terms else None,
            business=self.terms.business if self.terms else None,
            at=at,
            started_at=self.plan.created_at,
        )

    def sweep(self, until: datetime) -> None:
        """What the worker's minutely sweeps did up to ``until``: warn, then mark breaches."""
        for clock in self.out.clocks:
            if not clock.is_running or clock.breached_at is not None or clock.due_at is None:
                continue
            if clock.warned_at is None and clock.warn_at is not None and clock.warn_at <= until:
                clock.warned_at = clock.warn_at
            if clock.due_at < until:
                clock.breached_at = clock.due_at
                self.event(clock.due_at, events.breached, clock=clock.kind, due_at=clock.due_at)

    # --- the steps ------------------------------------------------------------------------------

    def apply(self, step: Step) -> None:
        at, actor = step.at, step.actor
        changed = True
        if step.act == Act.ASSIGN:
            assert isinstance(step.value, int)
            self.event(at, events.assigned, actor_id=actor, before=self.assignee, after=step.value)
            self.assignee = step.value
        elif step.act in (Act.REPLY, Act.REQUESTER_REPLY):
            author = _person_taking(step)
            self.comment(at, author, step.text)
            changed = self.after_comment(at, author)
        elif step.act == Act.NOTE:
            self.comment(at, _person_taking(step), step.text, public=False)
            changed = False
        elif step.act in (Act.ASK, Act.RESOLVE):
            # ``transition_request`` with a comment.
            author = _person_taking(step)
            self.comment(at, author, step.text)
            self.first_response(at, author)
            self.move(
                at, actor, Status.WAITING_ON_CUSTOMER if step.act == Act.ASK else Status.RESOLVED
            )
        elif step.act == Act.SUPPLIER_WAIT:
            self.move(at, actor, Status.WAITING_ON_SUPPLIER)
        elif step.act == Act.SUPPLIER_DONE:
            self.move(at, actor, Status.IN_PROGRESS)
        elif step.act == Act.PRIORITY:
            assert isinstance(step.value, str)
            self.event(
                at, events.priority_changed, actor_id=actor, before=self.priority, after=step.value
            )
            self.priority = step.value
            self.retarget(at)
        elif step.act == Act.TRANSFER:
            assert isinstance(step.value, str)
            self.transfer(at, _person_taking(step), step.value, step.text)
        elif step.act == Act.BLOCKED_BY:
            assert isinstance(step.value, int)
            self.event(at, events.dependency_added, actor_id=actor, blocker=step.value)
            self.out.blockers.append((step.value, at))
        elif step.act == Act.REOPEN:
            self.comment(at, _person_taking(step), step.text)
            self.move(at, actor, Status.IN_PROGRESS)
        elif step.act == Act.CLOSE:
            self.move(at, actor, Status.CLOSED)
        elif step.act == Act.CANCEL:
            author = _person_taking(step)
            self.comment(at, author, step.text)
            if author != self.plan.requester:
                self.first_response(at, author)
            self.move(at, actor, Status.CANCELLED)
        # Every step touches the request; only real changes bump its version (optimistic locking).
        self.updated_at = at
        if changed:
            self.version += 1

    def transfer(self, at: datetime, actor: int, slug: str, note: str) -> None:
        """``transfer_request``: a new reference from another team, new terms, a handover note."""
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
        self.retarget(at)
        self.event(
            at, events.transferred, actor_id=actor, services=(old_slug, slug),
            provider_teams=(old_team, self.team_id),
            references=(old_reference, self.references[self.taken - 1]),
        )  # fmt: skip
        if note:
            self.out.comments.append(ReplayedComment(actor, note, False, True, Channel.PORTAL, at))
            self.event(at, events.commented, actor_id=actor, public=False,
                       comment=len(self.out.comments) - 1)  # fmt: skip

    def finish(self, now: datetime, parent_id: int | None) -> Replayed:
        self.sweep(now)
        plan, out = self.plan, self.out
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
        )
        clocks.sync_request_sla_fields(out.request, out.clocks)
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
