"""Who hears what of a request: the desk's notices, written through the outbox.

Each notice is written in the same transaction as the change it announces and
delivered after commit, by ``inhouse.desk.outbox.notify`` (the one place that
schedules what leaves the transaction). Nobody hears of their own action, and
each person may switch a kind off (see ``inhouse.desk.notifications``):

- the requester's side (the requester and the watchers) hears of replies, of a
  request waiting on them and of other status changes; on a resolution the
  requester is invited to rate it instead of hearing of the status;
- a new request: every agent and lead of the team whose queue it arrives in;
- a public reply from the requester's side: the assignee, or, while nobody who
  still works the queue is assigned, every agent and lead of the team holding it;
- an assignment: the new assignee; an agent's reply or internal note: the assignee;
- close to breaching: the assignee, or the whole queue as above; a breach: the
  assignee and the team's leads.

Provider-side recipients are drawn from the team's current agents and leads, who
are exactly the people ``policy.can_work_request`` lets see the request, so a
confidential request is announced to nobody who may not open it, and an assignee
who has since left the team hears nothing more of it.
"""

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Exists, Q
from django.utils import timezone

from inhouse import policy
from inhouse.core.errors import InvalidInput
from inhouse.desk.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
    Request,
    Status,
)
from inhouse.desk.notifications import kinds_for
from inhouse.desk.outbox import Notice, PreparedNotice
from inhouse.org.models import Membership, MembershipRole, Person


def _about(request: Request) -> dict[str, Any]:
    return {"reference": request.reference, "subject": request.subject}


def requester_side(request: Request) -> Q:
    """The requester and everyone watching the request."""
    watchers = Request.watchers.through.objects.filter(request_id=request.pk).values("person_id")
    return Q(pk=request.requester_id) | Q(pk__in=watchers)


def queue_people(request: Request, *, roles: Sequence[str] = policy.QUEUE_ROLES) -> Q:
    """The people with one of ``roles`` (agents and leads unless told) in the team holding
    the request: those who work its queue, and so may see it."""
    members = Membership.objects.filter(team_id=request.provider_team_id, role__in=roles)
    return Q(pk__in=members.values("person_id"))


def assignee_of(request: Request) -> Q:
    """The assignee, while they still work the queue of the team holding the request."""
    if request.assignee_id is None:
        return Q(pk__in=[])
    return Q(pk=request.assignee_id) & queue_people(request)


def assignee_or_queue(request: Request) -> Q:
    """The assignee while they still work the queue; otherwise (unassigned, or assigned
    to someone who has left the team) every agent and lead of the team holding it."""
    if request.assignee_id is None:
        return queue_people(request)
    assignee_works_it = Membership.objects.filter(
        team_id=request.provider_team_id,
        role__in=policy.QUEUE_ROLES,
        person_id=request.assignee_id,
    )
    return assignee_of(request) | (queue_people(request) & Q(~Exists(assignee_works_it)))


def requester_side_and_assignee(request: Request) -> Q:
    """Who hears of a public reply from the provider's side."""
    return requester_side(request) | assignee_of(request)


def assignee_and_leads(request: Request) -> Q:
    """Who hears of a breach: the assignee and the leads of the team holding it."""
    return assignee_of(request) | queue_people(request, roles=[MembershipRole.LEAD])


def _notify(
    audience: Callable[[Request], Q],
    request: Request,
    *,
    kind: str,
    params: dict[str, Any],
    actor: Person | None = None,
    already_notified: Collection[int] = (),
) -> set[int]:
    """``outbox.notify`` to one of the audiences above, with its statement compiled once
    per process and shape rather than on every change; returns whom it notified."""
    excluded = {*already_notified, *([actor.pk] if actor else [])}
    ids = {
        "pk": request.pk,
        "requester_id": request.requester_id,
        "provider_team_id": request.provider_team_id,
    }
    if request.assignee_id is not None:
        ids["assignee_id"] = request.assignee_id
    notice = _prepared_notice(audience, kind, assigned="assignee_id" in ids, excluded=len(excluded))
    return notice.to(ids, excluded=excluded).send(request=request, params=params)


@lru_cache(maxsize=1024)
def _prepared_notice(
    audience: Callable[[Request], Q], kind: str, *, assigned: bool, excluded: int
) -> PreparedNotice:
    # An audience reads only these ids of the request, so it is built on a stand-in
    # request holding them; whether there is an assignee changes the statement's shape.
    ids = ["pk", "requester_id", "provider_team_id", *(["assignee_id"] if assigned else [])]
    return PreparedNotice(
        lambda **values: audience(Request(**values)), kind=kind, ids=ids, excluded=excluded
    )


def new_request_notice(request: Request, *, actor: Person) -> Notice:
    """A request is arriving in a team's queue: its agents and leads will hear of it.
    Built before the request is written (it needs only the team); sent with
    ``send_new_request_notice`` once the request has its number."""
    return _new_request_notice(request.provider_team_id, actor.pk, connection.vendor)


@lru_cache(maxsize=4096)
def _new_request_notice(team_id: int, actor_id: int, vendor: str) -> Notice:
    # The statement is a function of the team and the actor alone (who is in the team,
    # and who wants the notice, is read when it is sent), so each process compiles it
    # once per team and filer. ``vendor`` keys it too: the tests run on both engines.
    queue = Membership.objects.filter(team_id=team_id, role__in=policy.QUEUE_ROLES)
    return Notice.to(
        Q(pk__in=queue.values("person_id")),
        kind=NotificationKind.NEW_REQUEST,
        already_notified=(actor_id,),
    )


def send_new_request_notice(notice: Notice, request: Request) -> None:
    notice.post(
        request=request, params={**_about(request), "requester": request.requester.full_name}
    )


def notify_new_request(request: Request, *, actor: Person) -> None:
    """A request arrived in a team's queue: its agents and leads hear of it."""
    send_new_request_notice(new_request_notice(request, actor=actor), request)


def notify_reply(request: Request, *, actor: Person, public: bool, by_provider: bool) -> None:
    """A reply (``public``) or an internal note, written by the provider's side
    (``by_provider``) or by the requester's."""
    about = {**_about(request), "actor": actor.full_name}
    if not by_provider:
        # Someone on the requester's side wrote: whoever works the request needs to act.
        providers = _notify(
            assignee_or_queue,
            request,
            kind=NotificationKind.REQUESTER_REPLIED,
            params=about,
            actor=actor,
        )
        _notify(
            requester_side,
            request,
            kind=NotificationKind.REPLY,
            params=about,
            actor=actor,
            already_notified=providers,
        )
        return
    audience = requester_side_and_assignee if public else assignee_of
    _notify(audience, request, kind=NotificationKind.REPLY, params=about, actor=actor)


def notify_assigned(request: Request, *, actor: Person) -> None:
    _notify(
        assignee_of,
        request,
        kind=NotificationKind.ASSIGNED,
        params=_about(request),
        actor=actor,
    )


def notify_status(
    request: Request, *, actor: Person | None, already_notified: Collection[int] = ()
) -> None:
    if request.status == Status.WAITING_ON_CUSTOMER:
        kind, params = NotificationKind.WAITING_ON_YOU, _about(request)
    else:
        kind, params = NotificationKind.STATUS, {**_about(request), "status": request.status}
    _notify(
        requester_side,
        request,
        kind=kind,
        params=params,
        actor=actor,
        already_notified=already_notified,
    )


def _requester(request: Request) -> Q:
    return Q(pk=request.requester_id)


def notify_rating_invitation(request: Request, *, actor: Person | None) -> set[int]:
    """The request was resolved: its requester (only they may rate it) is invited to.
    The invitation says it is resolved, so they need no status notice besides."""
    return _notify(
        _requester,
        request,
        kind=NotificationKind.RATE_REQUEST,
        params=_about(request),
        actor=actor,
    )


def notify_at_risk(request: Request, *, clock: str) -> None:
    _notify(
        assignee_or_queue,
        request,
        kind=NotificationKind.AT_RISK,
        params={"reference": request.reference, "clock": clock},
    )


def notify_breached(request: Request, *, clock: str) -> None:
    _notify(
        assignee_and_leads,
        request,
        kind=NotificationKind.BREACHED,
        params={"reference": request.reference, "clock": clock},
    )


def mark_read(*, recipient: Person, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a person's notifications read; others' are never touched."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def set_notification_preferences(
    *, actor: Person, choices: Mapping[str, Mapping[str, bool]]
) -> None:
    """Record which kinds reach ``actor`` on which channel: ``{channel: {kind: on}}``.

    Only the kinds named change; the others keep the actor's earlier choice or the
    default. A kind the actor cannot be sent (a queue's kinds for someone who works
    in no queue) or an unknown channel is refused, naming it as ``channel`` or
    ``channel.kind``; nothing is saved then.
    """
    offered = set(kinds_for(policy.viewer_for(actor)))
    errors: dict[str, str] = {}
    rows: list[NotificationPreference] = []
    now = timezone.now()
    for channel, kinds in choices.items():
        if channel not in NotificationChannel.values:
            errors[channel] = f"Choose one of: {', '.join(NotificationChannel.values)}."
            continue
        for kind, enabled in kinds.items():
            if kind not in offered:
                errors[f"{channel}.{kind}"] = (
                    "Not a kind of notification you can receive."
                    if kind in NotificationKind.values
                    else "No such kind of notification."
                )
                continue
            rows.append(
                NotificationPreference(
                    person=actor, kind=kind, channel=channel, enabled=enabled, updated_at=now
                )
            )
    if errors:
        raise InvalidInput("Some notification choices need fixing.", fields=errors)
    # One statement for any number of choices; two saves at once both land, the later wins.
    NotificationPreference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["person", "kind", "channel"],
        update_fields=["enabled", "updated_at"],
    )
