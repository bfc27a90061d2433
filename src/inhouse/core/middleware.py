import uuid
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils import timezone

from inhouse.core.correlation import reset_correlation_id, set_correlation_id
from inhouse.core.versioned import one_read_per_scope


class CorrelationIdMiddleware:
    """Tags every request with an id that appears in logs, error pages and headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        correlation_id = uuid.uuid4().hex[:16]
        request.correlation_id = correlation_id  # type: ignore[attr-defined]
        token = set_correlation_id(correlation_id)
        try:
            response = self.get_response(request)
        finally:
            reset_correlation_id(token)
        response["X-Correlation-ID"] = correlation_id
        return response


class ViewerTimezoneMiddleware:
    """Shows times in the signed-in person's own timezone; storage stays UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        person = getattr(getattr(request, "user", None), "person", None)
        if person is not None:
            try:
                timezone.activate(zoneinfo.ZoneInfo(person.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuses a body larger than any upload may be before Django reads a byte of it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # Room for the multipart envelope and the other form fields around the file.
        limit = settings.ATTACHMENT_MAX_BYTES + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            message = f"The request body is larger than {limit // (1024 * 1024)} MiB."
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "too_large", "message": message}}, status=413
                )
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class NulCharacterMiddleware:
    """Refuses a NUL character in parameters, form fields or a JSON body with a 400.

    No text a person writes contains one, and PostgreSQL cannot store one, so it
    would otherwise surface as a server error deep inside some query. Uploaded
    files are not inspected: binary content is theirs to have.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._carries_nul(request):
            message = "Text cannot contain the NUL character (\\u0000)."
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {"code": "invalid", "message": message}}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path or _has_nul(request.GET):
            return True
        content_type = request.content_type or ""
        if content_type == "application/json":
            body = request.body
            return b"\x00" in body or b"\\u0000" in body
        if request.method == "POST" and content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            return _has_nul(request.POST)
        return False


def _has_nul(parameters: QueryDict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in parameters.lists()
    )


class CacheScopeMiddleware:
    """Each process cache checks its version row once per HTTP request, not per use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with one_read_per_scope():
            return self.get_response(request)
