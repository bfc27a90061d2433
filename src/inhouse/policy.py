"""Who may see and do what: the one module every door asks.

The web pages, the API, email, chat and the CLI never decide permissions on
their own; they call these functions (usually through a service or selector).
A ``Viewer`` is computed from the database on every call, so removing someone
from a team takes effect on their very next request.

Rules, in short:
- Every active person is a requester everywhere. They see the requests they filed
  or watch, and the non-confidential requests filed for a team they belong to.
- Agents and leads of a team work that team's queue: they see and change every
  request the team holds, confidential ones included.
- A confidential request is seen only by its requester, its watchers, the
  provider team's agents and the org admins.
- Org admins see and may change everything.
Anything a caller may not see is reported as not found, never as forbidden.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from inhouse.catalog.models import Agreement, Service, Visibility
from inhouse.core.prepared import PreparedQuery
from inhouse.desk.models import OPEN_STATUSES, Request, Status
from inhouse.org.models import Membership, MembershipRole, Person, Team
from inhouse.sla.models import Calendar

QUEUE_ROLES = (MembershipRole.AGENT, MembershipRole.LEAD)


@dataclass(frozen=True)
class Viewer:
    person: Person
    team_ids: frozenset[int]
    queue_team_ids: frozenset[int]
    lead_team_ids: frozenset[int]
    is_admin: bool
    # The team a person asks on behalf of unless they say otherwise: their first.
    first_team_id: int | None = None

    @property
    def person_id(self) -> int:
        return self.person.pk


# Every request of a signed-in caller reads this: compiled once per process.
_memberships_of = PreparedQuery(
    lambda person_id: (
        Membership.objects.filter(person_id=person_id).order_by("id").values_list("team_id", "role")
    ),
    person_id=int,
)


def viewer_for(person: Person) -> Viewer:
    memberships = _memberships_of.rows(person_id=person.pk)
    user = person.user
    return Viewer(
        person=person,
        team_ids=frozenset(team_id for team_id, _ in memberships),
        queue_team_ids=frozenset(team_id for team_id, role in memberships if role in QUEUE_ROLES),
        lead_team_ids=frozenset(
            team_id for team_id, role in memberships if role == MembershipRole.LEAD
        ),
        is_admin=person.is_org_admin or bool(user and user.is_superuser),
        first_team_id=memberships[0][0] if memberships else None,
    )


def as_viewer(who: Person | Viewer) -> Viewer:
    return who if isinstance(who, Viewer) else viewer_for(who)


# --- services ----------------------------------------------------------------


def visible_services_q(viewer: Viewer) -> Q:
    if viewer.is_admin:
        return Q()
    return (
        Q(visibility=Visibility.EVERYONE)
        | Q(visible_to_teams__in=viewer.team_ids)
        # JSON "contains" is not portable to SQLite; the quoted kind is an exact list item.
        | Q(visible_to_kinds__icontains=f'"{viewer.person.kind}"')
        | Q(provider_team__in=viewer.queue_team_ids)
    )


def can_request_service(who: Person | Viewer, service: Service) -> bool:
    viewer = as_viewer(who)
    if not viewer.person.is_active or not service.is_active:
        return False
    if viewer.is_admin or service.visibility == Visibility.EVERYONE:
        return True
    if service.provider_team_id in viewer.queue_team_ids:
        return True
    if viewer.person.kind in service.visible_to_kinds:
        return True
    # .all() uses the teams prefetched with the service (the catalog snapshot does).
    return any(team.pk in viewer.team_ids for team in service.visible_to_teams.all())


def can_manage_team(who: Person | Viewer, team: Team) -> bool:
    """Leads shape their team's services, agreements and calendar; admins any team's."""
    viewer = as_viewer(who)
    return viewer.is_admin or team.pk in viewer.lead_team_ids


def can_manage_calendar(who: Person | Viewer, calendar: Calendar) -> bool:
    """Leads whose team's agreements use a calendar may change it; admins any calendar."""
    viewer = as_viewer(who)
    if viewer.is_admin:
        return True
    return Agreement.objects.filter(
        calendar=calendar, provider_team_id__in=viewer.lead_team_ids
    ).exists()


# --- requests ------------------------------------------------------------------


def visible_requests_q(viewer: Viewer) -> Q:
    """The requests a viewer sees, as one condition (see ``ways_of_seeing_requests``)."""
    if viewer.is_admin:
        return Q()
    watched = Request.watchers.through.objects.filter(person_id=viewer.person_id).values(
        "request_id"
    )
    return (
        Q(requester_id=viewer.person_id)
        | Q(pk__in=watched)
        | Q(provider_team_id__in=viewer.queue_team_ids)
        | (Q(customer_team_id__in=viewer.team_ids) & Q(confidential=False))
    )


def ways_of_seeing_requests(viewer: Viewer) -> list[Q]:
    """``visible_requests_q`` split into its ways, for a non-admin viewer: any one is
    enough. Lists read each as its own index range (``desk.selectors.
    page_of_requests_visible_to``), so every team is a way of its own, and watching
    is a join that the watchers' (person, request) index drives; on its own a way
    never repeats a row. ``tests/desk/test_list_pages.py`` holds the two forms equal."""
    return [
        Q(requester_id=viewer.person_id),
        Q(watchers=viewer.person_id),
        *(Q(provider_team_id=team_id) for team_id in sorted(viewer.queue_team_ids)),
        *(Q(customer_team_id=team_id, confidential=False) for team_id in sorted(viewer.team_ids)),
    ]


def can_view_request(who: Person | Viewer, request: Request) -> bool:
    viewer = as_viewer(who)
    if viewer.is_admin or can_work_request(viewer, request):
        return True
    if request.requester_id == viewer.person_id:
        return True
    if not request.confidential and request.customer_team_id in viewer.team_ids:
        return True
    return request.watchers.filter(pk=viewer.person_id).exists()


def works_queue(who: Person | Viewer, team: Team) -> bool:
    """Agents and leads of a team work its queue; org admins may look at any."""
    viewer = as_viewer(who)
    return viewer.is_admin or team.pk in viewer.queue_team_ids


def can_work_request(who: Person | Viewer, request: Request) -> bool:
    """Agents of the team holding the request, and admins, work it."""
    viewer = as_viewer(who)
    return viewer.is_admin or request.provider_team_id in viewer.queue_team_ids


def can_see_internal(who: Person | Viewer, request: Request) -> bool:
    return can_work_request(who, request)


def can_be_assignee(person: Person, request: Request) -> bool:
    return (
        person.is_active
        and Membership.objects.filter(
            person=person, team_id=request.provider_team_id, role__in=QUEUE_ROLES
        ).exists()
    )


# The lifecycle: which status may follow which.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (
        Status.IN_PROGRESS,
        Status.WAITING_ON_CUSTOMER,
        Status.WAITING_ON_SUPPLIER,
        Status.RESOLVED,
        Status.CANCELLED,
    ),
    Status.IN_PROGRESS: (
        Status.WAITING_ON_CUSTOMER,
        Status.WAITING_ON_SUPPLIER,
        Status.RESOLVED,
        Status.CANCELLED,
    ),
    Status.WAITING_ON_CUSTOMER: (Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED),
    Status.WAITING_ON_SUPPLIER: (Status.IN_PROGRESS, Status.RESOLVED, Status.CANCELLED),
    Status.RESOLVED: (Status.IN_PROGRESS, Status.CLOSED),
    Status.CLOSED: (),
    Status.CANCELLED: (),
}


def reopen_window_open(request: Request) -> bool:
    if request.resolved_at is None:
        return False
    window = timedelta(days=settings.REOPEN_WINDOW_DAYS)
    return timezone.now() - request.resolved_at <= window


def transitions_for(who: Person | Viewer, request: Request) -> list[str]:
    """The statuses this caller may move the request to now."""
    viewer = as_viewer(who)
    possible = TRANSITIONS[request.status]
    if can_work_request(viewer, request):
        return list(possible)
    if request.requester_id != viewer.person_id:
        return []
    # Requesters cancel what is still open, accept a resolution, or reopen it in time.
    allowed = []
    for status in possible:
        if (
            status == Status.CANCELLED
            and request.status in OPEN_STATUSES
            or status == Status.CLOSED
        ) or (
            status == Status.IN_PROGRESS
            and request.status == Status.RESOLVED
            and reopen_window_open(request)
        ):
            allowed.append(status)
    return allowed
