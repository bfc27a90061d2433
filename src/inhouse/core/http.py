"""HTTP details shared by the API and the web pages."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest

from inhouse.core.errors import DomainError, InvalidInput
from inhouse.core.ids import database_id


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
    # A version is a database integer like an id; a longer number is no version at all.
    version = database_id(raw.strip().removeprefix("W/").strip('"'))
    if version is None:
        raise InvalidInput(
            "If-Match must be the request's version number.", fields={"If-Match": "Not a version."}
        )
    return version


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def names_unknown_parameters_itself(endpoint: Endpoint) -> Endpoint:
    """Marks an API endpoint that reports unknown query parameters together with its other
    parameter errors, so the API's general check leaves them to it."""
    endpoint.names_unknown_parameters_itself = True  # type: ignore[attr-defined]
    return endpoint
