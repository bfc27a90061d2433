"""Attachments leave as downloads that no browser renders inline, whichever door serves them."""

import logging
import mimetypes

from django.http import FileResponse

from inhouse import policy
from inhouse.core.errors import NotFound
from inhouse.desk.audit import AuditDoor, record_confidential_view
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


def attachment_response(
    attachment: Attachment, *, viewer: policy.Viewer, door: AuditDoor
) -> FileResponse:
    """Stream a stored attachment as a download that no browser will render inline.

    The type comes from the file's name, never from what the uploader claimed, and
    only a short list of harmless types is named at all. A file of a confidential
    request is audited as it leaves, by its id, never its name.
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
    record_confidential_view(
        viewer,
        attachment.request,
        door=door,
        what="downloaded a file of",
        data={"attachment_id": attachment.pk},
    )
    return response
