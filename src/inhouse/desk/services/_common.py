"""What the request services share: locking and saving a request, checking the actor
and the input, numbering references, and writing comments and attachments.

Private to ``inhouse.desk.services``: every door calls the use-case functions.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.db import connections, router

from inhouse import policy
from inhouse.catalog.models import Priority
from inhouse.core.errors import InvalidInput, NotFound, PermissionDenied, StaleVersion
from inhouse.core.inserts import insert_rows, update_columns
from inhouse.core.prepared import PreparedQuery
from inhouse.core.statements import statement_cursor
from inhouse.desk import events
from inhouse.desk.models import (
    Attachment,
    Channel,
    Comment,
    Request,
    RequestReference,
    TeamCounter,
)
from inhouse.desk.storage import StoredFile, safe_display_name
from inhouse.org.models import Person, Team
from inhouse.search import changes as search_changes

MAX_SUBJECT = 300
MAX_BODY = 100_000
MAX_EXTERNAL_REF = 200
FIRST_REFERENCE_NUMBER = 1000


@dataclass(frozen=True)
class Upload:
    """A file arriving through any door: its name as sent, its type and its bytes."""

    name: str
    content_type: str
    stream: IO[bytes]


# Every change of a request runs this first, inside its transaction (``FOR UPDATE``
# needs one). Compiled once per process and engine: PostgreSQL's statement carries
# ``FOR UPDATE``, SQLite's does not (its writer holds the whole database).
_locked_row = PreparedQuery(
    lambda request_id: (
        Request.objects.select_for_update(of=("self",))
        .select_related("agreement__calendar")
        .filter(pk=request_id)
    ),
    request_id=int,
)


def lock(
    request: Request,
    expected_version: int | None,
    *,
    viewer: policy.Viewer,
    work: bool = False,
) -> Request:
    """Re-read the request under a row lock, then check permission and version on it.

    Permission is checked again on the locked row because the caller's copy may be
    stale: the request may have been transferred to another team meanwhile.
    """
    found = _locked_row.instances(request_id=request.pk)
    if not found:
        raise Request.DoesNotExist("The request is gone.")
    (locked,) = found
    _keep_loaded_relations(request, locked)
    if not policy.can_view_request(viewer, locked):
        raise NotFound("No such request.")
    if work and not policy.can_work_request(viewer, locked):
        raise PermissionDenied("Only agents of the team handling this request can do that.")
    if expected_version is not None and expected_version != locked.version:
        raise StaleVersion(expected=expected_version, current=locked.version)
    return locked


# The relations a door loads with the request (``selectors.get_request_for``) and
# shows in its answer; locking re-reads only the request's own row.
_SHOWN_RELATIONS = ("service", "provider_team", "customer_team", "requester", "assignee", "parent")


def _keep_loaded_relations(loaded: Request, locked: Request) -> None:
    """Give the locked row the related objects the caller's copy already holds, where
    they still apply (the same id), so answering from the locked row reads none again."""
    for name in _SHOWN_RELATIONS:
        field = Request._meta.get_field(name)
        if (
            field.is_cached(loaded)  # type: ignore[union-attr]
            and getattr(loaded, field.attname) == getattr(locked, field.attname)  # type: ignore[union-attr]
        ):
            field.set_cached_value(locked, field.get_cached_value(loaded))  # type: ignore[union-attr]


def save_changed(request: Request, fields: Sequence[str], *, at: datetime) -> None:
    """Save the changed fields and bump the version that optimistic locking compares."""
    request.version += 1
    request.updated_at = at
    update_columns(request, [*fields, "version", "updated_at", *events.CHAIN_HEAD_FIELDS])


def touch(request: Request, *, at: datetime) -> None:
    """Mark the request updated without a new version (nothing a client edits changed);
    the history's chain head moves with it."""
    request.updated_at = at
    update_columns(request, ["updated_at", *events.CHAIN_HEAD_FIELDS])


def require_active(actor: Person) -> None:
    if not actor.is_active:
        raise PermissionDenied("Deactivated people cannot change requests.")


def viewer_of(actor: Person, viewer: policy.Viewer | None) -> policy.Viewer:
    """The actor as a viewer: the one the door already worked out for this HTTP request
    (saving a second look-up of their memberships), else looked up now."""
    if viewer is not None and viewer.person_id == actor.pk:
        return viewer
    return policy.viewer_for(actor)


def require_view(
    actor: Person, request: Request, viewer: policy.Viewer | None = None
) -> policy.Viewer:
    require_active(actor)
    viewer = viewer_of(actor, viewer)
    if not policy.can_view_request(viewer, request):
        raise NotFound("No such request.")
    return viewer


def require_work(
    actor: Person, request: Request, viewer: policy.Viewer | None = None
) -> policy.Viewer:
    viewer = require_view(actor, request, viewer)
    if not policy.can_work_request(viewer, request):
        raise PermissionDenied("Only agents of the team handling this request can do that.")
    return viewer


def next_reference(team: Team) -> str:
    """The next free reference of ``team``; the counter's row stays locked until commit,
    so concurrent submits for one team queue here and never share a number."""
    while True:
        number, taken = _take_number(team)
        # A prefix can come back to a team (renamed, or reused by another team):
        # numbers its requests already carry are skipped rather than clash.
        if not taken:
            return _reference_of(team, number)


def _reference_of(team: Team, number: int) -> str:
    return f"{team.reference_prefix}-{number}"


def _take_number(team: Team) -> tuple[int, bool]:
    """The team's next number and whether a request already carries its reference.

    One statement takes the lock, the number and the check (SQLite 3.35+ and
    PostgreSQL both have RETURNING, which may hold a subquery; the ORM's update()
    cannot return the new value). The reference is spelt in SQL as ``_reference_of``
    spells it in Python."""
    references = RequestReference._meta.db_table
    with statement_cursor(connections[router.db_for_write(TeamCounter)]) as cursor:
        cursor.execute(
            # The table names are ours; the prefix and the team are parameters.
            f"UPDATE {TeamCounter._meta.db_table} SET last_number = last_number + 1 "  # noqa: S608
            "WHERE team_id = %s RETURNING last_number, EXISTS ("
            f"SELECT 1 FROM {references} WHERE {references}.reference = "
            "%s || '-' || CAST(last_number AS TEXT))",
            [team.pk, team.reference_prefix],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0]), bool(row[1])
    # The team's first request: make its counter, then take the number as usual.
    TeamCounter.objects.get_or_create(
        team=team, defaults={"last_number": FIRST_REFERENCE_NUMBER - 1}
    )
    return _take_number(team)


def clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text.", fields={field: "Must be text."})
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(f"{field} is required.", fields={field: "This field is required."})
    if len(cleaned) > limit:
        raise InvalidInput(
            f"{field} is too long.", fields={field: f"Keep it under {limit} characters."}
        )
    return cleaned


def check_priority(priority: str) -> str:
    if priority not in Priority.values:
        raise InvalidInput(
            "Unknown priority.",
            fields={"priority": f"Choose one of: {', '.join(Priority.values)}."},
        )
    return priority


def create_attachment(
    request: Request,
    actor: Person,
    upload: Upload,
    stored_file: StoredFile,
    *,
    comment: Comment | None,
    at: datetime,
) -> Attachment:
    """The row of a file already stored, and its event (internal with an internal note)."""
    attachment = Attachment.objects.create(
        request=request,
        comment=comment,
        uploaded_by=actor,
        original_name=safe_display_name(upload.name),
        stored_name=stored_file.stored_name,
        size=stored_file.size,
        sha256=stored_file.sha256,
        content_type=(upload.content_type or "application/octet-stream")[:100],
        created_at=at,
    )
    events.record(
        request,
        events.attached(
            request_id=request.pk,
            actor_id=actor.pk,
            at=at,
            attachment_id=attachment.pk,
            size=attachment.size,
            sha256=attachment.sha256,
            public=comment.is_public if comment else True,
        ),
    )
    return attachment


def write_comment(
    request: Request,
    actor: Person,
    body: str,
    *,
    public: bool,
    by_provider: bool,
    at: datetime,
    channel: str = Channel.PORTAL,
    files: Sequence[tuple[Upload, StoredFile]] = (),
) -> Comment:
    """A comment with its files and its event: every comment is written here, whether
    a reply, a note, a transition's remark or a transfer's handover note. Who hears
    of it is the caller's to decide (a handover note tells nobody)."""
    comment = Comment(
        request=request,
        author=actor,
        body=body,
        is_public=public,
        by_provider=by_provider,
        channel=channel,
        created_at=at,
    )
    insert_rows([comment])
    for upload, stored_file in files:
        create_attachment(request, actor, upload, stored_file, comment=comment, at=at)
    search_changes.changed("comment", comment.pk)
    events.record(
        request,
        events.commented(
            request_id=request.pk, actor_id=actor.pk, at=at, comment_id=comment.pk, public=public
        ),
    )
    return comment
