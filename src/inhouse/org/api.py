from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from inhouse.core.schemas import ErrorOut, TeamRef
from inhouse.org.auth import CallerRequest
from inhouse.org.models import Person
from inhouse.org.selectors import memberships_of, search_people

router = Router(tags=["people"])

PEOPLE_LIMIT_MAX = 25


class MembershipOut(Schema):
    team: TeamRef
    role: str


class MeOut(Schema):
    id: int
    full_name: str
    email: str
    kind: str
    timezone: str
    is_org_admin: bool
    memberships: list[MembershipOut]


@router.get("me", response={200: MeOut, 401: ErrorOut})
def me(request: CallerRequest) -> MeOut:
    """Who the token or session belongs to, and their teams."""
    person: Person = request.auth
    memberships = [
        MembershipOut(team=TeamRef(slug=m.team.slug, name=m.team.name), role=m.role)
        for m in memberships_of(person, include_inactive_teams=True)
    ]
    return MeOut(
        id=person.pk,
        full_name=person.full_name,
        email=person.email,
        kind=person.kind,
        timezone=person.timezone,
        is_org_admin=person.is_org_admin,
        memberships=memberships,
    )


class PeopleQuery(Schema):
    q: str = Field(..., max_length=100, description="Words every match holds")
    limit: int = Field(10, ge=1, le=PEOPLE_LIMIT_MAX)


class PersonMatchOut(Schema):
    """What any colleague may see of a person: enough to pick them, nothing private."""

    id: int
    username: str | None
    full_name: str
    teams: list[str] = Field(description="Names of their active teams, by name")


class PeopleMatches(Schema):
    items: list[PersonMatchOut]


def _match(person: Person) -> PersonMatchOut:
    return PersonMatchOut(
        id=person.pk,
        username=person.user.username if person.user else None,
        full_name=person.full_name,
        teams=sorted(membership.team.name for membership in person.memberships.all()),
    )


@router.get("people", response={200: PeopleMatches, 400: ErrorOut, 401: ErrorOut})
def find_people(request: HttpRequest, query: Query[PeopleQuery]) -> PeopleMatches:
    """Active people whose name, username, email or job title holds every word of ``q``,
    by name; at most ``limit`` of them, for a typeahead. Type more to narrow it down."""
    return PeopleMatches(items=[_match(person) for person in search_people(query.q, query.limit)])
