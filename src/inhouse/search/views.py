"""/search/?q=: every kind's best matches in a section each; htmx swaps the results as
one types, and the plain form works without JavaScript. /search/articles/: the articles
a request form suggests as its subject is typed."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from inhouse.catalog.selectors import get_service_for
from inhouse.core.errors import InvalidInput
from inhouse.pages import not_found_as_404, viewer_or_404, wants_partial
from inhouse.search.selectors import (
    MAX_QUERY,
    KindSection,
    articles_suggested_for_service,
    sections,
)

PER_SECTION = 5
PER_KIND_PAGE = 20


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    kind = request.GET.get("kind", "")
    error = ""
    found: list[KindSection] = []
    try:
        per_kind = PER_KIND_PAGE if kind else PER_SECTION
        found = sections(viewer, query, kinds=[kind] if kind else None, per_kind=per_kind)
    except InvalidInput as exc:
        error = exc.message
    context = {"query": query, "kind": kind, "sections": found, "error": error}
    template = "search/partials/results.html" if wants_partial(request) else "search/results.html"
    response = render(request, template, context, status=400 if error else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def article_suggestions(request: HttpRequest) -> HttpResponse:
    """Articles matching what a requester types in a service's form (``?service=&q=``);
    a partial for htmx, a plain results page without JavaScript. A service the viewer
    may not ask for is a 404, as its form is."""
    viewer = viewer_or_404(request)
    with not_found_as_404():
        service = get_service_for(viewer, request.GET.get("service", "")[:100])
    # The request form's own subject box sends ``subject``; the plain search box ``q``.
    text = (request.GET.get("q") or request.GET.get("subject") or "")[:MAX_QUERY]
    context = {
        "service": service,
        "q": text,
        "found": articles_suggested_for_service(viewer, service, text),
    }
    template = (
        "search/partials/article_suggestions.html"
        if wants_partial(request)
        else "search/article_suggestions.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
