"""Which requests a person may see, one request by reference, and what it holds.

Visibility is always applied here: every other read of requests starts from
``requests_visible_to`` or ``get_request_for``.
"""

import logging
import operator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, reduce

from django.db.models import Prefetch, Q, QuerySet

from inhouse import policy
from inhouse.catalog.snapshot import catalog_snapshot
from inhouse.core.errors import NotFound
from inhouse.core.pagination import (
    ID_CURSOR,
    KeysetPage,
    decode_id_cursor,
    encode_cursor,
    page_by_id,
)
from inhouse.core.prepared import PreparedQuery
from inhouse.desk.models import Attachment, Comment, Request, RequestEvent, RequestReference
from inhouse.desk.selectors.filters import RequestFilters, filter_requests
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


# What a request's page and the API's answer show of its relations.
_SHOWN_WITH_A_REQUEST = (
    "service",
    "provider_team",
    "requester",
    "customer_team",
    "assignee",
    "agreement__calendar",
    "parent",
)


# Every door that names a request reads it this way: compiled once per process for each
# of its two shapes (``core.prepared``), as ``first()`` would build it (by id, one row).
_by_reference = {
    with_relations: PreparedQuery(
        lambda reference, with_relations=with_relations: (
            (
                Request.objects.select_related(*_SHOWN_WITH_A_REQUEST)
                if with_relations
                else Request.objects.all()
            )
            .filter(references__reference=reference)
            .order_by("pk")[:1]
        ),
        reference=str,
    )
    for with_relations in (True, False)
}


def get_request_for(
    person: Person | policy.Viewer, reference: str, *, with_relations: bool = True
) -> Request:
    """The request a caller named by any reference it has carried, if they may see it:
    one query, the reference's row joined. ``with_relations=False`` reads the request's
    own row alone, for a door that only changes it (a comment) and answers without them."""
    viewer = policy.as_viewer(person)
    found = _by_reference[with_relations].instances(reference=reference.strip().upper())
    request = found[0] if found else None
    if request is None or not policy.can_view_request(viewer, request):
        raise NotFound("No such request.")
    if request.confidential:
        audit.info(
            "confidential request opened: person=%s request=%s", viewer.person_id, request.pk
        )
    return request


# What a list row shows, read as plain columns: a list of 25 or 50 rows built as model
# instances (the request and its five related rows each) costs more Python than its SQL.
_LISTED_COLUMNS = (
    "id", "reference", "subject", "status", "priority", "service__slug", "service__name",
    "provider_team__slug", "provider_team__name", "customer_team__slug", "customer_team__name",
    "requester_id", "requester__full_name", "requester__email", "assignee_id",
    "assignee__full_name", "assignee__email", "confidential", "external_ref", "channel",
    "created_at", "updated_at", "resolution_due_at", "sla_breached", "version",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ListedRequest:
    """One request as a list shows it: its own fields and the names of what it refers to.

    Fields follow ``_LISTED_COLUMNS``; a missing customer team or assignee has ``None``
    for each of its columns.
    """

    id: int
    reference: str
    subject: str
    status: str
    priority: str
    service_slug: str
    service_name: str
    provider_team_slug: str
    provider_team_name: str
    customer_team_slug: str | None
    customer_team_name: str | None
    requester_id: int
    requester_full_name: str
    requester_email: str
    assignee_id: int | None
    assignee_full_name: str | None
    assignee_email: str | None
    confidential: bool
    external_ref: str
    channel: str
    created_at: datetime
    updated_at: datetime
    resolution_due_at: datetime | None
    sla_breached: bool
    version: int


def listed(requests: QuerySet[Request]) -> list[ListedRequest]:
    """The requests (already ordered and cut to a page) as list rows, in one query."""
    return [ListedRequest(*row) for row in requests.values_list(*_LISTED_COLUMNS)]


@dataclass(frozen=True)
class ListedPage:
    items: list[ListedRequest]
    next_cursor: str | None


def page_of_requests_visible_to(
    person: Person | policy.Viewer,
    filters: RequestFilters,
    *,
    cursor: str | None,
    limit: int,
) -> ListedPage:
    """One page, newest first, of the requests the person may see that match ``filters``,
    as a list shows them (no clocks, no description or answers).

    Visibility is an OR of several ways of seeing a request (``policy.ways_of_seeing_
    requests``). Asked as one condition, a database collects every visible row and
    sorts them all before it can take a page, so the first page costs as much as the
    whole history. Here each way is its own newest-first index range, cut to a page,
    and the page is taken from the union of those few ids: the cost follows the page
    size, not the table. A filter naming a queue the person works needs no visibility
    test at all: they see all of it.
    """
    viewer = policy.as_viewer(person)
    matching = filter_requests(Request.objects.all(), filters)
    if cursor:
        matching = matching.filter(pk__lt=decode_id_cursor(cursor))
    works_named_queue = filters.provider_team is not None and _works_queue_named(
        viewer, filters.provider_team
    )
    if not (viewer.is_admin or works_named_queue):
        newest_per_way = [
            Q(pk__in=branch) for branch in newest_of_each_way(viewer, matching, limit + 1)
        ]
        matching = Request.objects.filter(reduce(operator.or_, newest_per_way))
    # Keyed on id as ``page_by_id`` pages, read as plain rows.
    found = listed(matching.order_by("-pk")[: limit + 1])
    items = found[:limit]
    has_more = len(found) > limit
    return ListedPage(
        items=items,
        next_cursor=encode_cursor(ID_CURSOR, items[-1].id) if has_more and items else None,
    )


def newest_of_each_way(
    viewer: policy.Viewer, matching: QuerySet[Request], size: int
) -> list[QuerySet[Request, int]]:
    """For each way the viewer sees requests, the ids of the newest ``size`` matching
    ones: each is one index range read newest first (tests check the plans)."""
    return [
        matching.filter(way).order_by("-pk").values_list("pk", flat=True)[:size]
        for way in policy.ways_of_seeing_requests(viewer)
    ]


def _works_queue_named(viewer: policy.Viewer, team_slug: str) -> bool:
    teams = catalog_snapshot().teams_by_id
    return any(
        team_id in teams and teams[team_id].slug == team_slug for team_id in viewer.queue_team_ids
    )


def page_of_requests(
    requests: QuerySet[Request], *, cursor: str | None, limit: int
) -> KeysetPage[Request]:
    """Newest first, keyed on id: pages never skip or repeat while new requests arrive."""
    return page_by_id(
        requests.select_related(
            "service", "provider_team", "requester", "customer_team", "assignee"
        ).prefetch_related(Prefetch("clocks", queryset=Clock.objects.select_related("calendar"))),
        cursor=cursor,
        limit=limit,
        newest_first=True,
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


# What the API's answer reads of a request on every read and change: compiled once per
# process (``core.prepared``).
_clocks_of = PreparedQuery(
    lambda request_id: (
        Clock.objects.select_related("calendar").filter(request_id=request_id).order_by("kind")
    ),
    request_id=int,
)
_references_of = PreparedQuery(
    lambda request_id: (
        RequestReference.objects.filter(request_id=request_id)
        .order_by("created_at")
        .values_list("reference")
    ),
    request_id=int,
)
_watchers_of = PreparedQuery(
    lambda request_id: Person.objects.filter(requests_watched=request_id), request_id=int
)


def clocks_of(request: Request) -> list[Clock]:
    """The request's clocks with their calendars; a request just filed carries the
    clocks it was given (``submit_request``), so they are not read back."""
    if "clocks" in getattr(request, "_prefetched_objects_cache", {}):
        return sorted(request.clocks.all(), key=lambda clock: clock.kind)
    clocks = _clocks_of.instances(request_id=request.pk)
    for clock in clocks:
        # As the related manager gives them: each knows its request without a query.
        Clock.request.field.set_cached_value(clock, request)
    return clocks


def references_of(request: Request) -> list[str]:
    """Every reference the request has carried, oldest first."""
    return [reference for (reference,) in _references_of.rows(request_id=request.pk)]


def watchers_of(request: Request) -> list[Person]:
    """The people watching the request, by name (``request.watchers.all()``)."""
    return _watchers_of.instances(request_id=request.pk)


def blockers_of(person: Person | policy.Viewer, request: Request) -> QuerySet[Request]:
    return requests_visible_to(person).filter(blocks_links__blocked=request)


def blocked_by_this(person: Person | policy.Viewer, request: Request) -> QuerySet[Request]:
    return requests_visible_to(person).filter(blocked_by_links__blocker=request)


def dependencies_of(
    person: Person | policy.Viewer, request: Request, *, blockers: bool
) -> list[Request]:
    """``blockers_of`` (or, with ``blockers=False``, ``blocked_by_this``) by id, read
    through a statement compiled once per process and shape of the viewer's teams."""
    viewer = policy.as_viewer(person)
    team_ids, queue_team_ids = sorted(viewer.team_ids), sorted(viewer.queue_team_ids)
    prepared = _dependencies(
        blockers=blockers,
        is_admin=viewer.is_admin,
        teams=len(team_ids),
        queue_teams=len(queue_team_ids),
    )
    values = {
        "request_id": request.pk,
        **({} if viewer.is_admin else {"person_id": viewer.person_id}),
        **{f"team_{number}": team_id for number, team_id in enumerate(team_ids)},
        **{f"queue_team_{number}": team_id for number, team_id in enumerate(queue_team_ids)},
    }
    return prepared.instances(**values)


@lru_cache(maxsize=256)
def _dependencies(
    *, blockers: bool, is_admin: bool, teams: int, queue_teams: int
) -> PreparedQuery[Request]:
    team_names = [f"team_{number}" for number in range(teams)]
    queue_team_names = [f"queue_team_{number}" for number in range(queue_teams)]

    def build(request_id: int, **ids: int) -> QuerySet[Request]:
        # The viewer's visibility condition, made from a stand-in holding these ids.
        viewer = policy.Viewer(
            person=Person(pk=ids.get("person_id")),
            team_ids=frozenset(ids[name] for name in team_names),
            queue_team_ids=frozenset(ids[name] for name in queue_team_names),
            lead_team_ids=frozenset(),
            is_admin=is_admin,
        )
        linked = blockers_of if blockers else blocked_by_this
        return linked(viewer, Request(pk=request_id)).order_by("pk")

    names = [*([] if is_admin else ["person_id"]), *team_names, *queue_team_names]
    # The person's id and each team may appear more than once in the condition.
    return PreparedQuery(build, each_once=False, request_id=int, **dict.fromkeys(names, int))
