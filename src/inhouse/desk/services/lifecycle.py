"""Working a request: moving it along its lifecycle (and what each move does to its
clocks), and changing its working fields."""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone

from inhouse import policy
from inhouse.core.errors import Conflict, InvalidInput, PermissionDenied, TransitionNotAllowed
from inhouse.desk import events
from inhouse.desk.models import OPEN_STATUSES, Channel, Request, Status
from inhouse.desk.services import notifications
from inhouse.desk.services._common import (
    MAX_BODY,
    check_priority,
    clean_text,
    lock,
    require_view,
    require_work,
    save_changed,
    write_comment,
)
from inhouse.desk.services.links import change_external_ref, replace_blockers
from inhouse.feedback.services import followups
from inhouse.org.models import Person
from inhouse.sla import services as clocks
from inhouse.sla.models import ClockKind


class ClockMove(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


def clock_moves(before: str, to: str) -> list[tuple[str, ClockMove]]:
    """What moving from status ``before`` to ``to`` does to the clocks, in order.

    Waiting on the customer pauses the resolution clock and leaving that wait
    resumes it; resolving or cancelling stops both clocks; reopening a resolved
    request resumes the resolution clock with the time it had left.
    """
    moves: list[tuple[str, ClockMove]] = []
    if before == Status.WAITING_ON_CUSTOMER:
        moves.append((ClockKind.RESOLUTION, ClockMove.RESUME))
    if to == Status.WAITING_ON_CUSTOMER:
        moves.append((ClockKind.RESOLUTION, ClockMove.PAUSE))
    elif to in (Status.RESOLVED, Status.CANCELLED):
        moves.append((ClockKind.FIRST_RESPONSE, ClockMove.STOP))
        moves.append((ClockKind.RESOLUTION, ClockMove.STOP))
    elif to == Status.IN_PROGRESS and before == Status.RESOLVED:
        moves.append((ClockKind.RESOLUTION, ClockMove.RESUME))
    return moves


def record_breach(request: Request, breach: clocks.Breach | None, *, at: datetime) -> None:
    """Write the history of a breach the clocks found as they halted."""
    if breach is not None:
        events.record(
            request,
            events.breached(
                request_id=breach.request_id, at=at, clock=breach.clock, due_at=breach.due_at
            ),
        )


def apply_status(request: Request, actor: Person | None, to: str, *, at: datetime) -> None:
    """Move the status and the clocks; the caller locks, saves and checks permission."""
    before = request.status
    for kind, move in clock_moves(before, to):
        if move == ClockMove.PAUSE:
            record_breach(request, clocks.pause_clock(request, kind, at=at), at=at)
        elif move == ClockMove.STOP:
            record_breach(request, clocks.stop_clock(request, kind, at=at), at=at)
        else:
            clocks.resume_clock(request, kind, at=at)
    if to == Status.RESOLVED:
        request.resolved_at = at
    elif to == Status.CLOSED:
        request.closed_at = at
    elif to == Status.IN_PROGRESS and before == Status.RESOLVED:
        request.resolved_at = None
    request.status = to
    followups.follow_status_change(request, before=before, to=to, at=at)
    events.record(
        request,
        events.status_changed(
            request_id=request.pk,
            actor_id=actor.pk if actor else None,
            at=at,
            before=before,
            after=to,
        ),
    )
    invited = (
        notifications.notify_rating_invitation(request, actor=actor)
        if to == Status.RESOLVED
        else set()
    )
    notifications.notify_status(request, actor=actor, already_notified=invited)


def mark_first_response(request: Request, actor: Person, *, at: datetime) -> None:
    """The provider answered for the first time: the first-response clock stops."""
    request.first_responded_at = at
    record_breach(request, clocks.stop_clock(request, ClockKind.FIRST_RESPONSE, at=at), at=at)
    events.record(request, events.first_response(request_id=request.pk, actor_id=actor.pk, at=at))


def _check_transition(
    viewer: policy.Viewer, request: Request, to: str, *, follow_up_reopen: bool = False
) -> None:
    allowed = policy.transitions_for(viewer, request)
    if (
        follow_up_reopen
        and to == Status.IN_PROGRESS
        and request.status == Status.RESOLVED
        and request.requester_id == viewer.person_id
    ):
        # A follow-up the service sent asked whether it still works: its requester's
        # "no" reopens after the usual reopen window too (docs/followups.md).
        allowed = [*allowed, Status.IN_PROGRESS]
    if to not in allowed:
        if to in policy.TRANSITIONS[request.status] and not allowed:
            raise PermissionDenied("You cannot change the status of this request.")
        if to in policy.TRANSITIONS[request.status]:
            raise PermissionDenied(
                f"You cannot move this request to '{to}'. You may: {', '.join(allowed)}."
            )
        raise TransitionNotAllowed(current=request.status, requested=to, allowed=allowed)
    if to == Status.RESOLVED:
        _check_no_open_blockers(viewer, request)


def _check_no_open_blockers(viewer: policy.Viewer, request: Request) -> None:
    """Refuse to resolve a request that still waits for others, naming only those the
    viewer may see: a hidden blocker is neither named nor counted, only hinted at."""
    open_blockers = dict(
        Request.objects.filter(blocks_links__blocked=request, status__in=OPEN_STATUSES)
        .order_by("pk")
        .values_list("pk", "reference")
    )
    if not open_blockers:
        return
    visible = set(
        Request.objects.filter(policy.visible_requests_q(viewer), pk__in=open_blockers).values_list(
            "pk", flat=True
        )
    )
    named = [reference for pk, reference in open_blockers.items() if pk in visible]
    any_hidden = len(named) < len(open_blockers)
    if not named:
        raise Conflict(
            "This request is blocked by a request you cannot see. "
            "It can be resolved once the team handling that one has finished it."
        )
    hidden_too = ", and by a request you cannot see" if any_hidden else ""
    raise Conflict(
        f"This request is blocked by open requests: {', '.join(named)}{hidden_too}. "
        "Resolve them or remove the dependency first."
    )


def transition_request(
    *,
    actor: Person,
    request: Request,
    to: str,
    comment: str | None = None,
    expected_version: int | None = None,
    channel: str = Channel.PORTAL,
    follow_up_reopen: bool = False,
    viewer: policy.Viewer | None = None,
) -> Request:
    """Move a request along its lifecycle, optionally with a public comment.

    ``follow_up_reopen``: the requester's answer to a follow-up reopens it
    (``desk.services.followups.answer_follow_up``), also past the reopen window.
    ``viewer``: the actor as the door already worked them out, if it did.
    """
    viewer = require_view(actor, request, viewer)
    if to not in Status.values:
        raise InvalidInput(
            "Unknown status.", fields={"to": f"Choose one of: {', '.join(Status.values)}."}
        )
    if comment is not None:
        comment = clean_text(comment, field="comment", limit=MAX_BODY, required=False) or None
    now = timezone.now()
    with transaction.atomic():
        request = lock(request, expected_version, viewer=viewer)
        _check_transition(viewer, request, to, follow_up_reopen=follow_up_reopen)
        if comment:
            works_it = policy.can_work_request(viewer, request)
            write_comment(
                request, actor, comment, public=True, by_provider=works_it, at=now,
                channel=channel,
            )  # fmt: skip
            notifications.notify_reply(request, actor=actor, public=True, by_provider=works_it)
            if works_it and request.first_responded_at is None:
                mark_first_response(request, actor, at=now)
        apply_status(request, actor, to, at=now)
        clocks.refresh_request_sla_fields(request)
        save_changed(
            request,
            [
                "status",
                "resolved_at",
                "closed_at",
                "first_responded_at",
                "resolution_due_at",
                "sla_breached",
            ],
            at=now,
        )
    return request


# A keyword left out of ``update_request``: that field stays as it is.
UNCHANGED: Any = object()


def update_request(
    *,
    actor: Person,
    request: Request,
    expected_version: int | None,
    assignee: Person | None = UNCHANGED,
    priority: str = UNCHANGED,
    external_ref: str = UNCHANGED,
    blocked_by: Sequence[Request] = UNCHANGED,
    viewer: policy.Viewer | None = None,
) -> Request:
    """Change the request's working fields; only agents of the provider team may.

    ``blocked_by`` replaces the set of requests this one waits for, as far as the
    caller can see them: blockers hidden from the caller are kept. ``viewer``: the
    actor as the door already worked them out, if it did.
    """
    viewer = require_work(actor, request, viewer)
    now = timezone.now()
    with transaction.atomic():
        request = lock(request, expected_version, viewer=viewer, work=True)
        changed: list[str] = []
        if assignee is not UNCHANGED and assignee != request.assignee:
            if assignee is not None and not policy.can_be_assignee(assignee, request):
                raise InvalidInput(
                    "The assignee must be an active agent of the team handling the request.",
                    fields={"assignee": "Not an agent of this team."},
                )
            events.record(
                request,
                events.assigned(
                    request_id=request.pk,
                    actor_id=actor.pk,
                    at=now,
                    before=request.assignee_id,
                    after=assignee.pk if assignee else None,
                ),
            )
            request.assignee = assignee
            changed.append("assignee")
            if assignee is not None:
                notifications.notify_assigned(request, actor=actor)
        if priority is not UNCHANGED and priority != request.priority:
            priority = check_priority(priority)
            events.record(
                request,
                events.priority_changed(
                    request_id=request.pk,
                    actor_id=actor.pk,
                    at=now,
                    before=request.priority,
                    after=priority,
                ),
            )
            request.priority = priority
            clocks.retarget_clocks(request)
            clocks.refresh_request_sla_fields(request)
            changed += ["priority", "resolution_due_at", "sla_breached"]
        if external_ref is not UNCHANGED and external_ref != request.external_ref:
            change_external_ref(actor, request, external_ref, at=now)
            changed.append("external_ref")
        if blocked_by is not UNCHANGED:
            replace_blockers(viewer, actor, request, blocked_by, at=now)
        if changed or blocked_by is not UNCHANGED:
            save_changed(request, changed, at=now)
    return request
