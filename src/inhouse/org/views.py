"""The org chart: departments and teams, who is in them, and what they provide.

Everyone signed in may browse the organization; the services listed are only
those the viewer may request, as in the catalog.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.catalog.selectors import services_visible_to
from inhouse.core.errors import NotFound
from inhouse.org.models import Membership, Person, Team
from inhouse.org.selectors import (
    TeamNode,
    get_person,
    get_team,
    members_of,
    memberships_of,
    search_people,
    team_tree,
)
from inhouse.pages import viewer_or_404

SEARCH_LIMIT = 30


@dataclass
class ChartNode:
    """A team of the org chart with the services the viewer may request from it."""

    node: TeamNode
    services: list[Service] = field(default_factory=list)
    children: list["ChartNode"] = field(default_factory=list)

    @property
    def team(self) -> Team:
        return self.node.team

    @property
    def members(self) -> list[Membership]:
        return self.node.members

    @property
    def people_count(self) -> int:
        return self.node.people_count


def _chart(viewer: policy.Viewer) -> list[ChartNode]:
    """The org tree (two queries) plus what each team provides (one more)."""
    services_by_team: dict[int, list[Service]] = defaultdict(list)
    for service in services_visible_to(viewer).prefetch_related(None):
        services_by_team[service.provider_team_id].append(service)

    def dress(node: TeamNode) -> ChartNode:
        return ChartNode(node, services_by_team[node.team.pk], [dress(c) for c in node.children])

    return [dress(root) for root in team_tree()]


@login_required
@require_GET
def org_chart(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    tree = _chart(viewer)
    return render(
        request,
        "org/chart.html",
        {
            "tree": tree,
            "team_count": sum(1 for root in tree for _ in root.node.walk()),
            "people_count": Person.objects.filter(is_active=True).count(),
        },
    )


@login_required
@require_GET
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    try:
        team = get_team(slug)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "org/team.html",
        {
            "team": team,
            "members": members_of(team),
            "children": list(team.children.filter(is_active=True).order_by("name")),
            "services": list(
                services_visible_to(viewer).filter(provider_team=team).prefetch_related(None)
            ),
            "can_manage": policy.can_manage_team(viewer, team),
        },
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer_or_404(request)
    try:
        person = get_person(pk)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "org/person.html",
        {
            "subject": person,
            "memberships": memberships_of(person),
            "reports": list(person.reports.filter(is_active=True).order_by("full_name")),
        },
    )


@login_required
@require_GET
def people_search(request: HttpRequest) -> HttpResponse:
    viewer_or_404(request)
    text = request.GET.get("q", "").strip()[:100]
    # One more than shown tells whether the list was cut short.
    found = search_people(text, SEARCH_LIMIT + 1) if text else []
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
