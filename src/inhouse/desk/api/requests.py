"""One request and the collection over HTTP: listing, filing, reading, changing,
moving along its lifecycle and transferring it."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypedDict

from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.catalog.selectors import get_service_for
from inhouse.core.errors import InvalidInput, PermissionDenied
from inhouse.core.http import expected_version, names_unknown_parameters_itself
from inhouse.core.schemas import ErrorOut, PersonRef, TeamRef
from inhouse.desk import selectors
from inhouse.desk import services as desk
from inhouse.desk.api._shared import (
    READ_ERRORS,
    WRITE_ERRORS,
    person_named,
    request_detail,
    respond_with,
    team_named,
    visible_request,
)
from inhouse.desk.audit import AuditDoor, record_confidential_view
from inhouse.desk.models import Channel, Request
from inhouse.desk.schemas import (
    RequestDetailOut,
    RequestIn,
    RequestOut,
    RequestPage,
    RequestPatch,
    ServiceRef,
    TransferIn,
    TransitionIn,
)
from inhouse.desk.selectors.filters import invalid_filters, read_filter_query
from inhouse.desk.selectors.requests import ListedRequest
from inhouse.org.auth import CallerRequest
from inhouse.org.models import Person, Team

router = Router(tags=["requests"])


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


@router.get(
    "", response={200: RequestPage, **READ_ERRORS}, operation_id="inhouse_desk_api_list_requests"
)
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


@router.post(
    "",
    response={201: RequestDetailOut, **WRITE_ERRORS, 422: ErrorOut},
    operation_id="inhouse_desk_api_submit",
)
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
        customer_team=team_named(payload.customer_team, field="customer_team")
        if payload.customer_team
        else None,
        external_ref=payload.external_ref,
        parent=visible_request(viewer, payload.parent, field="parent") if payload.parent else None,
        requester=person_named(payload.requester, field="requester") if payload.requester else None,
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
        return Status(201, respond_with(viewer, created, response))
    response["Location"] = f"/api/v1/requests/{created.reference}"
    response["ETag"] = f'"{created.version}"'
    return Status(201, request_detail(viewer, created, just_created=True))


# --- one request ------------------------------------------------------------------------------


@router.get(
    "/{reference}",
    response={200: RequestDetailOut, **READ_ERRORS},
    operation_id="inhouse_desk_api_get_request",
)
def get_request(request: CallerRequest, reference: str, response: HttpResponse) -> RequestDetailOut:
    """One request with its SLA clocks, allowed transitions, dependencies and ``version``."""
    viewer = policy.viewer_for(request.auth)
    found = selectors.get_request_for(viewer, reference)
    record_confidential_view(viewer, found, door=AuditDoor.API, what="read the details of")
    response["ETag"] = f'"{found.version}"'
    return request_detail(viewer, found)


@router.patch(
    "/{reference}",
    response={200: RequestDetailOut, **WRITE_ERRORS},
    operation_id="inhouse_desk_api_update",
)
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
            person_named(payload.assignee, field="assignee")
            if payload.assignee is not None
            else None
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
            visible_request(actor, ref, field="blocked_by") for ref in payload.blocked_by or []
        ]
    updated = desk.update_request(
        actor=actor, request=found, expected_version=version, viewer=viewer, **changes
    )
    return respond_with(viewer, updated, response)


@router.post(
    "/{reference}/transitions",
    response={200: RequestDetailOut, **WRITE_ERRORS},
    operation_id="inhouse_desk_api_transition",
)
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
    return respond_with(viewer, updated, response)


@router.post(
    "/{reference}/transfer",
    response={200: RequestDetailOut, **WRITE_ERRORS},
    operation_id="inhouse_desk_api_transfer",
)
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
    return request_detail(viewer, updated)
