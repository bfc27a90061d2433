from django.http import HttpRequest
from ninja import Router, Schema

from inhouse.core.schemas import ErrorOut, TeamRef
from inhouse.org.models import Membership

router = Router(tags=["people"])


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
def me(request: HttpRequest) -> MeOut:
    """Who the token or session belongs to, and their teams."""
    person = request.auth
    memberships = (
        Membership.objects.filter(person=person).select_related("team").order_by("team__name")
    )
    return MeOut(
        id=person.pk,
        full_name=person.full_name,
        email=person.email,
        kind=person.kind,
        timezone=person.timezone,
        is_org_admin=person.is_org_admin,
        memberships=list(memberships),
    )
