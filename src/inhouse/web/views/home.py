"""Home: "What do you need?", the catalog searchable, and the viewer's open requests.

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
    services_visible_to,
)
from inhouse.desk.models import Request
from inhouse.desk.selectors import (
    RequestFilters,
    filter_requests,
    page_of_requests,
    requests_involving,
)
from inhouse.org.models import Team
from inhouse.pages import viewer_or_404, wants_partial

HOME_REQUESTS = 5
MAX_QUERY = 200


# --- the viewer's own requests ------------------------------------------------------------


def latest_open_requests(viewer: policy.Viewer, *, limit: int) -> list[Request]:
    open_ones = filter_requests(requests_involving(viewer), RequestFilters(open=True))
    return page_of_requests(open_ones, cursor=None, limit=limit).items


# --- home -----------------------------------------------------------------------------


@dataclass
class ServiceRow:
    service: Service
    expected: ExpectedTimes | None


@dataclass
class ProviderGroup:
    team: Team
    services: list[ServiceRow] = field(default_factory=list)


def _catalog_groups(viewer: policy.Viewer, text: str) -> list[ProviderGroup]:
    services = list(services_visible_to(viewer, text=text or None))
    expected = expected_times_by_service(services, default_customer_team(viewer))
    groups: dict[int, ProviderGroup] = {}
    for service in services:
        group = groups.setdefault(
            service.provider_team_id, ProviderGroup(team=service.provider_team)
        )
        group.services.append(ServiceRow(service=service, expected=expected.get(service.pk)))
    return list(groups.values())


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """ "What do you need?": the catalog, searchable, and the viewer's open requests."""
    viewer = viewer_or_404(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    groups = _catalog_groups(viewer, query)
    context = {
        "query": query,
        "groups": groups,
        "service_count": sum(len(group.services) for group in groups),
    }
    if wants_partial(request):
        response = render(request, "web/partials/service_results.html", context)
    else:
        context["my_requests"] = latest_open_requests(viewer, limit=HOME_REQUESTS)
        response = render(request, "web/home.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
