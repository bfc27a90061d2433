"""The REST API under /api/v1/: authentication, one error shape, and each app's router.

Every error, whatever raised it, leaves as ``{"error": {"code", "message", "fields"?}}``.
Callers authenticate with a personal token (``Authorization: Bearer …``) or,
from the browser, with their session (writes then need the CSRF token).
"""

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from inhouse.core.correlation import current_correlation_id
from inhouse.core.errors import DomainError
from inhouse.org.auth import person_for_bearer_token
from inhouse.org.models import Person

logger = logging.getLogger("inhouse.api")


class BearerTokenAuth(HttpBearer):
    """Personal API tokens created with ``inhouse token create``."""

    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        return person_for_bearer_token(token)


class SessionPersonAuth(APIKeyCookie):
    """The browser's Django session; CSRF is checked on writes."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Person | None:
        user = request.user
        if not user.is_authenticated:
            return None
        person = getattr(user, "person", None)
        return person if person is not None and person.is_active else None


api = NinjaAPI(
    title="Inhouse API",
    version="1",
    description=(
        "Internal service management. Authenticate with `Authorization: Bearer <token>` "
        "(create one with `inhouse token create USERNAME`) or a browser session. "
        'Errors always have the shape `{"error": {"code", "message", "fields"}}`.'
    ),
    docs_url="/docs",
    auth=[BearerTokenAuth(), SessionPersonAuth()],
    urls_namespace="api",
)


def error_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(
        request, status=exc.status, code=exc.code, message=exc.message, fields=exc.fields
    )


def _field_name(location: tuple[Any, ...]) -> str:
    # Drop the parameter source ("body", "query", the schema's argument name).
    sources = ("body", "query", "path", "header", "form", "file")
    parts = [str(part) for part in location if part not in sources]
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        name = _field_name(tuple(error.get("loc", ())))
        message = str(error.get("msg", "Invalid value."))
        if error.get("type") == "extra_forbidden":
            message = "This field cannot be set here."
        fields.setdefault(name, message)
    return error_response(
        request,
        status=400,
        code="invalid",
        message="The request could not be understood; see fields.",
        fields=fields,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        request,
        status=401,
        code="unauthenticated",
        message="Sign in, or send a personal token as 'Authorization: Bearer <token>'.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="inhouse"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    return error_response(request, status=exc.status_code, code=code, message=str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, status=404, code="not_found", message="Not found.")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(
        request, status=413, code="too_large", message="The request body is too large."
    )


@api.exception_handler(TooManyFieldsSent)
def _too_many_fields(request: HttpRequest, exc: TooManyFieldsSent) -> HttpResponse:
    return error_response(request, status=400, code="invalid", message="Too many fields.")


@api.exception_handler(RecursionError)
def _too_deep(request: HttpRequest, exc: RecursionError) -> HttpResponse:
    return error_response(
        request, status=400, code="invalid", message="The JSON body is nested too deeply."
    )


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error on %s %s", request.method, request.path)
    correlation_id = current_correlation_id() or "-"
    return error_response(
        request,
        status=500,
        code="server_error",
        message=f"Something went wrong on our side. Quote this id to support: {correlation_id}.",
    )


def _mount_routers() -> None:
    from inhouse.catalog.api import router as catalog_router
    from inhouse.desk.api import router as desk_router
    from inhouse.org.api import router as org_router

    api.add_router("/services", catalog_router)
    api.add_router("/requests", desk_router)
    api.add_router("/", org_router)


_mount_routers()
