"""Reads of people and teams that the org pages, the API and other apps share.

The organization is visible to everyone signed in, so these apply no
permission; what a viewer may *do* is a question for ``inhouse.policy``.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from inhouse.core.errors import NotFound
from inhouse.org.models import Membership, MembershipRole, Person, Team

# Leads first, then agents, then members: who to ask, in that order.
_ROLE_ORDER: dict[str, int] = {
    MembershipRole.LEAD: 0,
    MembershipRole.AGENT: 1,
    MembershipRole.MEMBER: 2,
}
# More words than this narrow nothing down and only slow the query.
_SEARCH_WORDS = 5


def person_for_user(user: AbstractBaseUser | AnonymousUser) -> Person | None:
    """The active person behind a login; None for anonymous users and bare admin accounts."""
    if not user.is_authenticated:
        return None
    person = getattr(user, "person", None)
    return person if person is not None and person.is_active else None


@dataclass
class TeamNode:
    """A team in the org chart, with its people (leads first) and its sub-teams by name."""

    team: Team
    members: list[Membership] = field(default_factory=list)
    children: list["TeamNode"] = field(default_factory=list)

    @property
    def people_count(self) -> int:
        """People in this team and every team below it (someone in two teams counts twice)."""
        return len(self.members) + sum(child.people_count for child in self.children)

    def walk(self) -> Iterator["TeamNode"]:
        """This node, then every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def _by_role_then_name(membership: Membership) -> tuple[int, str]:
    return _ROLE_ORDER.get(membership.role, len(_ROLE_ORDER)), membership.person.full_name


def team_tree() -> list[TeamNode]:
    """Every active team as a tree of departments and their teams, with active members.

    Two queries however large the organization. A team whose parent is inactive is
    shown at the top rather than lost.
    """
    nodes = {team.pk: TeamNode(team) for team in Team.objects.filter(is_active=True)}
    memberships = Membership.objects.filter(
        team__is_active=True, person__is_active=True
    ).select_related("person")
    for membership in memberships:
        nodes[membership.team_id].members.append(membership)
    roots: list[TeamNode] = []
    for node in nodes.values():
        node.members.sort(key=_by_role_then_name)
        parent = nodes.get(node.team.parent_id) if node.team.parent_id else None
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: child.team.name)
    return sorted(roots, key=lambda root: root.team.name)


def get_team(slug: str, *, include_inactive: bool = False) -> Team:
    """A team by slug, with its parent; an inactive one only when asked for.

    A lead still manages the services of a team that was deactivated, so their
    pages ask for inactive teams too; the org pages show active ones only.
    """
    teams = Team.objects.select_related("parent").filter(slug=slug)
    team = (teams if include_inactive else teams.filter(is_active=True)).first()
    if team is None:
        raise NotFound("No such team.")
    return team


def active_teams() -> QuerySet[Team]:
    """Every active team by name, as a form's choices."""
    return Team.objects.filter(is_active=True).order_by("name")


def teams_by_id(team_ids: Iterable[int]) -> dict[int, Team]:
    """Teams (active or not) by id, in one query."""
    return {team.pk: team for team in Team.objects.filter(pk__in=set(team_ids))}


def sub_teams(team: Team) -> list[Team]:
    """The team's active sub-teams, by name."""
    return list(team.children.filter(is_active=True).order_by("name"))


def active_people_count() -> int:
    return Person.objects.filter(is_active=True).count()


def members_of(team: Team) -> list[Membership]:
    """The team's active people with their role, leads first."""
    memberships = Membership.objects.filter(team=team, person__is_active=True).select_related(
        "person"
    )
    return sorted(memberships, key=_by_role_then_name)


def get_person(pk: int) -> Person:
    """Anyone by id, former colleagues included: old requests still name them."""
    person = Person.objects.select_related("manager").filter(pk=pk).first()
    if person is None:
        raise NotFound("No such person.")
    return person


def reports_of(person: Person) -> list[Person]:
    """The active people whose manager the person is, by name."""
    return list(person.reports.filter(is_active=True).order_by("full_name"))


def memberships_of(person: Person, *, include_inactive_teams: bool = False) -> list[Membership]:
    """The person's teams (active ones unless asked) with their role there, by team name."""
    memberships = Membership.objects.filter(person=person).select_related("team__parent")
    if not include_inactive_teams:
        memberships = memberships.filter(team__is_active=True)
    return sorted(memberships, key=lambda membership: membership.team.name)


def search_people(text: str, limit: int) -> list[Person]:
    """Active people whose name, username, email or job title holds every word of ``text``.

    Each comes with their login and their memberships and teams: two queries in all.
    """
    words = text.split()[:_SEARCH_WORDS]
    if not words or limit <= 0:
        return []
    people = Person.objects.filter(is_active=True).select_related("user")
    for word in words:
        people = people.filter(
            Q(full_name__icontains=word)
            | Q(user__username__icontains=word)
            | Q(email__icontains=word)
            | Q(job_title__icontains=word)
        )
    people = people.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.filter(team__is_active=True).select_related("team"),
        )
    )
    return list(people.order_by("full_name", "pk")[:limit])


def people_answering_to(handle: str) -> list[Person]:
    """The active people a typed handle names, at most two.

    An id, a username or an email address names one person; failing those, the
    handle is taken as a full name, which two namesakes may share. The caller
    accepts a single answer and otherwise asks for a handle that names one person.
    """
    text = handle.strip()
    if not text:
        return []
    active = Person.objects.filter(is_active=True)
    unique = Q(user__username=text) | Q(email__iexact=text)
    # Longer digit strings are no id and would overflow the database's integers.
    if text.isdigit() and len(text) <= 18:
        unique |= Q(pk=int(text))
    found = active.filter(unique).first()
    if found is not None:
        return [found]
    return list(active.filter(full_name__iexact=text).order_by("pk")[:2])
