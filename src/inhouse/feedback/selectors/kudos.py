"""Reads of kudos: a person's, a team's wall, the panels on the org pages, and the
counts a team's leads see.

Kudos are for everyone in the organization to read. The request a kudos names is
shown only to a reader who may see that request (one query per list, never one per
row); to anyone else the kudos simply names no request.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from inhouse import policy
from inhouse.core.pagination import page_by_id
from inhouse.desk.models import Request
from inhouse.feedback.models import Kudos, KudosSetting, TeamKudosSetting
from inhouse.feedback.selectors.satisfaction import TeamSatisfaction, team_satisfaction
from inhouse.org.models import Membership, Person, Team

PANEL_LIMIT = 5
WALL_LIMIT = 50
# The periods a team's leads see kudos counted over, newest first.
LEAD_PERIODS = ((7, "7 days"), (30, "30 days"), (365, "12 months"))


@dataclass(frozen=True)
class KudosItem:
    """One kudos as a particular reader sees it."""

    pk: int
    sender: Person
    recipient_name: str
    recipient_person_id: int | None
    recipient_team_slug: str | None
    message: str
    created_at: datetime
    # Only when the reader may see the request it thanks for.
    request_reference: str | None


def _with_parts(kudos: QuerySet[Kudos]) -> QuerySet[Kudos]:
    return kudos.select_related("sender", "recipient_person", "recipient_team", "request")


def present(viewer: policy.Viewer, kudos: list[Kudos]) -> list[KudosItem]:
    """The kudos as ``viewer`` may see them: a request named only if they may see it."""
    request_ids = {k.request_id for k in kudos if k.request_id is not None}
    visible = (
        set(
            Request.objects.filter(policy.visible_requests_q(viewer), pk__in=request_ids)
            .order_by()
            .values_list("pk", flat=True)
        )
        if request_ids
        else set()
    )
    return [
        KudosItem(
            pk=k.pk,
            sender=k.sender,
            recipient_name=(k.recipient_person or k.recipient_team).__str__(),
            recipient_person_id=k.recipient_person_id,
            recipient_team_slug=k.recipient_team.slug if k.recipient_team else None,
            message=k.message,
            created_at=k.created_at,
            request_reference=k.request.reference
            if k.request is not None and k.request_id in visible
            else None,
        )
        for k in kudos
    ]


def kudos_to_person(person: Person) -> QuerySet[Kudos]:
    return _with_parts(Kudos.objects.filter(recipient_person=person))


def kudos_to_team(team: Team) -> QuerySet[Kudos]:
    return _with_parts(Kudos.objects.filter(recipient_team=team))


def team_wall(team: Team) -> QuerySet[Kudos]:
    """Kudos to the team and to the people in it, newest first."""
    members = Membership.objects.filter(team=team).values("person_id")
    return _with_parts(
        Kudos.objects.filter(Q(recipient_team=team) | Q(recipient_person__in=members))
    )


def page_of_kudos(
    viewer: policy.Viewer, kudos: QuerySet[Kudos], *, cursor: str | None, limit: int
) -> tuple[list[KudosItem], str | None]:
    """A page of ``kudos`` newest first (by id), and the cursor of the next page."""
    page = page_by_id(kudos, cursor=cursor, limit=limit, newest_first=True)
    return present(viewer, page.items), page.next_cursor


def shares_with_manager(person: Person) -> bool:
    return KudosSetting.objects.filter(person=person, share_with_manager=True).exists()


def team_shares_with_manager(team: Team) -> bool:
    return TeamKudosSetting.objects.filter(team=team, share_with_manager=True).exists()


@dataclass(frozen=True)
class PeriodCount:
    days: int
    label: str
    count: int


@dataclass(frozen=True)
class KudosPanel:
    """What the kudos panel on a person or team page shows."""

    items: list[KudosItem]
    total: int
    # Whom the give form sends to: exactly one is set.
    to_person: Person | None
    to_team: Team | None
    can_give: bool
    # On one's own person page: whether one's manager hears of one's kudos; on a team's
    # page, for its leads, whether the team's manager hears of the team's.
    is_own_page: bool
    may_set_team_sharing: bool
    shares_with_manager: bool
    # For the team's leads (and admins): kudos counted per period, newest first.
    lead_counts: list[PeriodCount]
    # Beside those counts, for the same readers: the team's CSAT and latest survey NPS.
    satisfaction: TeamSatisfaction | None
    daily_cap: int


def _lead_counts(kudos: QuerySet[Kudos]) -> list[PeriodCount]:
    now = timezone.now()
    counted = kudos.order_by().aggregate(
        **{
            f"last_{days}": Count("pk", filter=Q(created_at__gt=now - timedelta(days=days)))
            for days, _label in LEAD_PERIODS
        }
    )
    return [PeriodCount(days, label, counted[f"last_{days}"]) for days, label in LEAD_PERIODS]


def kudos_panel_for_person(viewer: policy.Viewer, person: Person) -> KudosPanel:
    kudos = kudos_to_person(person)
    own = person.pk == viewer.person_id
    return KudosPanel(
        items=present(viewer, list(kudos.order_by("-id")[:PANEL_LIMIT])),
        total=kudos.count(),
        to_person=person,
        to_team=None,
        can_give=not own and person.is_active,
        is_own_page=own,
        may_set_team_sharing=False,
        shares_with_manager=own and shares_with_manager(person),
        lead_counts=[],
        satisfaction=None,
        daily_cap=settings.KUDOS_DAILY_CAP,
    )


def kudos_panel_for_team(viewer: policy.Viewer, team: Team) -> KudosPanel:
    wall = team_wall(team)
    is_lead = policy.can_manage_team(viewer, team)
    return KudosPanel(
        items=present(viewer, list(wall.order_by("-id")[:PANEL_LIMIT])),
        total=wall.count(),
        to_person=None,
        to_team=team,
        can_give=team.is_active,
        is_own_page=False,
        may_set_team_sharing=is_lead,
        shares_with_manager=is_lead and team_shares_with_manager(team),
        lead_counts=_lead_counts(wall) if is_lead else [],
        satisfaction=team_satisfaction(team) if is_lead else None,
        daily_cap=settings.KUDOS_DAILY_CAP,
    )


@dataclass(frozen=True)
class ThanksTargets:
    """Whom a requester may thank for one of their requests: its team and who worked it."""

    request: Request
    team: Team
    people: list[Person]


def thanks_targets_for(viewer: policy.Viewer, request: Request) -> ThanksTargets | None:
    """For a request the viewer asked for or watches (and so may see): its provider team
    and the people who worked it (the assignee first, then who replied as the team)."""
    if (
        request.requester_id != viewer.person_id
        and not request.watchers.filter(pk=viewer.person_id).exists()
    ):
        return None
    team_members = Membership.objects.filter(team_id=request.provider_team_id).values("person_id")
    repliers = Person.objects.filter(
        is_active=True, pk__in=team_members, comments__request=request
    ).exclude(pk=viewer.person_id)
    people = list(repliers.distinct().order_by("full_name"))
    assignee = request.assignee
    if assignee is not None and assignee.is_active and assignee.pk != viewer.person_id:
        people = [assignee, *(p for p in people if p.pk != assignee.pk)]
    return ThanksTargets(request=request, team=request.provider_team, people=people)
