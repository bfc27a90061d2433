"""Home: "What do you need?" — the viewer's recent services, the most requested, then all
services by department; the catalog searchable; the viewer's open requests.

Sign-in, sign-out and password reset are Django's own views with our templates;
see ``inhouse.web.urls``.
"""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.catalog.selectors import (
    ExpectedTimes,
    default_customer_team,
    expected_times_by_service,
    most_requested_service_ids,
    recent_service_ids,
    services_visible_to,
)
from inhouse.catalog.snapshot import catalog_snapshot
from inhouse.core.errors import InvalidInput
from inhouse.desk.models import Request
from inhouse.desk.selectors import (
    RequestFilters,
    filter_requests,
    page_of_requests,
    requests_involving,
)
from inhouse.org.models import Team
from inhouse.pages import viewer_or_404, wants_partial
from inhouse.search.selectors import ranked_service_ids, suggested_articles

HOME_REQUESTS = 5
# Shortcuts above the catalog: a row of cards each.
RECENT_SERVICES = 4
MOST_REQUESTED = 6
MAX_QUERY = 200
# Services a search on the home page shows at most, best first.
SEARCH_SERVICES = 30


# --- the viewer's own requests ------------------------------------------------------------


def latest_open_requests(viewer: policy.Viewer, *, limit: int) -> list[Request]:
    open_ones = filter_requests(requests_involving(viewer), RequestFilters(open=True))
    return page_of_requests(open_ones, cursor=None, limit=limit).items


# --- the catalog as a requester looks for things ------------------------------------------


@dataclass
class ServiceRow:
    service: Service
    expected: ExpectedTimes | None


@dataclass
class DepartmentGroup:
    """Services under the department that provides them (its own or its teams').

    Departments rather than the services' process categories: a requester knows to ask
    IT for a laptop and HR for a contract; "support process" means nothing to them.
    """

    department: Team
    services: list[ServiceRow] = field(default_factory=list)


@dataclass
class HomeCatalog:
    recent: list[ServiceRow]
    most_requested: list[ServiceRow]
    departments: list[DepartmentGroup]

    @property
    def service_count(self) -> int:
        return sum(len(group.services) for group in self.departments)


def _department_of(team: Team, teams_by_id: dict[int, Team]) -> Team:
    """As the catalog page groups: a team under its parent department, a department alone."""
    if team.parent_id is None:
        return team
    return teams_by_id.get(team.parent_id, team)


def home_catalog(viewer: policy.Viewer, text: str) -> HomeCatalog:
    """What the home page lists; a search lists only what the search engine matches
    (stemmed, form choices and keywords included), by department, best first."""
    services = list(services_visible_to(viewer))
    if text:
        rank = {
            pk: place
            for place, pk in enumerate(ranked_service_ids(viewer, text, limit=SEARCH_SERVICES))
        }
        services = sorted((s for s in services if s.pk in rank), key=lambda s: rank[s.pk])
    expected = expected_times_by_service(services, default_customer_team(viewer))
    rows = {service.pk: ServiceRow(service, expected.get(service.pk)) for service in services}

    teams_by_id = catalog_snapshot().teams_by_id
    departments: dict[int, DepartmentGroup] = {}
    in_order = services if text else sorted(services, key=lambda s: s.name.casefold())
    for service in in_order:
        department = _department_of(service.provider_team, teams_by_id)
        group = departments.setdefault(department.pk, DepartmentGroup(department=department))
        group.services.append(rows[service.pk])
    by_name = sorted(departments.values(), key=lambda group: group.department.name.casefold())
    if text:
        return HomeCatalog(recent=[], most_requested=[], departments=by_name)

    # Only services in ``rows`` are shown: the viewer's visibility applies to both lists.
    recent = [rows[pk] for pk in recent_service_ids(viewer, limit=RECENT_SERVICES) if pk in rows]
    shown = {row.service.pk for row in recent}
    most_requested = [
        rows[pk] for pk in most_requested_service_ids() if pk in rows and pk not in shown
    ][:MOST_REQUESTED]
    return HomeCatalog(recent=recent, most_requested=most_requested, departments=by_name)


# --- home -----------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """ "What do you need?": the catalog, searchable, and the viewer's open requests."""
    viewer = viewer_or_404(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    try:
        catalog = home_catalog(viewer, query)
        # Articles that may answer it, next to the services that match.
        articles = suggested_articles(viewer, query) if query else []
    except InvalidInput:
        catalog, articles = HomeCatalog(recent=[], most_requested=[], departments=[]), []
    context = {"query": query, "catalog": catalog, "articles": articles}
    if wants_partial(request):
        response = render(request, "web/partials/service_results.html", context)
    else:
        context["my_requests"] = latest_open_requests(viewer, limit=HOME_REQUESTS)
        response = render(request, "web/home.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
