"""What the request endpoints share: their error answers, resolving the names a payload
gives, and shaping a request, its people and its links into schemas.

Private to ``inhouse.desk.api``: other doors shape their own answers.
"""

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.core.ids import database_id
from inhouse.core.schemas import ErrorOut, PersonRef, TeamRef
from inhouse.desk import selectors
from inhouse.desk.models import Request
from inhouse.desk.schemas import ClockOut, RequestDetailOut, RequestLink, ServiceRef
from inhouse.desk.selectors.requests import dependencies_of, references_of, watchers_of
from inhouse.org.models import Person, Team
from inhouse.sla.selectors import clock_state

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut, 428: ErrorOut}


# --- resolving names in the payload ------------------------------------------------------


def person_named(handle: str | int, *, field: str) -> Person:
    text = str(handle).strip()
    person_id = database_id(text)
    lookup = (
        Q(pk=person_id) if person_id is not None else Q(user__username=text) | Q(email__iexact=text)
    )
    person = Person.objects.filter(lookup, is_active=True).first()
    if person is None:
        raise InvalidInput(f"Unknown person '{text}'.", fields={field: "No such active person."})
    return person


def team_named(slug: str, *, field: str) -> Team:
    team = Team.objects.filter(slug=slug, is_active=True).first()
    if team is None:
        raise InvalidInput(f"Unknown team '{slug}'.", fields={field: "No such team."})
    return team


def visible_request(person: Person | policy.Viewer, reference: str, *, field: str) -> Request:
    try:
        return selectors.get_request_for(person, reference)
    except NotFound as exc:
        raise InvalidInput(
            f"Unknown request '{reference}'.", fields={field: f"No such request: {reference}."}
        ) from exc


# --- shaping responses ---------------------------------------------------------------------
#
# The answers are built with ``model_construct`` from the model's own typed columns, as
# the list rows are (``requests.py::_listed_out``): validating them again would only
# copy what the database already guarantees, and ninja sends a returned instance of the
# response schema without validating it a second time. The JSON is the same;
# ``tests/desk/test_api_shapes.py`` holds it equal to the validated form.


def person_ref(person: Person | None) -> PersonRef | None:
    if person is None:
        return None
    return PersonRef.model_construct(id=person.pk, full_name=person.full_name, email=person.email)


def _team_ref(team: Team) -> TeamRef:
    return TeamRef.model_construct(slug=team.slug, name=team.name)


def _link(request: Request) -> RequestLink:
    return RequestLink.model_construct(
        reference=request.reference, subject=request.subject, status=request.status
    )


def request_detail(
    viewer: policy.Viewer, request: Request, *, just_created: bool = False
) -> RequestDetailOut:
    """The full picture of a request; a request created a moment ago has no links yet."""
    now = timezone.now()
    clocks = []
    for clock in selectors.clocks_of(request):
        state = clock_state(clock, now=now)
        clocks.append(
            ClockOut.model_construct(
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
    requester = person_ref(request.requester)
    assert requester is not None  # every request has its requester
    return RequestDetailOut.model_construct(
        **{field: getattr(request, field) for field in _PLAIN_FIELDS},
        service=ServiceRef.model_construct(slug=request.service.slug, name=request.service.name),
        provider_team=_team_ref(request.provider_team),
        customer_team=_team_ref(request.customer_team) if request.customer_team else None,
        requester=requester,
        assignee=person_ref(request.assignee),
        parent=_link(request.parent) if request.parent else None,
        references=[request.reference] if just_created else references_of(request),
        clocks=clocks,
        allowed_transitions=policy.transitions_for(viewer, request),
        blocked_by=[]
        if just_created
        else [_link(r) for r in dependencies_of(viewer, request, blockers=True)],
        blocks=[]
        if just_created
        else [_link(r) for r in dependencies_of(viewer, request, blockers=False)],
        watchers=[] if just_created else [person_ref(person) for person in watchers_of(request)],
    )


_PLAIN_FIELDS = (
    "reference", "subject", "status", "priority", "confidential", "external_ref", "channel",
    "created_at", "updated_at", "resolution_due_at", "sla_breached", "version", "description",
    "form_answers", "first_responded_at", "resolved_at", "closed_at",
)  # fmt: skip


def respond_with(
    viewer: policy.Viewer, request: Request, response: HttpResponse
) -> RequestDetailOut:
    """The answer to a change, built from the row the service wrote (it still holds
    the relations the door loaded), with the version to send back in ``If-Match``."""
    response["ETag"] = f'"{request.version}"'
    return request_detail(viewer, request)
