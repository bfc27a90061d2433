"""Follow-ups after delivery: the 2-2-2 check-ins a service asks for.

When a request of a service with a follow-up cadence is resolved, one follow-up is
scheduled per step of the cadence (by default 2 days, 2 weeks and 2 months after
the resolution, in UTC). The worker sends each when it falls due as an in-app
notice to the requester; the requester answers whether it still works and what it
made possible, and "not working any more" reopens the request.

The desk's lifecycle calls ``follow_status_change`` on every status move, inside
its transaction: a resolution schedules a round, a reopening or a cancellation
cancels what is still waiting, so a cancelled request is never followed up and a
re-resolved one gets a fresh round. A requester turns the check-ins off for one
request here, or for every request by switching the ``follow_up`` notice off.

An answer is recorded here; reopening the request it asks for is a change of the
request's life, so the desk's ``answer_follow_up`` (``inhouse.desk.services.followups``)
records it through this module and reopens through the desk's one transition service.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from inhouse import policy
from inhouse.catalog.models import FOLLOW_UP_STEP, Service, follow_up_step_text
from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inhouse.desk import events
from inhouse.desk.models import NotificationKind, Request, Status
from inhouse.desk.outbox import notify
from inhouse.feedback.models.followups import (
    FollowUp,
    FollowUpOptOut,
    FollowUpStatus,
    StillWorking,
)
from inhouse.org.models import Person

MAX_ANSWER_TEXT = 2000
# How many due follow-ups one sweep sends; the next sweep, a minute later, takes the rest.
SWEEP_BATCH = 500
# The statuses a request may have for its follow-ups to go out: delivered, accepted or not.
DELIVERED = (Status.RESOLVED, Status.CLOSED)
# Follow-ups no answer has settled yet: a reopening or a turn-off cancels them.
PENDING = (FollowUpStatus.SCHEDULED, FollowUpStatus.SENT)


def add_step(resolved_at: datetime, step: str) -> datetime:
    """When the follow-up of ``step`` ("2d", "2w", "2m") after ``resolved_at`` is due, in UTC.

    Months are calendar months, landing on the last day of a shorter month: two months
    after 31 December is the end of February, at the same time of day.
    """
    match = FOLLOW_UP_STEP.match(step)
    if match is None:
        raise ValueError(f"Not a follow-up step: {step!r}")
    count, unit = int(match[1]), match[2]
    start = resolved_at.astimezone(UTC)
    if unit == "d":
        return start + timedelta(days=count)
    if unit == "w":
        return start + timedelta(weeks=count)
    month_index = start.month - 1 + count
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


# --- what the desk's lifecycle calls -------------------------------------------------------


def follow_status_change(request: Request, *, before: str, to: str, at: datetime) -> None:
    """Keep the follow-ups in step with a status move the lifecycle makes (its
    transaction, its lock): resolving schedules a round, reopening a resolved request or
    cancelling one cancels what is still pending."""
    if to == Status.RESOLVED:
        schedule_follow_ups(request, resolved_at=at)
    elif to == Status.CANCELLED or (to == Status.IN_PROGRESS and before == Status.RESOLVED):
        cancel_pending_follow_ups(request, at=at)


def schedule_follow_ups(request: Request, *, resolved_at: datetime) -> list[FollowUp]:
    """One follow-up per step of the service's cadence after ``resolved_at``; none when
    the service asks none or the requester turned this request's follow-ups off."""
    # One read: the cadence, and whether this request's follow-ups are off.
    row = (
        Service.objects.filter(pk=request.service_id)
        .annotate(turned_off=Exists(FollowUpOptOut.objects.filter(request_id=request.pk)))
        .values_list("follow_up_cadence", "turned_off")
        .first()
    )
    if row is None:
        return []
    cadence, turned_off = row
    if not cadence or turned_off:
        return []
    return FollowUp.objects.bulk_create(
        FollowUp(
            request_id=request.pk,
            step=step,
            resolved_at=resolved_at,
            due_at=add_step(resolved_at, step),
        )
        for step in cadence
    )


def cancel_pending_follow_ups(request: Request, *, at: datetime) -> int:
    """Cancel the follow-ups not yet settled: those waiting and those asked but unanswered."""
    return FollowUp.objects.filter(request_id=request.pk, status__in=PENDING).update(
        status=FollowUpStatus.CANCELLED, cancelled_at=at
    )


# --- sending ------------------------------------------------------------------------------


def send_follow_up(*, follow_up_id: int, now: datetime) -> bool:
    """Ask the requester, if the follow-up is due and nobody asked yet; True if this call did.

    The claim is a conditional UPDATE from scheduled to sent, so of two workers sending
    the same follow-up exactly one matches the row and notifies; the notice is written
    in the claim's transaction, so a crash leaves either both or neither.
    """
    with transaction.atomic():
        claimed = FollowUp.objects.filter(
            pk=follow_up_id, status=FollowUpStatus.SCHEDULED, due_at__lte=now
        ).update(status=FollowUpStatus.SENT, sent_at=now)
        if not claimed:
            return False
        follow_up = FollowUp.objects.select_related(
            "request__provider_team", "request__requester"
        ).get(pk=follow_up_id)
        request = follow_up.request
        if request.status not in DELIVERED:
            # Reopenings cancel in their own transaction; this only catches rows written
            # around the lifecycle (an import, an old round).
            _settle(follow_up, FollowUpStatus.CANCELLED, at=now)
            return False
        asked = notify(
            Q(pk=request.requester_id),
            request=request,
            kind=NotificationKind.FOLLOW_UP,
            params={
                "reference": request.reference,
                "subject": request.subject,
                "team": request.provider_team.name,
                "step": follow_up.step,
            },
        )
        if not asked:
            # The requester switched follow-up notices off, or has left: nobody is asked.
            _settle(follow_up, FollowUpStatus.SKIPPED, at=now)
            return False
    return True


def _settle(follow_up: FollowUp, status: str, *, at: datetime) -> None:
    follow_up.status = status
    follow_up.cancelled_at = at
    follow_up.save(update_fields=["status", "cancelled_at"])


def send_due_follow_ups(*, now: datetime) -> int:
    """Send every follow-up due by ``now`` (up to a batch); returns how many went out.

    Safe to run in several workers at once: each follow-up is claimed on its own.
    """
    due = list(
        FollowUp.objects.filter(status=FollowUpStatus.SCHEDULED, due_at__lte=now)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(send_follow_up(follow_up_id=pk, now=now) for pk in due)


# --- the requester's side -----------------------------------------------------------------


def _require_requester(actor: Person, request: Request) -> None:
    viewer = policy.viewer_for(actor)
    if not policy.can_view_request(viewer, request):
        raise NotFound("No such request.")
    if not actor.is_active or request.requester_id != actor.pk:
        raise PermissionDenied("Only the requester answers the follow-ups of a request.")


def _clean(value: str, *, field: str) -> str:
    cleaned = value.strip()
    if len(cleaned) > MAX_ANSWER_TEXT:
        raise InvalidInput(
            f"{field} is too long.", fields={field: f"Keep it under {MAX_ANSWER_TEXT} characters."}
        )
    return cleaned


@dataclass(frozen=True)
class FollowUpAnswer:
    """A requester's answer, checked (who answers, and what they said) before any lock."""

    actor: Person
    request: Request
    still_working: str
    made_possible: str
    problem: str


def check_follow_up_answer(
    *,
    actor: Person,
    request: Request,
    still_working: str,
    made_possible: str = "",
    problem: str = "",
) -> FollowUpAnswer:
    """Only the requester answers, with one of the ``StillWorking`` choices and texts of
    a sensible length; refuses otherwise, before anything is locked or written."""
    _require_requester(actor, request)
    if still_working not in StillWorking.values:
        raise InvalidInput(
            "Say whether it still works.",
            fields={"still_working": f"Choose one of: {', '.join(StillWorking.values)}."},
        )
    return FollowUpAnswer(
        actor=actor,
        request=request,
        still_working=still_working,
        made_possible=_clean(made_possible, field="made_possible"),
        problem=_clean(problem, field="problem"),
    )


@dataclass(frozen=True)
class RecordedAnswer:
    """What recording an answer did: the follow-up as answered, the request as locked,
    and, when the answer asks to reopen the request, the reply to reopen it with."""

    follow_up: FollowUp
    request: Request
    reopen_with: str | None


def record_follow_up_answer(answer: FollowUpAnswer, *, follow_up_id: int) -> RecordedAnswer:
    """Store the answer to a follow-up the requester was asked, in the history too.

    Runs in the caller's transaction (the desk's ``answer_follow_up``), whose lock on
    the request must last through the reopening the answer may ask for: "not working any
    more" (``no``) on a resolved request asks to reopen it, with ``problem`` (or a
    sentence saying so) as the reply. A closed request stays closed (closing is final in
    the lifecycle); the answer is stored all the same.
    """
    # The request's lock orders this history event after every other writer's.
    locked = Request.objects.select_for_update(of=("self",)).get(pk=answer.request.pk)
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .filter(pk=follow_up_id, request_id=locked.pk)
        .first()
    )
    if follow_up is None:
        raise NotFound("No such follow-up on this request.")
    if follow_up.status == FollowUpStatus.ANSWERED:
        raise Conflict("You have already answered this follow-up.")
    if follow_up.status != FollowUpStatus.SENT:
        raise Conflict("This follow-up is not waiting for an answer.")
    now = timezone.now()
    reopen = answer.still_working == StillWorking.NO and locked.status == Status.RESOLVED
    follow_up.status = FollowUpStatus.ANSWERED
    follow_up.answered_at = now
    follow_up.answered_by = answer.actor
    follow_up.still_working = answer.still_working
    follow_up.made_possible = answer.made_possible
    follow_up.problem = answer.problem
    follow_up.reopened = reopen
    follow_up.save(
        update_fields=[
            "status", "answered_at", "answered_by", "still_working", "made_possible",
            "problem", "reopened",
        ]
    )  # fmt: skip
    events.record(
        locked,
        events.followed_up(
            request_id=locked.pk,
            actor_id=answer.actor.pk,
            at=now,
            follow_up_id=follow_up.pk,
            step=follow_up.step,
            still_working=answer.still_working,
            reopened=reopen,
        ),
    )
    events.save_chain_head(locked)
    reopen_with = None
    if reopen:
        reopen_with = answer.problem or _(
            "Follow-up after %(step)s: it is not working any more."
        ) % {"step": follow_up_step_text(follow_up.step)}
    return RecordedAnswer(follow_up=follow_up, request=locked, reopen_with=reopen_with)


def turn_off_follow_ups(*, actor: Person, request: Request) -> int:
    """The requester wants no more check-ins on this request, now or after a later
    resolution; returns how many pending follow-ups that cancelled."""
    _require_requester(actor, request)
    now = timezone.now()
    with transaction.atomic():
        FollowUpOptOut.objects.get_or_create(request=request, defaults={"created_at": now})
        return cancel_pending_follow_ups(request, at=now)
