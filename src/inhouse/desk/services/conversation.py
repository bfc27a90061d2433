"""The conversation on a request: replies, internal notes and files."""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from inhouse import policy
from inhouse.core.errors import PermissionDenied
from inhouse.desk.models import Attachment, Channel, Comment, Request, Status
from inhouse.desk.services import notifications
from inhouse.desk.services._common import (
    MAX_BODY,
    Upload,
    clean_text,
    create_attachment,
    lock,
    require_view,
    save_changed,
    touch,
    write_comment,
)
from inhouse.desk.services.lifecycle import apply_status, mark_first_response
from inhouse.desk.storage import files_kept_on_success, store_file, store_files
from inhouse.org.models import Person
from inhouse.sla import services as clocks


def status_after_comment(
    status: str, *, public: bool, by_provider: bool, by_requester: bool
) -> str | None:
    """The status a comment moves the request into, if any.

    The provider's public reply takes a new request into progress; the
    requester's reply to a request waiting on them takes it back into progress.
    """
    if public and by_provider and status == Status.NEW:
        return Status.IN_PROGRESS
    if public and by_requester and status == Status.WAITING_ON_CUSTOMER:
        return Status.IN_PROGRESS
    return None


def add_comment(
    *,
    actor: Person,
    request: Request,
    body: str,
    public: bool = True,
    channel: str = Channel.PORTAL,
    attachments: Sequence[Upload] = (),
    viewer: policy.Viewer | None = None,
) -> Comment:
    """Add a public reply or an internal note.

    The provider's first public reply stops the first-response clock and moves a
    new request into progress; the requester's reply to a request waiting on
    them moves it back into progress and resumes the resolution clock. ``viewer``:
    the actor as the door already worked them out, if it did.
    """
    viewer = require_view(actor, request, viewer)
    works_it = policy.can_work_request(viewer, request)
    if not public and not works_it:
        raise PermissionDenied(
            "Only agents of the team handling this request can add internal notes."
        )
    body = clean_text(body, field="body", limit=MAX_BODY, required=True)
    stored_files = store_files(upload.stream for upload in attachments)
    now = timezone.now()
    with files_kept_on_success(stored_files), transaction.atomic():
        request = lock(request, None, viewer=viewer, work=not public)
        comment = write_comment(
            request, actor, body, public=public, by_provider=works_it, at=now, channel=channel,
            files=list(zip(attachments, stored_files, strict=True)),
        )  # fmt: skip
        notifications.notify_reply(request, actor=actor, public=public, by_provider=works_it)
        changed: list[str] = []
        if public and works_it and request.first_responded_at is None:
            mark_first_response(request, actor, at=now)
            changed.append("first_responded_at")
        moved_to = status_after_comment(
            request.status,
            public=public,
            by_provider=works_it,
            by_requester=actor.pk == request.requester_id,
        )
        if moved_to is not None:
            apply_status(request, actor, moved_to, at=now)
            changed.append("status")
        if changed:
            clocks.refresh_request_sla_fields(request)
            save_changed(
                request,
                [*changed, "resolution_due_at", "sla_breached", "resolved_at", "closed_at"],
                at=now,
            )
        else:
            touch(request, at=now)
    return comment


def add_attachment(*, actor: Person, request: Request, upload: Upload) -> Attachment:
    """Add a file to the request itself; anyone who sees the request may."""
    viewer = require_view(actor, request)
    stored_file = store_file(upload.stream)
    now = timezone.now()
    with files_kept_on_success([stored_file]), transaction.atomic():
        request = lock(request, None, viewer=viewer)
        attachment = create_attachment(request, actor, upload, stored_file, comment=None, at=now)
        touch(request, at=now)
    return attachment
