"""HTTP details shared by the API and the web pages."""

from django.http import HttpRequest

from inhouse.core.errors import DomainError, InvalidInput


class PreconditionRequired(DomainError):
    code = "precondition_required"
    status = 428


def expected_version(request: HttpRequest, *, required: bool) -> int | None:
    """The version named by ``If-Match`` (``3``, ``"3"`` or ``W/"3"``)."""
    raw = request.headers.get("If-Match")
    if raw is None:
        if required:
            raise PreconditionRequired(
                "Send the request's current version in an If-Match header "
                "(the `version` field or the ETag of GET /api/v1/requests/{reference}).",
                fields={"If-Match": "Required."},
            )
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput(
            "If-Match must be the request's version number.", fields={"If-Match": "Not a version."}
        )
    return int(text)
