"""Requests over HTTP: each endpoint parses, calls one service or selector, returns a schema."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypedDict

from django.db.models import Q
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import ConfigDict, Field, StrictBool

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.catalog.selectors import get_service_for
from inhouse.core.errors import InvalidInput, NotFound, PermissionDenied
from inhouse.core.http import expected_version, names_unknown_parameters_itself
from inhouse.core.ids import DatabaseId, database_id
from inhouse.core.pagination import page_by_id
from inhouse.core.schemas import ErrorOut, PersonRef, StrictSchema, TeamRef
from inhouse.core.text import render_markdown
from inhouse.desk import selectors
from inhouse.desk import services as desk
from inhouse.desk.audit import AuditDoor, record_confidential_view
from inhouse.desk.downloads import attachment_response
from inhouse.desk.events import data_for_reader
from inhouse.desk.models import Attachment, Channel, Comment, NotificationChannel, Request
from inhouse.desk.notifications import preferences_of
from inhouse.desk.schemas import (
    AttachmentOut,
    ClockOut,
    CommentIn,
    CommentOut,
    CommentPage,
    EventOut,
    EventPage,
    RequestDetailOut,
    RequestIn,
    RequestLink,
    RequestOut,
    RequestPage,
    RequestPatch,
    ServiceRef,
    TransferIn,
    TransitionIn,
)
from inhouse.desk.selectors.filters import invalid_filters, read_filter_query
from inhouse.desk.selectors.requests import ListedRequest
from inhouse.desk.services.notifications import set_notification_preferences
from inhouse.org.auth import CallerRequest
from inhouse.org.models import Person, Team
from inhouse.sla.selectors import clock_state

router = Router(tags=["requests"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut, 428: ErrorOut}


class Submission(TypedDict):
    """What ``submit_request`` is given from a ``RequestIn``, besides the actor."""

    service: Service
    subject: str
    description: str
    form_answers: dict[str, Any]
    priority: str | None
    impact: str | None
    urgency: str | None
    customer_team: Team | None
    external_ref: str
    parent: Request | None
    requester: Person | None
    channel: str


class RequestChanges(TypedDict, total=False):
    """The fields a ``RequestPatch`` names, as ``update_request`` takes them."""

    assignee: Person | None
    priority: str
    external_ref: str
    blocked_by: list[Request]


# --- resolving names in the payload ------------------------------------------------------


def _person(handle: str | int, *, field: str) -> Person:
    text = str(handle).strip()
    person_id = database_id(text)
    lookup = (
        Q(pk=person_id) if person_id is not None else Q(user__username=text) | Q(email__iexact=text)
    )
    person = Person.objects.filter(lookup, is_active=True).first()
    if person is None:
        raise InvalidInput(f"Unknown person '{text}'.", fields={field: "No such active person."})
    return person


def _team(slug: str, *, field: str) -> Team:
    team = Team.objects.filter(slug=slug, is_active=True).first()
    if team is None:
        raise InvalidInput(f"Unknown team '{slug}'.", fields={field: "No such team."})
    return team


def _visible_request(person: Person | policy.Viewer, reference: str, *, field: str) -> Request:
    try:
        return selectors.get_request_for(person, reference)
    except NotFound as exc:
        raise InvalidInput(
            f"Unknown request '{reference}'.", fields={field: f"No such request: {reference}."}
        ) from exc


@contextmanager
def _requester_set_by_someone_else(requester: Person | None, *, actor: Person) -> Iterator[None]:
    """Only the provider's agents may file for someone else, and the service refuses
    anyone else; at this door that makes ``requester`` a field the caller may not set,
    which is a 400 naming it rather than a 403."""
    try:
        yield
    except PermissionDenied as exc:
        if requester is None or requester.pk == actor.pk:
            raise
        raise InvalidInput(
            exc.message, fields={"requester": "Only the provider team's agents can set this."}
        ) from exc


# --- shaping responses ---------------------------------------------------------------------


def _person_ref(person: Person | None) -> PersonRef | None:
    return PersonRef.model_validate(person) if person is not None else None


def _link(request: Request) -> RequestLink:
    return RequestLink(reference=request.reference, subject=request.subject, status=request.status)


def _detail(
    viewer: policy.Viewer, request: Request, *, just_created: bool = False
) -> RequestDetailOut:
    """The full picture of a request; a request created a moment ago has no links yet."""
    now = timezone.now()
    clocks = []
    for clock in selectors.clocks_of(request):
        state = clock_state(clock, now=now)
        clocks.append(
            ClockOut(
                kind=state.kind,
                target_minutes=int(state.target.total_seconds() // 60),
                started_at=state.started_at,
                due_at=state.due_at,
                remaining_seconds=int(state.remaining.total_seconds()),
                paused=state.paused,
                paused_seconds=int(state.paused_total.total_seconds()),
                stopped_at=state.stopped_at,
                breached=state.breached,
                breached_at=state.breached_at,
                at_risk=state.at_risk,
            )
        )
    return RequestDetailOut(
        **{field: getattr(request, field) for field in _PLAIN_FIELDS},
        service=ServiceRef.model_validate(request.service),
        provider_team=TeamRef.model_validate(request.provider_team),
        customer_team=TeamRef.model_validate(request.customer_team)
        if request.customer_team
        else None,
        requester=PersonRef.model_validate(request.requester),
        assignee=_person_ref(request.assignee),
        parent=_link(request.parent) if request.parent else None,
        references=[request.reference]
        if just_created
        else list(request.references.order_by("created_at").values_list("reference", flat=True)),
        clocks=clocks,
        allowed_transitions=policy.transitions_for(viewer, request),
        blocked_by=[]
        if just_created
        else [_link(r) for r in selectors.blockers_of(viewer, request).order_by("pk")],
        blocks=[]
        if just_created
        else [_link(r) for r in selectors.blocked_by_this(viewer, request).order_by("pk")],
        watchers=[]
        if just_created
        else [PersonRef.model_validate(person) for person in request.watchers.all()],
    )


_PLAIN_FIELDS = (
    "reference", "subject", "status", "priority", "confidential", "external_ref", "channel",
    "created_at", "updated_at", "resolution_due_at", "sla_breached", "version", "description",
    "form_answers", "first_responded_at", "resolved_at", "closed_at",
)  # fmt: skip


def _respond_with(
    viewer: policy.Viewer, request: Request, response: HttpResponse
) -> RequestDetailOut:
    """The answer to a change, built from the row the service wrote (it still holds
    the relations the door loaded), with the version to send back in ``If-Match``."""
    response["ETag"] = f'"{request.version}"'
    return _detail(viewer, request)


def _comment_out(comment: Comment) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        author=_person_ref(comment.author),
        body=comment.body,
        body_html=render_markdown(comment.body),
        public=comment.is_public,
        by_provider=comment.by_provider,
        channel=comment.channel,
        created_at=comment.created_at,
    )


# --- the collection -------------------------------------------------------------------------


class RequestQuery(Schema):
    """The list's parameters as the OpenAPI description shows them and ninja type-checks them.

    What the filters mean is read by ``read_filter_query``, the definition the queue
    page reads its query with, so both doors accept and refuse the same values.
    """

    model_config = ConfigDict(extra="forbid")

    status: list[str] | None = Field(None, description="One or more statuses")
    priority: list[str] | None = None
    provider_team: str | None = Field(None, max_length=80)
    customer_team: str | None = Field(None, max_length=80)
    service: str | None = Field(None, max_length=100)
    assignee: str | None = Field(
        None, max_length=254, description="Username, email, id, 'none' or 'me'"
    )
    requester: str | None = Field(None, max_length=254)
    breached: bool | None = None
    at_risk: bool | None = None
    open: bool | None = None
    q: str | None = Field(
        None, max_length=200, description="Words in the subject or description, or a reference"
    )
    text: str | None = Field(None, max_length=200, description="Another name for q")
    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(25, ge=1, le=100)


# The list's own parameters besides the filters every list of requests shares.
_PAGING_KEYS = ("cursor", "limit")


@router.get("", response={200: RequestPage, **READ_ERRORS})
@names_unknown_parameters_itself
def list_requests(request: CallerRequest, query: Query[RequestQuery]) -> RequestPage:
    """Requests the caller may see, newest first; follow ``next_cursor`` for more."""
    filters, errors = read_filter_query(
        request.GET, also=_PAGING_KEYS, not_a_filter="Not a filter of this list."
    )
    if errors:
        raise invalid_filters(errors)
    page = selectors.page_of_requests_visible_to(
        request.auth,
        filters.filters_for(request.auth, open_by_default=False),
        cursor=query.cursor,
        limit=query.limit,
    )
    # The rows are the database's own typed columns: built without validation, since
    # validating 25 rows field by field through ninja's attribute resolver costs more
    # than reading them. The answer is still serialised by (and documented as) RequestPage.
    return RequestPage.model_construct(
        items=[_listed_out(found) for found in page.items], next_cursor=page.next_cursor
    )


def _listed_out(found: ListedRequest) -> RequestOut:
    customer_team = (
        TeamRef.model_construct(slug=found.customer_team_slug, name=found.customer_team_name)
        if found.customer_team_slug is not None
        else None
    )
    assignee = (
        PersonRef.model_construct(
            id=found.assignee_id, full_name=found.assignee_full_name, email=found.assignee_email
        )
        if found.assignee_id is not None
        else None
    )
    return RequestOut.model_construct(
        reference=found.reference,
        subject=found.subject,
        status=found.status,
        priority=found.priority,
        service=ServiceRef.model_construct(slug=found.service_slug, name=found.service_name),
        provider_team=TeamRef.model_construct(
            slug=found.provider_team_slug, name=found.provider_team_name
        ),
        customer_team=customer_team,
        requester=PersonRef.model_construct(
            id=found.requester_id,
            full_name=found.requester_full_name,
            email=found.requester_email,
        ),
        assignee=assignee,
        confidential=found.confidential,
        external_ref=found.external_ref,
        channel=found.channel,
        created_at=found.created_at,
        updated_at=found.updated_at,
        resolution_due_at=found.resolution_due_at,
        sla_breached=found.sla_breached,
        version=found.version,
    )


@router.post("", response={201: RequestDetailOut, **WRITE_ERRORS, 422: ErrorOut})
def submit(
    request: CallerRequest, payload: RequestIn, response: HttpResponse
) -> Status[RequestDetailOut]:
    """File a request. Send an ``Idempotency-Key`` header to make retries safe."""
    actor = request.auth
    viewer = policy.viewer_for(actor)
    service = get_service_for(viewer, payload.service)
    submission = Submission(
        service=service,
        subject=payload.subject,
        description=payload.description,
        form_answers=payload.form_answers,
        priority=payload.priority,
        impact=payload.impact,
        urgency=payload.urgency,
        customer_team=_team(payload.customer_team, field="customer_team")
        if payload.customer_team
        else None,
        external_ref=payload.external_ref,
        parent=_visible_request(viewer, payload.parent, field="parent") if payload.parent else None,
        requester=_person(payload.requester, field="requester") if payload.requester else None,
        channel=Channel.API,
    )
    key = request.headers.get("Idempotency-Key")
    with _requester_set_by_someone_else(submission["requester"], actor=actor):
        if key is None:
            created, is_new = desk.submit_request(actor=actor, viewer=viewer, **submission), True
        else:
            created, is_new = desk.submit_request_once(
                idempotency_key=key,
                actor=actor,
                viewer=viewer,
                digest=desk.submission_digest(**payload.model_dump()),
                **submission,
            )
    if not is_new:
        # A replay returns the request as it is now, which may have moved on.
        response["Idempotent-Replayed"] = "true"
        response["Location"] = f"/api/v1/requests/{created.reference}"
        return Status(201, _respond_with(viewer, created, response))
    response["Location"] = f"/api/v1/requests/{created.reference}"
    response["ETag"] = f'"{created.version}"'
    return Status(201, _detail(viewer, created, just_created=True))


# --- one request ------------------------------------------------------------------------------


@router.get("/{reference}", response={200: RequestDetailOut, **READ_ERRORS})
def get_request(request: CallerRequest, reference: str, response: HttpResponse) -> RequestDetailOut:
    """One request with its SLA clocks, allowed transitions, dependencies and ``version``."""
    viewer = policy.viewer_for(request.auth)
    found = selectors.get_request_for(viewer, reference)
    record_confidential_view(viewer, found, door=AuditDoor.API, what="read the details of")
    response["ETag"] = f'"{found.version}"'
    return _detail(viewer, found)


@router.patch("/{reference}", response={200: RequestDetailOut, **WRITE_ERRORS})
def update(
    request: CallerRequest, reference: str, payload: RequestPatch, response: HttpResponse
) -> RequestDetailOut:
    """Change assignee, priority, external outcome or dependencies. Requires ``If-Match``."""
    actor = request.auth
    viewer = policy.viewer_for(actor)
    found = selectors.get_request_for(viewer, reference)
    version = expected_version(request, required=True)
    given = payload.model_fields_set
    changes = RequestChanges()
    if "assignee" in given:
        changes["assignee"] = (
            _person(payload.assignee, field="assignee") if payload.assignee is not None else None
        )
    if "priority" in given:
        if payload.priority is None:
            raise InvalidInput(
                "Priority cannot be empty.", fields={"priority": "Choose a priority."}
            )
        changes["priority"] = payload.priority
    if "external_ref" in given:
        changes["external_ref"] = payload.external_ref or ""
    if "blocked_by" in given:
        changes["blocked_by"] = [
            _visible_request(actor, ref, field="blocked_by") for ref in payload.blocked_by or []
        ]
    updated = desk.update_request(
        actor=actor, request=found, expected_version=version, viewer=viewer, **changes
    )
    return _respond_with(viewer, updated, response)


@router.post("/{reference}/transitions", response={200: RequestDetailOut, **WRITE_ERRORS})
def transition(
    request: CallerRequest, reference: str, payload: TransitionIn, response: HttpResponse
) -> RequestDetailOut:
    """Move the request to another status (``{"to": "resolved", "comment": "…"}``).

    ``If-Match`` is optional here: the lifecycle itself refuses impossible moves.
    """
    actor = request.auth
    viewer = policy.viewer_for(actor)
    found = selectors.get_request_for(viewer, reference)
    updated = desk.transition_request(
        actor=actor,
        request=found,
        to=payload.to,
        comment=payload.comment,
        expected_version=expected_version(request, required=False),
        channel=Channel.API,
        viewer=viewer,
    )
    return _respond_with(viewer, updated, response)


@router.post("/{reference}/transfer", response={200: RequestDetailOut, **WRITE_ERRORS})
def transfer(
    request: CallerRequest, reference: str, payload: TransferIn, response: HttpResponse
) -> RequestDetailOut:
    """Hand the request to another service (and its team). Requires ``If-Match``."""
    actor = request.auth
    viewer = policy.viewer_for(actor)
    found = selectors.get_request_for(viewer, reference)
    version = expected_version(request, required=True)
    target = get_service_for(actor, payload.service)
    updated = desk.transfer_request(
        actor=actor, request=found, service=target, expected_version=version, note=payload.note
    )
    # The caller may have handed it to a team whose requests they cannot see any more,
    # so the answer is built from the updated row rather than looked up again.
    response["ETag"] = f'"{updated.version}"'
    return _detail(viewer, updated)


# --- conversation, files, history ---------------------------------------------------------


class PageQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(50, ge=1, le=200)


@router.get("/{reference}/comments", response={200: CommentPage, **READ_ERRORS})
def list_comments(request: CallerRequest, reference: str, query: Query[PageQuery]) -> CommentPage:
    """The conversation, oldest first; internal notes only for the provider's agents."""
    viewer = policy.viewer_for(request.auth)
    found = selectors.get_request_for(viewer, reference)
    record_confidential_view(viewer, found, door=AuditDoor.API, what="read the conversation of")
    page = page_by_id(
        selectors.comments_visible_to(viewer, found),
        cursor=query.cursor,
        limit=query.limit,
        newest_first=False,
    )
    return CommentPage(items=[_comment_out(c) for c in page.items], next_cursor=page.next_cursor)


@router.post("/{reference}/comments", response={201: CommentOut, **WRITE_ERRORS})
def add_comment(request: CallerRequest, reference: str, payload: CommentIn) -> Status[CommentOut]:
    """Reply publicly, or add an internal note with ``"public": false`` (agents only)."""
    actor = request.auth
    viewer = policy.viewer_for(actor)
    found = selectors.get_request_for(viewer, reference, with_relations=False)
    comment = desk.add_comment(
        actor=actor,
        request=found,
        body=payload.body,
        public=payload.public,
        channel=Channel.API,
        viewer=viewer,
    )
    return Status(201, _comment_out(comment))


def _attachment_out(reference: str, attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        name=attachment.original_name,
        size=attachment.size,
        sha256=attachment.sha256,
        content_type=attachment.content_type,
        created_at=attachment.created_at,
        download_url=reverse(
            "api:download_attachment",
            kwargs={"reference": reference, "attachment_id": attachment.pk},
        ),
    )


@router.get("/{reference}/attachments", response={200: list[AttachmentOut], **READ_ERRORS})
def list_attachments(request: CallerRequest, reference: str) -> list[AttachmentOut]:
    viewer = policy.viewer_for(request.auth)
    found = selectors.get_request_for(viewer, reference)
    record_confidential_view(viewer, found, door=AuditDoor.API, what="listed the files of")
    return [
        _attachment_out(found.reference, a) for a in selectors.attachments_visible_to(viewer, found)
    ]


@router.post("/{reference}/attachments", response={201: AttachmentOut, **WRITE_ERRORS})
def upload_attachment(
    request: CallerRequest, reference: str, file: File[UploadedFile]
) -> Status[AttachmentOut]:
    """Attach a file (multipart field ``file``); it is always served back as a download."""
    actor = request.auth
    found = selectors.get_request_for(actor, reference)
    attachment = desk.add_attachment(
        actor=actor,
        request=found,
        upload=desk.Upload(
            name=file.name or "attachment", content_type=file.content_type or "", stream=file
        ),
    )
    return Status(201, _attachment_out(found.reference, attachment))


@router.get(
    "/{reference}/attachments/{attachment_id}",
    response={200: None, **READ_ERRORS},
    url_name="download_attachment",
)
def download_attachment(
    request: CallerRequest, reference: str, attachment_id: DatabaseId
) -> FileResponse:
    viewer = policy.viewer_for(request.auth)
    found = selectors.get_request_for(viewer, reference)
    attachment = selectors.get_attachment_for(viewer, found, attachment_id)
    return attachment_response(attachment, viewer=viewer, door=AuditDoor.API)


@router.get("/{reference}/history", response={200: EventPage, **READ_ERRORS})
def history(request: CallerRequest, reference: str, query: Query[PageQuery]) -> EventPage:
    """The append-only history of the request, oldest first.

    A linked request the caller may not see appears as ``null`` (``"blocked_by": null``).
    """
    viewer = policy.viewer_for(request.auth)
    found = selectors.get_request_for(viewer, reference)
    record_confidential_view(viewer, found, door=AuditDoor.API, what="read the history of")
    page = page_by_id(
        selectors.history_visible_to(viewer, found),
        cursor=query.cursor,
        limit=query.limit,
        newest_first=False,
    )
    readable = data_for_reader(page.items, visible_requests=selectors.requests_visible_to(viewer))
    return EventPage(
        items=[
            EventOut(
                id=e.pk,
                kind=e.kind,
                actor=_person_ref(e.actor),
                data=data,
                created_at=e.created_at,
            )
            for e, data in zip(page.items, readable, strict=True)
        ],
        next_cursor=page.next_cursor,
    )


# --- the caller's notification choices (mounted at /me) ----------------------------------

me_router = Router(tags=["notifications"])

# More than there are kinds, so a full set always fits and a flood does not.
MAX_CHOICES_PER_CHANNEL = 50


class NotificationKindOut(Schema):
    kind: str
    label: str
    description: str = Field(description="When a notice of this kind is sent")
    for_providers: bool = Field(
        description="About the queues of teams you work in, rather than requests you asked for"
    )
    defaults: dict[str, bool] = Field(description="Per channel: on unless you choose otherwise")


class NotificationPreferencesOut(Schema):
    app: dict[str, bool] = Field(description="Per kind you can be sent: whether it reaches you")
    kinds: list[NotificationKindOut]


class NotificationPreferencesIn(StrictSchema):
    app: dict[str, StrictBool] = Field(
        default_factory=dict,
        max_length=MAX_CHOICES_PER_CHANNEL,
        description="Per kind: true to receive it in the app, false not to; kinds left out "
        "keep their setting",
    )


def _preferences_out(viewer: policy.Viewer) -> NotificationPreferencesOut:
    choices = preferences_of(viewer)
    return NotificationPreferencesOut(
        app={choice.kind: choice.enabled[NotificationChannel.APP] for choice in choices},
        kinds=[
            NotificationKindOut(
                kind=choice.kind,
                label=choice.label,
                description=choice.explanation,
                for_providers=choice.for_providers,
                defaults=choice.defaults,
            )
            for choice in choices
        ],
    )


@me_router.get(
    "/notification-preferences", response={200: NotificationPreferencesOut, **READ_ERRORS}
)
def notification_preferences(request: CallerRequest) -> NotificationPreferencesOut:
    """Which kinds of notice reach you, per channel (today: ``app``, the in-app inbox).

    Everyone gets the kinds about requests they asked for or watch; agents and leads
    also those about their teams' queues. A kind you never chose follows its default.
    """
    return _preferences_out(policy.viewer_for(request.auth))


@me_router.put(
    "/notification-preferences", response={200: NotificationPreferencesOut, **WRITE_ERRORS}
)
def choose_notification_preferences(
    request: CallerRequest, payload: NotificationPreferencesIn
) -> NotificationPreferencesOut:
    """Choose kinds: ``{"app": {"new_request": false}}``. Kinds left out keep their setting;
    a kind you cannot be sent, or an unknown one, is a 400 naming it as ``app.<kind>``."""
    set_notification_preferences(actor=request.auth, choices={NotificationChannel.APP: payload.app})
    return _preferences_out(policy.viewer_for(request.auth))
