"""Reads of requests that every door shares; visibility is always applied here."""

import base64
import binascii
import logging
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.desk.models import (
    OPEN_STATUSES,
    Attachment,
    Comment,
    Request,
    RequestEvent,
    RequestReference,
    Status,
)
from inhouse.org.models import Person, Team
from inhouse.sla.models import Clock

# Every look at a confidential request is recorded: who, which request, what, when.
# Never its content.
audit = logging.getLogger("inhouse.audit")


def requests_visible_to(person: Person | policy.Viewer) -> QuerySet[Request]:
    viewer = policy.as_viewer(person)
    return Request.objects.filter(policy.visible_requests_q(viewer))


def team_queue(person: Person | policy.Viewer, team: Team) -> QuerySet[Request]:
    """Every request a team holds, for someone who works its queue.

    Whoever works the queue sees all of it, so the visibility test (an OR that keeps
    the database from using the team index) is left out; anyone else gets the
    visible part only.
    """
    viewer = policy.as_viewer(person)
    if policy.works_queue(viewer, team):
        return Request.objects.filter(provider_team=team)
    return requests_visible_to(viewer).filter(provider_team=team)


def requests_involving(person: Person | policy.Viewer) -> QuerySet[Request]:
    """Requests the person filed or watches; not every request of their teams."""
    viewer = policy.as_viewer(person)
    watched = Request.watchers.through.objects.filter(person_id=viewer.person_id).values(
        "request_id"
    )
    return requests_visible_to(viewer).filter(Q(requester_id=viewer.person_id) | Q(pk__in=watched))


def get_request_for(person: Person | policy.Viewer, reference: str) -> Request:
    """The request a caller named by any reference it has carried, if they may see it."""
    viewer = policy.as_viewer(person)
    request_id = (
        RequestReference.objects.filter(reference=reference.strip().upper())
        .values_list("request_id", flat=True)
        .first()
    )
    request = (
        Request.objects.select_related(
            "service",
            "provider_team",
            "requester",
            "customer_team",
            "assignee",
            "agreement__calendar",
            "parent",
        )
        .filter(pk=request_id)
        .first()
        if request_id
        else None
    )
    if request is None or not policy.can_view_request(viewer, request):
        raise NotFound("No such request.")
    if request.confidential:
        audit.info(
            "confidential request opened: person=%s request=%s", viewer.person_id, request.pk
        )
    return request


@dataclass(frozen=True)
class RequestFilters:
    """The filters the queue page and ``GET /api/v1/requests`` share."""

    status: list[str] | None = None
    provider_team: str | None = None
    customer_team: str | None = None
    assignee: str | None = None
    priority: list[str] | None = None
    service: str | None = None
    breached: bool | None = None
    at_risk: bool | None = None
    open: bool | None = None
    requester: str | None = None
    text: str | None = None


def _overdue_clock(now: datetime) -> Exists:
    return Exists(
        Clock.objects.filter(
            request=OuterRef("pk"), stopped_at__isnull=True, paused_at__isnull=True, due_at__lt=now
        )
    )


def filter_requests(requests: QuerySet[Request], filters: RequestFilters) -> QuerySet[Request]:
    now = timezone.now()
    if filters.status:
        unknown = set(filters.status) - set(Status.values)
        if unknown:
            raise InvalidInput(
                "Unknown status filter.",
                fields={"status": f"Unknown: {', '.join(sorted(unknown))}."},
            )
        requests = requests.filter(status__in=filters.status)
    if filters.open is not None:
        requests = (
            requests.filter(status__in=OPEN_STATUSES)
            if filters.open
            else requests.exclude(status__in=OPEN_STATUSES)
        )
    if filters.priority:
        requests = requests.filter(priority__in=filters.priority)
    if filters.provider_team:
        requests = requests.filter(provider_team__slug=filters.provider_team)
    if filters.customer_team:
        requests = requests.filter(customer_team__slug=filters.customer_team)
    if filters.service:
        requests = requests.filter(service__slug=filters.service)
    if filters.assignee:
        if filters.assignee == "none":
            requests = requests.filter(assignee__isnull=True)
        else:
            requests = requests.filter(_person_matches("assignee", filters.assignee))
    if filters.requester:
        requests = requests.filter(_person_matches("requester", filters.requester))
    if filters.breached is not None:
        breached = Q(sla_breached=True) | _overdue_clock(now)
        requests = requests.filter(breached if filters.breached else ~breached)
    if filters.at_risk:
        requests = requests.filter(
            Exists(
                Clock.objects.filter(
                    request=OuterRef("pk"),
                    stopped_at__isnull=True,
                    paused_at__isnull=True,
                    breached_at__isnull=True,
                    warn_at__lte=now,
                    due_at__gte=now,
                )
            )
        )
    if filters.text:
        for word in filters.text.split()[:8]:
            requests = requests.filter(
                Q(subject__icontains=word)
                | Q(reference__iexact=word)
                | Q(description__icontains=word)
            )
    return requests


def _person_matches(field: str, value: str) -> Q:
    if value.isdigit():
        return Q(**{f"{field}_id": int(value)})
    return Q(**{f"{field}__user__username": value}) | Q(**{f"{field}__email__iexact": value})


# --- cursor pagination ---------------------------------------------------------------------


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        prefix, value = text.split(":", 1)
        if prefix != "id":
            raise ValueError
        return int(value)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidInput(
            "Invalid cursor.", fields={"cursor": "Use the next_cursor of a previous page."}
        ) from exc


@dataclass(frozen=True)
class Page:
    items: list[Request]
    next_cursor: str | None


def page_of_requests(requests: QuerySet[Request], *, cursor: str | None, limit: int) -> Page:
    """Newest first, keyed on id: pages never skip or repeat while new requests arrive."""
    if cursor:
        requests = requests.filter(pk__lt=decode_cursor(cursor))
    rows = list(
        requests.select_related(
            "service", "provider_team", "requester", "customer_team", "assignee"
        )
        .prefetch_related(Prefetch("clocks", queryset=Clock.objects.select_related("calendar")))
        .order_by("-pk")[: limit + 1]
    )
    has_more = len(rows) > limit
    items = rows[:limit]
    return Page(
        items=items, next_cursor=encode_cursor(items[-1].pk) if has_more and items else None
    )


# --- inside one request ----------------------------------------------------------------------


def comments_visible_to(person: Person | policy.Viewer, request: Request) -> QuerySet[Comment]:
    viewer = policy.as_viewer(person)
    if not policy.can_view_request(viewer, request):
        return Comment.objects.none()
    comments = request.comments.select_related("author").prefetch_related("attachments")
    if not policy.can_see_internal(viewer, request):
        comments = comments.filter(is_public=True)
    return comments.order_by("created_at", "id")


def history_visible_to(person: Person | policy.Viewer, request: Request) -> QuerySet[RequestEvent]:
    viewer = policy.as_viewer(person)
    if not policy.can_view_request(viewer, request):
        return RequestEvent.objects.none()
    events = request.events.select_related("actor")
    if not policy.can_see_internal(viewer, request):
        events = events.filter(is_public=True)
    return events.order_by("created_at", "id")


def attachments_visible_to(
    person: Person | policy.Viewer, request: Request
) -> QuerySet[Attachment]:
    viewer = policy.as_viewer(person)
    if not policy.can_view_request(viewer, request):
        return Attachment.objects.none()
    attachments = request.attachments.select_related("comment")
    if not policy.can_see_internal(viewer, request):
        attachments = attachments.filter(Q(comment__isnull=True) | Q(comment__is_public=True))
    return attachments


def get_attachment_for(
    person: Person | policy.Viewer, request: Request, attachment_id: int
) -> Attachment:
    """An attachment is only ever looked up inside a request the caller may see."""
    attachment = attachments_visible_to(person, request).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("No such attachment.")
    if request.confidential:
        audit.info(
            "confidential attachment fetched: person=%s request=%s attachment=%s",
            policy.as_viewer(person).person_id, request.pk, attachment.pk,
        )  # fmt: skip
    return attachment


def clocks_of(request: Request) -> list[Clock]:
    return list(request.clocks.select_related("calendar").order_by("kind"))


def blockers_of(person: Person | policy.Viewer, request: Request) -> QuerySet[Request]:
    return requests_visible_to(person).filter(blocks_links__blocked=request)


def blocked_by_this(person: Person | policy.Viewer, request: Request) -> QuerySet[Request]:
    return requests_visible_to(person).filter(blocked_by_links__blocker=request)
