"""In-app notices: written in the same transaction as the change they announce."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from inhouse.desk.models import Notification, NotificationKind, Request
from inhouse.org.models import Membership, MembershipRole, Person


def notify(
    recipient_ids: Iterable[int | None],
    *,
    request: Request,
    kind: str,
    message: str,
    actor: Person | None = None,
) -> int:
    """Notify each distinct recipient except the actor; returns how many were notified."""
    now = timezone.now()
    ids = {pk for pk in recipient_ids if pk is not None and (actor is None or pk != actor.pk)}
    Notification.objects.bulk_create(
        Notification(
            recipient_id=pk, request=request, kind=kind, message=message[:300], created_at=now
        )
        for pk in sorted(ids)
    )
    return len(ids)


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
        message=f"{actor.full_name} replied on {request.reference}: {request.subject}",
        actor=actor,
    )


def notify_assigned(request: Request, *, actor: Person) -> None:
    notify(
        [request.assignee_id],
        request=request,
        kind=NotificationKind.ASSIGNED,
        message=f"{request.reference} was assigned to you: {request.subject}",
        actor=actor,
    )


def notify_status(request: Request, *, actor: Person | None, status_label: str) -> None:
    waiting = request.status == "waiting_on_customer"
    notify(
        requester_side(request),
        request=request,
        kind=NotificationKind.WAITING_ON_YOU if waiting else NotificationKind.STATUS,
        message=(
            f"{request.reference} is waiting on you: {request.subject}"
            if waiting
            else f"{request.reference} is now {status_label}: {request.subject}"
        ),
        actor=actor,
    )


def notify_at_risk(request: Request, *, clock_label: str) -> None:
    recipients = (
        [request.assignee_id]
        if request.assignee_id
        else list(queue_people(request).values_list("person_id", flat=True))
    )
    notify(
        recipients,
        request=request,
        kind=NotificationKind.AT_RISK,
        message=f"{request.reference} is close to breaching its {clock_label} target",
    )


def notify_breached(request: Request, *, clock_label: str) -> None:
    leads = queue_people(request, leads_only=True).values_list("person_id", flat=True)
    notify(
        [request.assignee_id, *leads],
        request=request,
        kind=NotificationKind.BREACHED,
        message=f"{request.reference} breached its {clock_label} target",
    )


def mark_read(*, recipient: Person, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a person's notifications read; others' are never touched."""
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
