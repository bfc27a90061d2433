"""The org chart: departments and teams, who is in them, and what they provide.

Everyone signed in may browse the organization; the services listed are only
those the viewer may request, as in the catalog.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.catalog.selectors import services_visible_to
from inhouse.core.views import viewer_or_404
from inhouse.org.models import Membership, MembershipRole, Person, Team

SEARCH_LIMIT = 30
_ROLE_ORDER = {MembershipRole.LEAD: 0, MembershipRole.AGENT: 1, MembershipRole.MEMBER: 2}


@dataclass
class TeamNode:
    team: Team
    members: list[Membership] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    children: list["TeamNode"] = field(default_factory=list)

    @property
    def people_count(self) -> int:
        return len(self.members) + sum(child.people_count for child in self.children)


def _by_role_then_name(membership: Membership) -> tuple[int, str]:
    return _ROLE_ORDER.get(membership.role, 9), membership.person.full_name


def _team_tree(viewer: policy.Viewer) -> list[TeamNode]:
    """Every active team as a tree, with its people and the services the viewer may
    request, in a fixed number of queries however large the organization."""
    nodes = {team.pk: TeamNode(team) for team in Team.objects.filter(is_active=True)}
    memberships = Membership.objects.filter(
        team__is_active=True, person__is_active=True
    ).select_related("person")
    for membership in memberships:
        nodes[membership.team_id].members.append(membership)
    # The selector accepts a Viewer as well as a Person (``policy.as_viewer``).
    visible = services_visible_to(viewer).prefetch_related(None)  # type: ignore[arg-type]
    for service in visible:
        if service.provider_team_id in nodes:
            nodes[service.provider_team_id].services.append(service)
    roots = []
    for node in nodes.values():
        node.members.sort(key=_by_role_then_name)
        parent = nodes.get(node.team.parent_id)
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda child: child.team.name)
    return sorted(roots, key=lambda root: root.team.name)


@login_required
@require_GET
def org_chart(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    tree = _team_tree(viewer)
    return render(
        request,
        "org/chart.html",
        {
            "tree": tree,
            "team_count": sum(1 for _ in _walk(tree)),
            "people_count": Person.objects.filter(is_active=True).count(),
        },
    )


def _walk(nodes: list[TeamNode]) -> Iterator[TeamNode]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


@login_required
@require_GET
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = Team.objects.select_related("parent").filter(slug=slug, is_active=True).first()
    if team is None:
        raise Http404
    members = sorted(
        Membership.objects.filter(team=team, person__is_active=True).select_related("person"),
        key=_by_role_then_name,
    )
    return render(
        request,
        "org/team.html",
        {
            "team": team,
            "members": members,
            "children": list(team.children.filter(is_active=True).order_by("name")),
            "services": list(
                services_visible_to(viewer)  # type: ignore[arg-type]
                .filter(provider_team=team)
                .prefetch_related(None)
            ),
            "can_manage": policy.can_manage_team(viewer, team),
        },
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer_or_404(request)
    person = Person.objects.select_related("manager").filter(pk=pk).first()
    if person is None:
        raise Http404
    memberships = sorted(
        Membership.objects.filter(person=person, team__is_active=True).select_related(
            "team__parent"
        ),
        key=lambda membership: membership.team.name,
    )
    return render(
        request,
        "org/person.html",
        {
            "subject": person,
            "memberships": memberships,
            "reports": list(person.reports.filter(is_active=True).order_by("full_name")),
        },
    )


def _search_people(text: str, limit: int) -> list[Person]:
    people = Person.objects.filter(is_active=True)
    for word in text.split()[:5]:
        people = people.filter(
            Q(full_name__icontains=word) | Q(email__icontains=word) | Q(job_title__icontains=word)
        )
    people = people.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("team"))
    )
    return list(people.order_by("full_name")[:limit])


@login_required
@require_GET
def people_search(request: HttpRequest) -> HttpResponse:
    viewer_or_404(request)
    text = request.GET.get("q", "").strip()[:100]
    # One more than shown tells whether the list was cut short.
    found = _search_people(text, SEARCH_LIMIT + 1) if text else []
    context = {
        "query": text,
        "people": found[:SEARCH_LIMIT],
        "more": len(found) > SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
    }
    # htmx restoring a page it no longer has cached needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "org/partials/people_results.html" if partial else "org/people.html"
    return render(request, template, context)
