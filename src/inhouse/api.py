"""The REST API under /api/v1/: authentication, one error shape, and each app's router.

Every error, whatever raised it, leaves as ``{"error": {"code", "message", "fields"?}}``,
also for an address that is no endpoint (404) and a method an endpoint does not take
(405). Every endpoint is strict: a query parameter it does not declare is a 400
naming it, and a body is read only when it is sent as ``application/json``.
Callers authenticate with a personal token (``Authorization: Bearer …``) or,
from the browser, with their session (writes then need the CSRF token).
"""

import logging
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.params.models import QueryModel
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.types import DictStrAny

from inhouse.audit.models import AuditDoor
from inhouse.audit.refusals import RefusedChange, record_refused_change
from inhouse.core.correlation import current_correlation_id
from inhouse.core.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from inhouse.desk.audit import target_named_by
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

    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF protects a credential the browser sends by itself, so it is checked only
        # when a signed-in session is that credential; a caller without one (no token,
        # or a bad or revoked one) is unauthenticated, a 401, not a CSRF failure.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Person | None:
        user = request.user
        if not user.is_authenticated:
            return None
        person = getattr(user, "person", None)
        return person if person is not None and person.is_active else None


class UnsupportedMediaType(Exception):
    """A body sent as something other than JSON to an endpoint that reads JSON."""


class JsonOnlyParser(Parser):
    """Reads a body only when it says it is JSON, so every guard on JSON bodies (the NUL
    check, the nesting limit) sees every body that is read."""

    def parse_body(self, request: HttpRequest) -> DictStrAny:
        if request.content_type != "application/json":
            raise UnsupportedMediaType(request.content_type)
        return super().parse_body(request)


class InhouseAPI(NinjaAPI):
    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for url in urls:
            if isinstance(url, URLPattern):
                url.callback = _method_not_allowed_in_shape(url.callback)
        # Last, after every endpoint: any other address under the API is a JSON 404.
        urls.append(re_path(r"^", _no_such_endpoint))
        return urls


api = InhouseAPI(
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
    parser=JsonOnlyParser(),
)


def error_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    details: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(details or {})
    return api.create_response(request, {"error": body}, status=status)


# The API's changes in words, completed by their object ("change the status of" IT-12).
_OPERATIONS = {
    ("POST", "requests"): "submit a request",
    ("PATCH", "requests/<reference>"): "change",
    ("POST", "requests/<reference>/transitions"): "change the status of",
    ("POST", "requests/<reference>/transfer"): "transfer",
    ("POST", "requests/<reference>/comments"): "comment on",
    ("POST", "requests/<reference>/attachments"): "attach a file to",
    ("POST", "ideas"): "propose an idea",
    ("PUT", "ideas/<idea_id>/vote"): "vote for",
    ("DELETE", "ideas/<idea_id>/vote"): "take back a vote for",
    ("POST", "ideas/<idea_id>/comments"): "comment on",
    ("POST", "ideas/<idea_id>/status"): "set the status of",
    ("POST", "requests/<reference>/follow-ups"): "answer a follow-up of",
    ("POST", "requests/<reference>/follow-ups/turn-off"): "turn off the follow-ups of",
    ("PUT", "requests/<reference>/rating"): "rate",
    ("PUT", "requests/<reference>/clarity"): "rate the clarity of",
    ("POST", "articles"): "write an article",
    ("PATCH", "articles/<article_slug>"): "change",
    ("POST", "articles/<article_slug>/publish"): "publish",
    ("POST", "articles/<article_slug>/unpublish"): "unpublish",
    ("POST", "articles/<article_slug>/revisions/<number>/restore"): "restore a revision of",
    ("PUT", "articles/<article_slug>/helpful"): "say whether it helped:",
    ("POST", "surveys"): "schedule a survey",
    ("POST", "surveys/answers"): "answer a survey",
    ("POST", "surveys/<survey_id>/token"): "open",
    ("POST", "kudos"): "give kudos",
    ("PUT", "kudos/settings"): "change their kudos sharing",
    ("POST", "training/sessions"): "announce a training session",
    ("PUT", "training/sessions/<session_id>"): "change",
    ("POST", "training/sessions/<session_id>/signup"): "sign up for",
    ("DELETE", "training/sessions/<session_id>/signup"): "cancel the sign-up for",
    ("PUT", "training/sessions/<session_id>/rating"): "rate",
}
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def _audit_refusal(request: HttpRequest, *, status: int, reason: str) -> None:
    """Record a change the API refused: the API's one place for it, reached from the
    error handlers after the endpoint (and the service's transaction) has given up."""
    match = request.resolver_match
    if request.method in _READS or match is None or match.route is None:
        return
    route = match.route.removeprefix("api/v1/")
    method = request.method or ""
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Person):
        # A refused session credential (a write without its CSRF token) still tells
        # whose browser the attempt came from.
        actor = getattr(request.user, "person", None) if request.user.is_authenticated else None
    record_refused_change(
        RefusedChange(
            door=AuditDoor.API,
            actor=actor,
            operation=_OPERATIONS.get((method, route), f"{method} /api/v1/{route}"),
            method=method,
            route=f"{method} /api/v1/{route}",
            path=request.path,
            status=status,
            reason=reason,
            remote_address=request.META.get("REMOTE_ADDR", ""),
            credentials=""
            if actor is not None
            else ("bearer token" if "Authorization" in request.headers else "none"),
        ),
        target=target_named_by(match.kwargs, namespace="api"),
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    # Refused for who is asking, for what they may not see, or for asking too often.
    if isinstance(exc, PermissionDenied | NotFound) or exc.status == HTTPStatus.TOO_MANY_REQUESTS:
        _audit_refusal(request, status=exc.status, reason=exc.message)
    return error_response(
        request,
        status=exc.status,
        code=exc.code,
        message=exc.message,
        fields=exc.fields,
        details=exc.details,
    )


def _field_name(location: tuple[Any, ...]) -> str:
    # Drop the parameter source ("body", "query", …) and the schema's argument name, which
    # the caller never sent; what is left is the field as the caller spelled it, even
    # when that field is itself called "body".
    sources = ("body", "query", "path", "header", "form", "file", "cookie")
    parts = [str(part) for part in location]
    if parts and parts[0] in sources:
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in {"payload", "data", "filters", "query"}:
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
    _audit_refusal(request, status=401, reason="Not authenticated.")
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
    if isinstance(exc.__cause__, UnsupportedMediaType):
        # ninja reports any failure to read a body as a 400; this one is the media type.
        return error_response(
            request,
            status=415,
            code="unsupported_media_type",
            message="Send the body as JSON, with 'Content-Type: application/json'.",
        )
    code = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
        exc.status_code, "error"
    )
    if exc.status_code == 403:
        # ninja's own refusal: a session write without its CSRF token.
        _audit_refusal(request, status=403, reason=str(exc))
    return error_response(request, status=exc.status_code, code=code, message=str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    _audit_refusal(request, status=404, reason="Not found.")
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


def _no_such_endpoint(request: HttpRequest) -> HttpResponse:
    return error_response(
        request, status=404, code="not_found", message="There is no such endpoint."
    )


def _method_not_allowed_in_shape(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """ninja answers a method an endpoint does not take with a bare 405; give it the shape."""

    @wraps(view)
    def shaped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        shaped_response = error_response(
            request,
            status=405,
            code="method_not_allowed",
            message=f"This endpoint does not take {request.method}. Allowed: {allowed}.",
        )
        shaped_response["Allow"] = allowed
        return shaped_response

    return shaped


def _query_parameters_of(endpoint: Callable[..., Any]) -> frozenset[str]:
    """The query parameters an endpoint declares, as its OpenAPI description lists them."""
    operation = endpoint._ninja_operation  # type: ignore[attr-defined]
    names: set[str] = set()
    for model in operation.models:
        if issubclass(model, QueryModel):
            flattened = getattr(model, "__ninja_flatten_map__", None)
            names.update(flattened or model.model_fields)
    return frozenset(names)


def _refuse_unknown_query_parameters(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Every endpoint names a query parameter it does not declare instead of ignoring it;
    it runs after authentication, so a stranger learns nothing but 401."""
    if getattr(endpoint, "names_unknown_parameters_itself", False):
        return endpoint
    known = _query_parameters_of(endpoint)

    @wraps(endpoint)
    def strict(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        unknown = sorted(set(request.GET) - known)
        if unknown:
            raise InvalidInput(
                f"Unknown query parameters: {', '.join(unknown)}.",
                fields={name: "Not a parameter of this endpoint." for name in unknown},
            )
        return endpoint(request, *args, **kwargs)

    return strict


api.add_decorator(_refuse_unknown_query_parameters, mode="operation")


def _mount_routers() -> None:
    from inhouse.audit.api import router as audit_router
    from inhouse.catalog.api import router as catalog_router
    from inhouse.desk.api import me_router as desk_me_router
    from inhouse.desk.api import router as desk_router
    from inhouse.feedback.api.followups import router as followups_router
    from inhouse.feedback.api.kudos import router as kudos_router
    from inhouse.feedback.api.ratings import router as ratings_router
    from inhouse.feedback.api.surveys import router as surveys_router
    from inhouse.feedback.api.training import router as training_router
    from inhouse.knowledge.api.articles import router as articles_router
    from inhouse.knowledge.api.ideas import router as ideas_router
    from inhouse.org.api import router as org_router
    from inhouse.search.api import router as search_router

    api.add_router("/services", catalog_router)
    api.add_router("/requests", desk_router)
    api.add_router("/requests", followups_router)
    api.add_router("/audit", audit_router)
    api.add_router("/articles", articles_router)
    api.add_router("/me", desk_me_router)
    api.add_router("/ideas", ideas_router)
    api.add_router("/surveys", surveys_router)
    api.add_router("/search", search_router)
    api.add_router("/", org_router)
    api.add_router("/kudos", kudos_router)
    api.add_router("/training", training_router)
    api.add_router("/", ratings_router)


_mount_routers()
