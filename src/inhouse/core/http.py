"""HTTP details shared by the API and the web pages."""

import logging
import mimetypes

from django.http import FileResponse, HttpRequest

from inhouse.core.errors import DomainError, InvalidInput, NotFound
from inhouse.desk.models import Attachment
from inhouse.desk.storage import attachment_path

logger = logging.getLogger(__name__)

# Types a browser may render without risk when the user opens the download;
# everything else (HTML, SVG, XML, scripts, unknown) goes out as octet-stream.
_SAFE_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/zip",
}


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


def attachment_response(attachment: Attachment) -> FileResponse:
    """Stream a stored attachment as a download that no browser will render inline.

    The type comes from the file's name, never from what the uploader claimed, and
    only a short list of harmless types is named at all.
    """
    guessed = mimetypes.guess_type(attachment.original_name)[0] or ""
    content_type = guessed if guessed in _SAFE_TYPES else "application/octet-stream"
    try:
        stream = open(attachment_path(attachment.stored_name), "rb")  # noqa: SIM115 - FileResponse closes it
    except FileNotFoundError as exc:
        logger.error("Attachment %s has no file on disk", attachment.pk)
        raise NotFound("The file of this attachment is missing.") from exc
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
