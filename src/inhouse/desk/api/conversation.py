"""A request's conversation, files and history over HTTP."""

from django.http import FileResponse
from django.urls import reverse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import ConfigDict, Field

from inhouse import policy
from inhouse.core.ids import DatabaseId
from inhouse.core.pagination import page_by_id
from inhouse.core.text import render_markdown
from inhouse.desk import selectors
from inhouse.desk import services as desk
from inhouse.desk.api._shared import READ_ERRORS, WRITE_ERRORS, person_ref
from inhouse.desk.audit import AuditDoor, record_confidential_view
from inhouse.desk.downloads import attachment_response
from inhouse.desk.history_reader import data_for_reader
from inhouse.desk.models import Attachment, Channel, Comment
from inhouse.desk.schemas import (
    AttachmentOut,
    CommentIn,
    CommentOut,
    CommentPage,
    EventOut,
    EventPage,
)
from inhouse.org.auth import CallerRequest

router = Router()


def _comment_out(comment: Comment) -> CommentOut:
    return CommentOut(
        id=comment.pk,
        author=person_ref(comment.author),
        body=comment.body,
        body_html=render_markdown(comment.body),
        public=comment.is_public,
        by_provider=comment.by_provider,
        channel=comment.channel,
        created_at=comment.created_at,
    )


class PageQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "/{reference}/comments",
    response={200: CommentPage, **READ_ERRORS},
    operation_id="inhouse_desk_api_list_comments",
)
def list_comments(request: CallerRequest, reference: str, query: Query[PageQuery]) -> CommentPage:
    """The conversation, oldest first; internal notes only for the provider's agents."""
    viewer = policy.viewer_for(request.auth)
    found = selectors.get_request_for(viewer, reference)
    record_confidential_view(viewer, found, door=AuditDoor.API, what="read the conversation of")
    page = page_by_id(
        selectors.comments_visible_to(viewer, found),
        cursor=query.cursor,
        limit=query.limit,
        newest_first=False,
    )
    return CommentPage(items=[_comment_out(c) for c in page.items], next_cursor=page.next_cursor)


@router.post(
    "/{reference}/comments",
    response={201: CommentOut, **WRITE_ERRORS},
    operation_id="inhouse_desk_api_add_comment",
)
def add_comment(request: CallerRequest, reference: str, payload: CommentIn) -> Status[CommentOut]:
    """Reply publicly, or add an internal note with ``"public": false`` (agents only)."""
    actor = request.auth
    viewer = policy.viewer_for(actor)
    found = selectors.get_request_for(viewer, reference, with_relations=False)
    comment = desk.add_comment(
        actor=actor,
        request=found,
        body=payload.body,
        public=payload.public,
        channel=Channel.API,
        viewer=viewer,
    )
    return Status(201, _comment_out(comment))


def _attachment_out(reference: str, attachment: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=attachment.pk,
        name=attachment.original_name,
        size=attachment.size,
        sha256=attachment.sha256,
        content_type=attachment.content_type,
        created_at=attachment.created_at,
        download_url=reverse(
            "api:download_attachment",
            kwargs={"reference": reference, "attachment_id": attachment.pk},
        ),
    )


@router.get(
    "/{reference}/attachments",
    response={200: list[AttachmentOut], **READ_ERRORS},
    operation_id="inhouse_desk_api_list_attachments",
)
def list_attachments(request: CallerRequest, reference: str) -> list[AttachmentOut]:
    viewer = policy.viewer_for(request.auth)
    found = selectors.get_request_for(viewer, reference)
    record_confidential_view(viewer, found, door=AuditDoor.API, what="listed the files of")
    return [
        _attachment_out(found.reference, a) for a in selectors.attachments_visible_to(viewer, found)
    ]


@router.post(
    "/{reference}/attachments",
    response={201: AttachmentOut, **WRITE_ERRORS},
    operation_id="inhouse_desk_api_upload_attachment",
)
def upload_attachment(
    request: CallerRequest, reference: str, file: File[UploadedFile]
) -> Status[AttachmentOut]:
    """Attach a file (multipart field ``file``); it is always served back as a download."""
    actor = request.auth
    found = selectors.get_request_for(actor, reference)
    attachment = desk.add_attachment(
        actor=actor,
        request=found,
        upload=desk.Upload(
            name=file.name or "attachment", content_type=file.content_type or "", stream=file
        ),
    )
    return Status(201, _attachment_out(found.reference, attachment))


@router.get(
    "/{reference}/attachments/{attachment_id}",
    response={200: None, **READ_ERRORS},
    url_name="download_attachment",
    operation_id="inhouse_desk_api_download_attachment",
)
def download_attachment(
    request: CallerRequest, reference: str, attachment_id: DatabaseId
) -> FileResponse:
    viewer = policy.viewer_for(request.auth)
    found = selectors.get_request_for(viewer, reference)
    attachment = selectors.get_attachment_for(viewer, found, attachment_id)
    return attachment_response(attachment, viewer=viewer, door=AuditDoor.API)


@router.get(
    "/{reference}/history",
    response={200: EventPage, **READ_ERRORS},
    operation_id="inhouse_desk_api_history",
)
def history(request: CallerRequest, reference: str, query: Query[PageQuery]) -> EventPage:
    """The append-only history of the request, oldest first.

    A linked request the caller may not see appears as ``null`` (``"blocked_by": null``).
    """
    viewer = policy.viewer_for(request.auth)
    found = selectors.get_request_for(viewer, reference)
    record_confidential_view(viewer, found, door=AuditDoor.API, what="read the history of")
    page = page_by_id(
        selectors.history_visible_to(viewer, found),
        cursor=query.cursor,
        limit=query.limit,
        newest_first=False,
    )
    readable = data_for_reader(page.items, visible_requests=selectors.requests_visible_to(viewer))
    return EventPage(
        items=[
            EventOut(
                id=e.pk,
                kind=e.kind,
                actor=person_ref(e.actor),
                data=data,
                created_at=e.created_at,
            )
            for e, data in zip(page.items, readable, strict=True)
        ],
        next_cursor=page.next_cursor,
    )
