from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path

from inhouse.api import api
from inhouse.pages import audit_refused_page_change, refusal_audited_already
from inhouse.web.views import errors

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("inhouse.web.urls")),
    path("", include("inhouse.desk.urls_portal")),
    path("", include("inhouse.feedback.urls_followups")),
    path("work/", include("inhouse.desk.urls_workspace")),
    # A team's calendars are among its lead's catalog pages, so they share the address.
    path("catalog/manage/<slug:team_slug>/calendars/", include("inhouse.sla.urls")),
    path("", include("inhouse.feedback.urls_surveys")),
    path("catalog/", include("inhouse.catalog.urls")),
    path("org/", include("inhouse.web.urls_org")),
    path("audit/", include("inhouse.audit.urls")),
    path("ideas/", include("inhouse.knowledge.urls_ideas")),
    path("", include("inhouse.feedback.urls_kudos")),
    path("kb/", include("inhouse.knowledge.urls_articles")),
    path("feedback/", include("inhouse.feedback.urls")),
    path("search/", include("inhouse.search.urls")),
]

if settings.BENCH_ENDPOINTS:
    urlpatterns.append(path("", include("inhouse.ops.bench")))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A write answered 404 names something hidden from the caller (or missing): a refused
    change, audited here unless the page's helpers already did on the way."""
    if not refusal_audited_already(exception):
        audit_refused_page_change(request, status=404, reason="Not found.")
    return errors.page_not_found(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not refusal_audited_already(exception):
        audit_refused_page_change(request, status=403, reason=str(exception) or "Forbidden.")
    return errors.permission_denied(request, exception)


handler404 = page_not_found
handler403 = permission_denied
handler500 = "inhouse.web.views.errors.server_error"
