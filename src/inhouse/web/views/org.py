"""The org chart: departments and teams, who is in them, and what they provide.

Everyone signed in may browse the organization; the services listed are only
those the viewer may request, as in the catalog. These pages join the org and
the catalog, so they live here rather than in either app.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.catalog.selectors import requestable_services
from inhouse.feedback.selectors.kudos import kudos_panel_for_person, kudos_panel_for_team
from inhouse.org.models import Membership, Team
from inhouse.org.selectors import (
    TeamNode,
    active_people_count,
    get_person,
    get_team,
    members_of,
    memberships_of,
    reports_of,
    search_people,
    sub_teams,
    team_tree,
)
from inhouse.pages import not_found_as_404, viewer_or_404, wants_partial

SEARCH_LIMIT = 30
# Suggestions while typing a person into a form: a handful, the best first.
CHOICES_LIMIT = 10
# Fewer characters than this match too many people to be worth suggesting.
CHOICES_MIN_TEXT = 2
MAX_SEARCH_TEXT = 100
_FIELD_NAME = re.compile(r"^[\w-]{1,100}$")


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
    for service in requestable_services(viewer):
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
        "web/org/chart.html",
        {
            "tree": tree,
            "team_count": sum(1 for root in tree for _ in root.node.walk()),
            "people_count": active_people_count(),
        },
    )


@login_required
@require_GET
def team_detail(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    with not_found_as_404():
        team = get_team(slug)
    return render(
        request,
        "web/org/team.html",
        {
            "team": team,
            "members": members_of(team),
            "children": sub_teams(team),
            "services": requestable_services(viewer, provider_team=team),
            "can_manage": policy.can_manage_team(viewer, team),
            "kudos_panel": kudos_panel_for_team(viewer, team),
        },
    )


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    with not_found_as_404():
        person = get_person(pk)
    return render(
        request,
        "web/org/person.html",
        {
            "subject": person,
            "memberships": memberships_of(person),
            "reports": reports_of(person),
            "kudos_panel": kudos_panel_for_person(viewer, person),
        },
    )


@login_required
@require_GET
def people_search(request: HttpRequest) -> HttpResponse:
    viewer_or_404(request)
    text = request.GET.get("q", "").strip()[:MAX_SEARCH_TEXT]
    # One more than shown tells whether the list was cut short.
    found = search_people(text, SEARCH_LIMIT + 1) if text else []
    context = {
        "query": text,
        "people": found[:SEARCH_LIMIT],
        "more": len(found) > SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
    }
    if wants_partial(request):
        return render(request, "web/org/partials/people_results.html", context)
    return render(request, "web/org/people.html", context)


@login_required
@require_GET
def person_choices(request: HttpRequest) -> HttpResponse:
    """Suggestions for a person field (``core.widgets.SearchInput``): ``<option>``s only.

    The typed text comes as ``q``, or under the name ``field`` gives, which is how
    the widget's input sends itself. Each option's value is the person's email
    address, which ``org.forms.PersonChoiceField`` resolves.
    """
    viewer_or_404(request)
    field_name = request.GET.get("field", "q")
    if not _FIELD_NAME.match(field_name):
        return HttpResponseBadRequest("Name the form field in 'field'.")
    text = request.GET.get("q", request.GET.get(field_name, "")).strip()[:MAX_SEARCH_TEXT]
    people = search_people(text, CHOICES_LIMIT) if len(text) >= CHOICES_MIN_TEXT else []
    return render(request, "web/org/partials/person_choices.html", {"people": people})
