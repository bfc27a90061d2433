"""Follow-ups in the demo: some services ask on the 2-2-2 cadence, and their requesters
answered many of the check-ins that fell due before "now".

Written after the history, in bulk: the follow-ups of each resolved or closed request
of those services (its last resolution's round), the answers, and each answer's
``followed_up`` event chained onto the request's history as ``events.record`` would.
Deterministic by seed. The services of ``feedback_story``'s loved and struggling
providers always ask, and their requesters answer as the story goes: the loved
team's deliveries keep working, the struggling team's often only partly or not at
all. A "not working any more" answer is given only on closed
requests, which it cannot reopen, so the demo's statuses stay as the history left them.
"""

import random
from datetime import datetime, timedelta

from inhouse.catalog.models import TWO_TWO_TWO, Service
from inhouse.demo.feedback_story import LOVED_PROVIDER, STRUGGLING_PROVIDER
from inhouse.desk import events, history_chain
from inhouse.desk.models import Request, RequestEvent, Status
from inhouse.feedback.models.followups import (
    FollowUp,
    FollowUpOptOut,
    FollowUpStatus,
    StillWorking,
)
from inhouse.feedback.services.followups import add_step

# The share of services that ask for follow-ups, of check-ins answered, of requests
# whose requester turned them off.
ASKING_SHARE = 0.4
ANSWERED_SHARE = 0.55
TURNED_OFF_SHARE = 0.02
BATCH = 2_000
# How requesters answer, by provider: the share "not working any more" (closed
# requests only) and the share (including those) that works only partly.
ANSWER_MOOD = {LOVED_PROVIDER: (0.01, 0.06), STRUGGLING_PROVIDER: (0.25, 0.55)}
DEFAULT_MOOD = (0.06, 0.2)

MADE_POSSIBLE = (
    "",
    "",
    "Our team could start on the campaign the same week.",
    "I could finally work from home without the VPN dropping.",
    "We sent the customer proposal on time.",
    "The new starter was productive from day one.",
    "No more printing at the other end of the building.",
    "We closed the quarter's books two days earlier.",
    "The workshop ran without a hitch.",
)
PROBLEMS = (
    "It stopped working after the last update.",
    "Same problem again since Monday.",
    "Works for me, but not for the rest of the team.",
)


def add_follow_ups(*, seed: int, now: datetime) -> int:
    """Give a share of the services the 2-2-2 cadence and their delivered requests their
    follow-ups up to ``now``; returns how many history events (answers) it wrote."""
    rng = random.Random(f"follow-ups-{seed}")
    services = list(
        Service.objects.filter(confidential=False)
        .order_by("slug")
        .values_list("pk", "provider_team__slug")
    )
    story = (LOVED_PROVIDER, STRUGGLING_PROVIDER)
    asking = [pk for pk, team in services if rng.random() < ASKING_SHARE or team in story]
    Service.objects.filter(pk__in=asking).update(follow_up_cadence=list(TWO_TWO_TWO))
    delivered = (
        Request.objects.filter(
            service_id__in=asking,
            status__in=(Status.RESOLVED, Status.CLOSED),
            resolved_at__isnull=False,
        )
        .order_by("pk")
        .values_list(
            "pk", "requester_id", "status", "resolved_at", "updated_at", "history_length",
            "history_digest", "provider_team__slug",
        )
    )  # fmt: skip
    answers = 0
    rows = list(delivered)
    for start in range(0, len(rows), BATCH):
        answers += _write_batch(rows[start : start + BATCH], rng=rng, now=now)
    return answers


def _write_batch(rows: list[tuple], *, rng: random.Random, now: datetime) -> int:
    follow_ups: list[FollowUp] = []
    opt_outs: list[FollowUpOptOut] = []
    for pk, requester_id, status, resolved_at, updated_at, _length, _digest, team in rows:
        turned_off = rng.random() < TURNED_OFF_SHARE
        if turned_off:
            opt_outs.append(FollowUpOptOut(request_id=pk, created_at=resolved_at))
        for step in TWO_TWO_TWO:
            follow_ups.append(
                _follow_up(
                    pk, requester_id, status, resolved_at, updated_at, step,
                    turned_off=turned_off, mood=ANSWER_MOOD.get(team, DEFAULT_MOOD),
                    rng=rng, now=now,
                )
            )  # fmt: skip
    FollowUp.objects.bulk_create(follow_ups)
    FollowUpOptOut.objects.bulk_create(opt_outs)
    return _chain_answers(rows, follow_ups)


def _follow_up(
    request_id: int,
    requester_id: int,
    status: str,
    resolved_at: datetime,
    updated_at: datetime,
    step: str,
    *,
    turned_off: bool,
    mood: tuple[float, float],
    rng: random.Random,
    now: datetime,
) -> FollowUp:
    due_at = add_step(resolved_at, step)
    row = FollowUp(request_id=request_id, step=step, resolved_at=resolved_at, due_at=due_at)
    if turned_off:
        row.status, row.cancelled_at = FollowUpStatus.CANCELLED, resolved_at
        return row
    if due_at > now:
        return row
    # The worker sweeps every minute.
    row.status, row.sent_at = FollowUpStatus.SENT, due_at + timedelta(seconds=rng.randint(0, 59))
    answered_at = row.sent_at + timedelta(minutes=rng.randint(20, 4 * 24 * 60))
    # Answered after everything else the request's history holds, and before now.
    if rng.random() >= ANSWERED_SHARE or answered_at > now or answered_at <= updated_at:
        return row
    answer = rng.random()
    not_working, partly = mood
    if status == Status.CLOSED and answer < not_working:
        row.still_working, row.problem = StillWorking.NO, rng.choice(PROBLEMS)
    elif answer < partly:
        row.still_working = StillWorking.PARTLY
    else:
        row.still_working, row.made_possible = StillWorking.YES, rng.choice(MADE_POSSIBLE)
    row.status, row.answered_at, row.answered_by_id = (
        FollowUpStatus.ANSWERED,
        answered_at,
        requester_id,
    )
    return row


def _chain_answers(rows: list[tuple], follow_ups: list[FollowUp]) -> int:
    """Each answer's ``followed_up`` event, in answer order, after the request's chain head."""
    heads = {pk: (length, digest) for pk, _r, _s, _a, _u, length, digest, _team in rows}
    answered: dict[int, list[FollowUp]] = {}
    for row in follow_ups:
        if row.status == FollowUpStatus.ANSWERED:
            answered.setdefault(row.request_id, []).append(row)
    written: list[RequestEvent] = []
    moved: list[Request] = []
    for request_id, answers in answered.items():
        built = [
            events.followed_up(
                request_id=request_id,
                actor_id=row.answered_by_id,
                at=row.answered_at,
                follow_up_id=row.pk,
                step=row.step,
                still_working=row.still_working,
                reopened=False,
            )
            # In due order, which is answer order: an answer comes within four days, and
            # the steps lie more than that apart.
            for row in sorted(answers, key=lambda row: row.due_at)
            if row.answered_by_id is not None and row.answered_at is not None
        ]
        length, digest = history_chain.chain(built, length=heads[request_id][0],
                                             digest=heads[request_id][1])  # fmt: skip
        written.extend(built)
        moved.append(Request(pk=request_id, history_length=length, history_digest=digest))
    RequestEvent.objects.bulk_create(written)
    Request.objects.bulk_update(moved, ["history_length", "history_digest"])
    return len(written)
