from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from inhouse.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("inhouse.web.urls")),
    path("", include("inhouse.desk.urls_portal")),
    path("work/", include("inhouse.desk.urls_workspace")),
    # A team's calendars are among its lead's catalog pages, so they share the address.
    path("catalog/manage/<slug:team_slug>/calendars/", include("inhouse.sla.urls")),
    path("catalog/", include("inhouse.catalog.urls")),
    path("org/", include("inhouse.web.urls_org")),
]

if settings.BENCH_ENDPOINTS:
    urlpatterns.append(path("", include("inhouse.ops.bench")))

handler404 = "inhouse.web.views.errors.page_not_found"
handler403 = "inhouse.web.views.errors.permission_denied"
handler500 = "inhouse.web.views.errors.server_error"
