"""Addresses browsers ask for on their own, whatever the pages link."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

# Long enough that a browser stops asking; short enough that a new icon reaches it.
FAVICON_MAX_AGE = 24 * 60 * 60


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico`` answers with the SVG icon in static files (no login: the sign-in
    page shows it too). A temporary redirect: a hashed static name changes on deploy."""
    response = redirect(static("inhouse/favicon.svg"))
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE)
    return response
