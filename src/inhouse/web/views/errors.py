"""The friendly error pages."""

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


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
