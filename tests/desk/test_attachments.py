"""Attachments: size limit, checksums, generated storage names, safe display names, and
lookups that never cross from one request to another."""

import hashlib
from pathlib import Path

import pytest
from tests.desk.helpers import snapshot, submit, upload
from tests.factories import make_service

from inhouse.catalog.models import FieldKind
from inhouse.core.errors import NotFound, TooLarge
from inhouse.desk.models import Attachment, Comment, Request, RequestEvent
from inhouse.desk.selectors import attachments_visible_to, get_attachment_for
from inhouse.desk.services import add_attachment, add_comment
from inhouse.desk.storage import attachment_path

pytestmark = pytest.mark.django_db


def stored_files(root) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


@pytest.fixture
def small_limit(settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    return settings


def test_an_upload_over_the_limit_leaves_no_row_and_no_file(cast, small_limit):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(TooLarge):
        add_attachment(actor=cast.rita, request=request, upload=upload(b"x" * 11))
    assert snapshot(request) == before
    assert not Attachment.objects.exists()
    assert stored_files(small_limit.ATTACHMENT_ROOT) == []


def test_an_upload_at_the_limit_is_accepted(cast, small_limit):
    attachment = add_attachment(actor=cast.rita, request=submit(cast), upload=upload(b"x" * 10))
    assert attachment.size == 10


def test_a_comment_with_an_oversized_file_is_not_written(cast, small_limit):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(TooLarge):
        add_comment(
            actor=cast.alex,
            request=request,
            body="See the log.",
            attachments=[upload(b"small"), upload(b"far too large")],
        )
    assert snapshot(request) == before
    assert not Comment.objects.exists()


def test_a_refused_comment_leaves_no_file_behind(cast, small_limit):
    request = submit(cast)
    with pytest.raises(TooLarge):
        add_comment(
            actor=cast.alex,
            request=request,
            body="See the log.",
            attachments=[upload(b"small"), upload(b"far too large")],
        )
    assert stored_files(small_limit.ATTACHMENT_ROOT) == []


def test_a_submit_with_an_oversized_file_creates_no_request(cast, small_limit):
    service = make_service(
        cast.service_desk,
        "Broken screen",
        fields=[{"key": "photo", "label": "Photo", "kind": FieldKind.FILE}],
    )
    with pytest.raises(TooLarge):
        submit(cast, service=service, files={"photo": upload(b"x" * 11, "screen.jpg")})
    assert not Request.objects.exists()
    assert stored_files(small_limit.ATTACHMENT_ROOT) == []


def test_size_and_sha256_are_recorded_and_the_file_kept_under_a_generated_name(cast, settings):
    content = b"%PDF-1.7 quarterly figures"
    request = submit(cast)
    attachment = add_attachment(
        actor=cast.rita,
        request=request,
        upload=upload(content, "Q3 figures.pdf", "application/pdf"),
    )
    stored = Attachment.objects.get(pk=attachment.pk)
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert (stored.original_name, stored.content_type) == ("Q3 figures.pdf", "application/pdf")
    assert (stored.uploaded_by, stored.comment) == (cast.rita, None)
    assert len(stored.stored_name) == 40
    assert int(stored.stored_name, 16) >= 0  # hex only: nothing of the uploader's name
    path = attachment_path(stored.stored_name)
    assert path.resolve().is_relative_to(Path(settings.ATTACHMENT_ROOT).resolve())
    assert path.read_bytes() == content
    assert stored_files(settings.ATTACHMENT_ROOT) == [path]
    event = RequestEvent.objects.get(request=request, kind="attached")
    assert event.data == {"attachment": stored.pk, "size": len(content), "sha256": stored.sha256}


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd\u202e.svg<script>", "passwd.svgscript"),
        ("C:\\Users\\rita\\report.docx", "report.docx"),
        ('a"b\r\nc.txt', "abc.txt"),
        ("...", "attachment"),
        ("x" * 300 + ".txt", "x" * 200),
    ],
)
def test_the_uploaders_name_is_kept_only_as_a_safe_display_name(cast, settings, sent, shown):
    attachment = add_attachment(actor=cast.rita, request=submit(cast), upload=upload(name=sent))
    assert attachment.original_name == shown
    assert shown not in attachment.stored_name
    assert stored_files(settings.ATTACHMENT_ROOT) == [attachment_path(attachment.stored_name)]


def test_an_attachment_id_of_another_request_is_not_found(cast):
    mine, other = submit(cast, subject="Mine"), submit(cast, subject="Other")
    theirs = add_attachment(actor=cast.rita, request=other, upload=upload())
    for viewer in (cast.rita, cast.alex, cast.ada):
        with pytest.raises(NotFound):
            get_attachment_for(viewer, mine, theirs.pk)
    assert get_attachment_for(cast.rita, other, theirs.pk) == theirs


def test_attachments_on_internal_notes_are_hidden_from_the_requester(cast):
    request = submit(cast)
    shared = add_attachment(actor=cast.rita, request=request, upload=upload(name="photo.jpg"))
    note = add_comment(
        actor=cast.alex,
        request=request,
        body="Vendor quote attached.",
        public=False,
        attachments=[upload(b"quote", "quote.pdf")],
    )
    internal = note.attachments.get()
    assert list(attachments_visible_to(cast.alex, request)) == [shared, internal]
    for viewer in (cast.rita, cast.carl):
        assert list(attachments_visible_to(viewer, request)) == [shared]
        with pytest.raises(NotFound):
            get_attachment_for(viewer, request, internal.pk)
    internal_event = RequestEvent.objects.get(request=request, data__attachment=internal.pk)
    assert internal_event.is_public is False


def test_attachments_on_public_replies_are_shown_to_the_requester(cast):
    request = submit(cast)
    reply = add_comment(
        actor=cast.alex,
        request=request,
        body="Driver attached.",
        attachments=[upload(b"driver", "driver.zip")],
    )
    assert get_attachment_for(cast.rita, request, reply.attachments.get().pk).original_name == (
        "driver.zip"
    )


def test_someone_who_cannot_see_the_request_cannot_attach(cast, settings):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(NotFound):
        add_attachment(actor=cast.otto, request=request, upload=upload())
    assert snapshot(request) == before
    assert stored_files(settings.ATTACHMENT_ROOT) == []
