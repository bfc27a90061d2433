"""The pages every visitor shares: home, notifications, and the friendly error pages.

Sign-in, sign-out and password reset are Django's own views with our templates;
see ``inhouse.core.urls``.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.catalog.selectors import (
    ExpectedTimes,
    default_customer_team,
    expected_times_by_service,
    services_visible_to,
)
from inhouse.desk.models import Notification, Request
from inhouse.desk.selectors import (
    RequestFilters,
    filter_requests,
    page_of_requests,
    requests_involving,
)
from inhouse.desk.services.notifications import mark_read
from inhouse.org.models import Person, Team

NOTIFICATIONS_PER_PAGE = 30
HOME_REQUESTS = 5
MAX_QUERY = 200


def current_viewer(request: HttpRequest) -> policy.Viewer | None:
    """The signed-in, active person as the policy sees them; worked out once per request.

    Computed afresh for every HTTP request, so a changed membership counts at once.
    """
    if not hasattr(request, "_inhouse_viewer"):
        person = getattr(request.user, "person", None) if request.user.is_authenticated else None
        viewer = policy.viewer_for(person) if person is not None and person.is_active else None
        request._inhouse_viewer = viewer  # type: ignore[attr-defined]
    return request._inhouse_viewer  # type: ignore[attr-defined]


def viewer_or_404(request: HttpRequest) -> policy.Viewer:
    """A login without an active person (a bare admin account) has no portal."""
    viewer = current_viewer(request)
    if viewer is None:
        raise Http404
    return viewer


def wants_partial(request: HttpRequest) -> bool:
    """htmx asking for a fragment; restoring history after "back" needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


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
    expected = expected_times_by_service(services, default_customer_team(viewer.person))
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
        response = render(request, "core/partials/service_results.html", context)
    else:
        context["my_requests"] = latest_open_requests(viewer, limit=HOME_REQUESTS)
        response = render(request, "core/home.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- notifications -------------------------------------------------------------------------


def _notifications_of(person: Person) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=person).select_related("request")


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    paginator = Paginator(_notifications_of(viewer.person), NOTIFICATIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    mark_read(recipient=viewer.person, notification_ids=[notification_id])
    notification = _notifications_of(viewer.person).filter(pk=notification_id).first()
    if notification is None:
        raise Http404
    if request.htmx:
        # The row in place, plus the bell in the header (out of band).
        return render(
            request,
            "core/partials/notification_read.html",
            {"notification": notification},
        )
    return redirect("notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    count = mark_read(recipient=viewer.person)
    messages.success(
        request,
        _("Marked %(count)d notifications as read.") % {"count": count}
        if count != 1
        else _("Marked 1 notification as read."),
    )
    return redirect("notifications")


# --- errors ------------------------------------------------------------------------------


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without context processors or the database: either may be what broke."""
    html = loader.get_template("500.html").render(
        {"correlation_id": getattr(request, "correlation_id", "")}
    )
    return HttpResponseServerError(html)
