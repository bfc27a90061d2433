"""Notices: written in the same transaction as the change they announce, delivered after.

The rows are the durable outbox: a change that rolls back takes its notices with
it. ``notify`` is the one place that schedules what happens beyond the
transaction: with ``transaction.on_commit`` it queues the delivery task for the
rows it wrote, so nothing is delivered for a change that never committed.
Delivering in the app means marking the notices delivered; the email and chat
channels will add their sending to the same task.
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from inhouse.desk.models import Notification, NotificationKind, Request
from inhouse.desk.tasks import deliver_notifications
from inhouse.org.models import Membership, MembershipRole, Person


def notify(
    recipient_ids: Iterable[int | None],
    *,
    request: Request,
    kind: str,
    params: dict[str, Any],
    actor: Person | None = None,
) -> int:
    """Notify each distinct recipient except the actor; returns how many were notified."""
    now = timezone.now()
    ids = {pk for pk in recipient_ids if pk is not None and (actor is None or pk != actor.pk)}
    if not ids:
        return 0
    written = Notification.objects.bulk_create(
        Notification(recipient_id=pk, request=request, kind=kind, params=params, created_at=now)
        for pk in sorted(ids)
    )
    notification_ids = [notification.pk for notification in written]
    transaction.on_commit(lambda: deliver_notifications.enqueue(notification_ids))
    return len(ids)


def _about(request: Request) -> dict[str, Any]:
    return {"reference": request.reference, "subject": request.subject}


def requester_side(request: Request) -> list[int]:
    """The requester and everyone watching the request."""
    return [request.requester_id, *request.watchers.values_list("pk", flat=True)]


def queue_people(request: Request, *, leads_only: bool = False) -> QuerySet[Membership]:
    roles = [MembershipRole.LEAD] if leads_only else [MembershipRole.AGENT, MembershipRole.LEAD]
    return Membership.objects.filter(team_id=request.provider_team_id, role__in=roles)


def notify_reply(request: Request, *, actor: Person, public: bool) -> None:
    if public:
        recipients = [*requester_side(request), request.assignee_id]
    else:
        recipients = [request.assignee_id]
    notify(
        recipients,
        request=request,
        kind=NotificationKind.REPLY,
        params={**_about(request), "actor": actor.full_name},
        actor=actor,
    )


def notify_assigned(request: Request, *, actor: Person) -> None:
    notify(
        [request.assignee_id],
        request=request,
        kind=NotificationKind.ASSIGNED,
        params=_about(request),
        actor=actor,
    )


def notify_status(request: Request, *, actor: Person | None) -> None:
    if request.status == "waiting_on_customer":
        kind, params = NotificationKind.WAITING_ON_YOU, _about(request)
    else:
        kind, params = NotificationKind.STATUS, {**_about(request), "status": request.status}
    notify(requester_side(request), request=request, kind=kind, params=params, actor=actor)


def notify_at_risk(request: Request, *, clock: str) -> None:
    recipients = (
        [request.assignee_id]
        if request.assignee_id
        else list(queue_people(request).values_list("person_id", flat=True))
    )
    notify(
        recipients,
        request=request,
        kind=NotificationKind.AT_RISK,
        params={"reference": request.reference, "clock": clock},
    )


def notify_breached(request: Request, *, clock: str) -> None:
    leads = queue_people(request, leads_only=True).values_list("person_id", flat=True)
    notify(
        [request.assignee_id, *leads],
        request=request,
        kind=NotificationKind.BREACHED,
        params={"reference": request.reference, "clock": clock},
    )


def mark_read(*, recipient: Person, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a person's notifications read; others' are never touched."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
