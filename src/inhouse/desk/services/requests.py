"""Every change to a request, one function per use case.

Each function takes the acting person, asks ``inhouse.policy`` whether they may,
locks the request row, applies the change, moves the SLA clocks, bumps the
request's version and writes the history, all in one transaction. The portal,
the API, email, chat and the CLI all come through here.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from inhouse import policy
from inhouse.catalog.answers import check_answers
from inhouse.catalog.models import Priority, Service
from inhouse.catalog.selectors import applicable_agreement, default_customer_team
from inhouse.core.errors import (
    Conflict,
    IdempotencyMismatch,
    InvalidInput,
    NotFound,
    PermissionDenied,
    StaleVersion,
    TransitionNotAllowed,
)
from inhouse.desk.models import (
    OPEN_STATUSES,
    Attachment,
    Channel,
    Comment,
    Dependency,
    EventKind,
    IdempotencyRecord,
    Request,
    RequestEvent,
    RequestReference,
    Status,
    TeamCounter,
    TeamHolding,
)
from inhouse.desk.services import notifications
from inhouse.desk.storage import (
    files_kept_on_success,
    safe_display_name,
    store_file,
    store_files,
)
from inhouse.org.models import Membership, Person, Team
from inhouse.sla import services as clocks
from inhouse.sla.models import ClockKind

MAX_SUBJECT = 300
MAX_BODY = 100_000
FIRST_REFERENCE_NUMBER = 1000


@dataclass(frozen=True)
class Upload:
    """A file arriving through any door: its name as sent, its type and its bytes."""

    name: str
    content_type: str
    stream: IO[bytes]


# --- helpers ---------------------------------------------------------------------


def _record(
    request: Request,
    actor: Person | None,
    kind: str,
    data: dict[str, Any] | None = None,
    *,
    at: datetime,
    public: bool = True,
) -> RequestEvent:
    return RequestEvent.objects.create(
        request=request, actor=actor, kind=kind, data=data or {}, is_public=public, created_at=at
    )


def _lock(
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
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("agreement__calendar")
        .get(pk=request.pk)
    )
    if not policy.can_view_request(viewer, locked):
        raise NotFound("No such request.")
    if work and not policy.can_work_request(viewer, locked):
        raise PermissionDenied("Only agents of the team handling this request can do that.")
    if expected_version is not None and expected_version != locked.version:
        raise StaleVersion(expected=expected_version, current=locked.version)
    return locked


def _save_changed(request: Request, fields: Sequence[str], *, at: datetime) -> None:
    request.version += 1
    request.updated_at = at
    request.save(update_fields=[*fields, "version", "updated_at"])


def _require_active(actor: Person) -> None:
    if not actor.is_active:
        raise PermissionDenied("Deactivated people cannot change requests.")


def _require_view(actor: Person, request: Request) -> policy.Viewer:
    _require_active(actor)
    viewer = policy.viewer_for(actor)
    if not policy.can_view_request(viewer, request):
        raise NotFound("No such request.")
    return viewer


def _require_work(actor: Person, request: Request) -> policy.Viewer:
    viewer = _require_view(actor, request)
    if not policy.can_work_request(viewer, request):
        raise PermissionDenied("Only agents of the team handling this request can do that.")
    return viewer


def _next_reference(team: Team) -> str:
    TeamCounter.objects.get_or_create(
        team=team, defaults={"last_number": FIRST_REFERENCE_NUMBER - 1}
    )
    while True:
        # The UPDATE takes the row lock until commit, so concurrent submits queue here.
        TeamCounter.objects.filter(team=team).update(last_number=F("last_number") + 1)
        number = TeamCounter.objects.values_list("last_number", flat=True).get(team=team)
        reference = f"{team.reference_prefix}-{number}"
        # A prefix can come back to a team (renamed, or reused by another team):
        # numbers its requests already carry are skipped rather than clash.
        if not RequestReference.objects.filter(reference=reference).exists():
            return reference


def _clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
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


def _check_priority(priority: str) -> str:
    if priority not in Priority.values:
        raise InvalidInput(
            "Unknown priority.",
            fields={"priority": f"Choose one of: {', '.join(Priority.values)}."},
        )
    return priority


# --- submitting ----------------------------------------------------------------------


def submit_request(
    *,
    actor: Person,
    service: Service,
    subject: str,
    description: str = "",
    form_answers: Mapping[str, Any] | None = None,
    files: Mapping[str, Upload] | None = None,
    priority: str | None = None,
    requester: Person | None = None,
    customer_team: Team | None = None,
    external_ref: str = "",
    parent: Request | None = None,
    channel: str = Channel.PORTAL,
) -> Request:
    """File a request for ``service``; the actor files it for themselves unless they
    are an agent of the provider team (or an admin) filing for ``requester``.

    Validates the form, finds the agreement, starts the clocks and records history.
    """
    _require_active(actor)
    requester = requester or actor
    viewer = policy.viewer_for(actor)
    requester_view = viewer if requester.pk == actor.pk else requester
    if not policy.can_request_service(requester_view, service):
        raise NotFound("No such service.")
    acting_for_someone = requester.pk != actor.pk
    if acting_for_someone and not (
        viewer.is_admin or service.provider_team_id in viewer.queue_team_ids
    ):
        raise PermissionDenied(
            "Only the provider team's agents can file a request for someone else."
        )
    subject = _clean_text(subject, field="subject", limit=MAX_SUBJECT, required=True)
    description = _clean_text(description, field="description", limit=MAX_BODY, required=False)
    priority = _check_priority(priority or service.default_priority)
    external_ref = _clean_text(external_ref, field="external_ref", limit=200, required=False)

    if customer_team is None:
        customer_team = default_customer_team(requester)
    elif not (
        acting_for_someone
        or viewer.is_admin
        or Membership.objects.filter(person=requester, team=customer_team).exists()
    ):
        raise InvalidInput(
            "You can only ask on behalf of a team you belong to.",
            fields={"customer_team": "Choose one of your own teams."},
        )
    if parent is not None and not policy.can_view_request(viewer, parent):
        raise InvalidInput("Unknown parent request.", fields={"parent": "No such request."})

    agreement = applicable_agreement(service, customer_team)
    files = dict(files or {})
    checked = check_answers(
        service.form_fields.all(),
        form_answers or {},
        uploaded_file_keys=files.keys(),
        also_required=agreement.customer_obligations if agreement else (),
    )
    if checked.errors:
        raise InvalidInput("Some answers need fixing.", fields=checked.errors)
    stored_files = store_files(files[key].stream for key in checked.file_fields)
    stored = {
        key: (files[key], stored_file)
        for key, stored_file in zip(checked.file_fields, stored_files, strict=True)
    }

    now = timezone.now()
    request = Request(
        service=service,
        provider_team=service.provider_team,
        agreement=agreement,
        requester=requester,
        customer_team=customer_team,
        subject=subject,
        description=description,
        form_answers=checked.values,
        priority=priority,
        confidential=service.confidential,
        parent=parent,
        external_ref=external_ref,
        channel=channel,
        created_at=now,
        updated_at=now,
    )
    # Planned before the write transaction so the database lock is held briefly.
    planned_clocks = clocks.plan_clocks(request, at=now)
    with files_kept_on_success(stored_files), transaction.atomic():
        reference = _next_reference(service.provider_team)
        request.reference = reference
        request.save(force_insert=True)
        RequestReference.objects.create(
            request=request, reference=reference, team=service.provider_team, created_at=now
        )
        TeamHolding.objects.create(request=request, team=service.provider_team, started_at=now)
        clocks.start_clocks(request, planned_clocks)
        _record(
            request,
            actor,
            EventKind.CREATED,
            {
                "service": service.slug,
                "priority": priority,
                "channel": channel,
                "reference": reference,
                **({"on_behalf_of": requester.pk} if acting_for_someone else {}),
            },
            at=now,
        )
        for key, (upload, stored_file) in stored.items():
            attachment = _create_attachment(
                request, actor, upload, stored_file, comment=None, at=now
            )
            request.form_answers[key] = attachment.pk
        if stored:
            request.save(update_fields=["form_answers"])
    return request


def submission_digest(**inputs: Any) -> str:
    """A fingerprint of a submission's inputs, to tell a retry from a different request."""
    encoded = json.dumps(inputs, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def submit_request_once(
    *, idempotency_key: str, actor: Person, digest: str, **submission: Any
) -> tuple[Request, bool]:
    """``submit_request`` that a client may retry with the same key.

    Returns the request and whether it was created now (False: the first
    result is returned again). The same key with different inputs is refused.
    """
    key = idempotency_key.strip()
    if not key or len(key) > 200:
        raise InvalidInput(
            "Idempotency-Key must be 1 to 200 characters.",
            fields={"Idempotency-Key": "1 to 200 characters."},
        )

    def earlier() -> tuple[Request, bool] | None:
        record = (
            IdempotencyRecord.objects.select_related("request")
            .filter(person=actor, key=key)
            .first()
        )
        if record is None:
            return None
        if record.body_digest != digest:
            raise IdempotencyMismatch(
                "This Idempotency-Key was already used with a different request body."
            )
        return record.request, False

    try:
        with transaction.atomic():
            found = earlier()
            if found:
                return found
            request = submit_request(actor=actor, **submission)
            IdempotencyRecord.objects.create(
                person=actor, key=key, body_digest=digest, request=request
            )
            return request, True
    except IntegrityError:
        # Two retries raced; the one that lost rolled back entirely.
        found = earlier()
        if found:
            return found
        raise


# --- conversation -------------------------------------------------------------------


def add_comment(
    *,
    actor: Person,
    request: Request,
    body: str,
    public: bool = True,
    channel: str = Channel.PORTAL,
    attachments: Sequence[Upload] = (),
) -> Comment:
    """Add a public reply or an internal note.

    The provider's first public reply stops the first-response clock and moves a
    new request into progress; the requester's reply to a request waiting on
    them moves it back into progress and resumes the resolution clock.
    """
    viewer = _require_view(actor, request)
    works_it = policy.can_work_request(viewer, request)
    if not public and not works_it:
        raise PermissionDenied(
            "Only agents of the team handling this request can add internal notes."
        )
    body = _clean_text(body, field="body", limit=MAX_BODY, required=True)
    stored_files = store_files(upload.stream for upload in attachments)
    stored = list(zip(attachments, stored_files, strict=True))
    now = timezone.now()
    with files_kept_on_success(stored_files), transaction.atomic():
        request = _lock(request, None, viewer=viewer, work=not public)
        comment = Comment.objects.create(
            request=request,
            author=actor,
            body=body,
            is_public=public,
            by_provider=works_it,
            channel=channel,
            created_at=now,
        )
        for upload, stored_file in stored:
            _create_attachment(request, actor, upload, stored_file, comment=comment, at=now)
        _record(
            request,
            actor,
            EventKind.COMMENTED,
            {"comment": comment.pk, "public": public},
            at=now,
            public=public,
        )
        notifications.notify_reply(request, actor=actor, public=public)
        changed: list[str] = []
        if public and works_it and request.first_responded_at is None:
            _mark_first_response(request, actor, at=now)
            changed.append("first_responded_at")
        if (
            public
            and works_it
            and request.status == Status.NEW
            or (
                public
                and request.status == Status.WAITING_ON_CUSTOMER
                and actor.pk == request.requester_id
            )
        ):
            _apply_status(request, actor, Status.IN_PROGRESS, at=now)
            changed.append("status")
        if changed:
            clocks.refresh_request_sla_fields(request)
            _save_changed(
                request,
                [*changed, "resolution_due_at", "sla_breached", "resolved_at", "closed_at"],
                at=now,
            )
        else:
            Request.objects.filter(pk=request.pk).update(updated_at=now)
    return comment


def _mark_first_response(request: Request, actor: Person, *, at: datetime) -> None:
    request.first_responded_at = at
    clocks.stop_clock(request, ClockKind.FIRST_RESPONSE, at=at)
    _record(request, actor, EventKind.FIRST_RESPONSE, at=at)


def _create_attachment(
    request: Request,
    actor: Person,
    upload: Upload,
    stored_file: Any,
    *,
    comment: Comment | None,
    at: datetime,
) -> Attachment:
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
    _record(
        request,
        actor,
        EventKind.ATTACHED,
        {"attachment": attachment.pk, "size": attachment.size, "sha256": attachment.sha256},
        at=at,
        public=comment.is_public if comment else True,
    )
    return attachment


def add_attachment(*, actor: Person, request: Request, upload: Upload) -> Attachment:
    viewer = _require_view(actor, request)
    stored_file = store_file(upload.stream)
    now = timezone.now()
    with files_kept_on_success([stored_file]), transaction.atomic():
        request = _lock(request, None, viewer=viewer)
        attachment = _create_attachment(request, actor, upload, stored_file, comment=None, at=now)
        Request.objects.filter(pk=request.pk).update(updated_at=now)
    return attachment


# --- lifecycle --------------------------------------------------------------------------


def _apply_status(request: Request, actor: Person | None, to: str, *, at: datetime) -> None:
    """Move the status and the clocks; the caller locks, saves and checks permission."""
    before = request.status
    if before == Status.WAITING_ON_CUSTOMER:
        clocks.resume_clock(request, ClockKind.RESOLUTION, at=at)
    if to == Status.WAITING_ON_CUSTOMER:
        clocks.pause_clock(request, ClockKind.RESOLUTION, at=at)
    elif to == Status.RESOLVED:
        clocks.stop_clock(request, ClockKind.FIRST_RESPONSE, at=at)
        clocks.stop_clock(request, ClockKind.RESOLUTION, at=at)
        request.resolved_at = at
    elif to == Status.CANCELLED:
        clocks.stop_clock(request, ClockKind.FIRST_RESPONSE, at=at)
        clocks.stop_clock(request, ClockKind.RESOLUTION, at=at)
    elif to == Status.CLOSED:
        request.closed_at = at
    elif to == Status.IN_PROGRESS and before == Status.RESOLVED:
        # Reopened: the resolution clock carries on with the time it had left.
        clocks.resume_clock(request, ClockKind.RESOLUTION, at=at)
        request.resolved_at = None
    request.status = to
    _record(request, actor, EventKind.STATUS_CHANGED, {"status": [before, to]}, at=at)
    notifications.notify_status(request, actor=actor, status_label=Status(to).label.lower())


def transition_request(
    *,
    actor: Person,
    request: Request,
    to: str,
    comment: str | None = None,
    expected_version: int | None = None,
    channel: str = Channel.PORTAL,
) -> Request:
    """Move a request along its lifecycle, optionally with a public comment."""
    viewer = _require_view(actor, request)
    if to not in Status.values:
        raise InvalidInput(
            "Unknown status.", fields={"to": f"Choose one of: {', '.join(Status.values)}."}
        )
    if comment is not None:
        comment = _clean_text(comment, field="comment", limit=MAX_BODY, required=False) or None
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request, expected_version, viewer=viewer)
        allowed = policy.transitions_for(viewer, request)
        if to not in allowed:
            if to in policy.TRANSITIONS[request.status] and not allowed:
                raise PermissionDenied("You cannot change the status of this request.")
            if to in policy.TRANSITIONS[request.status]:
                raise PermissionDenied(
                    f"You cannot move this request to '{to}'. You may: {', '.join(allowed)}."
                )
            raise TransitionNotAllowed(current=request.status, requested=to, allowed=allowed)
        if to == Status.RESOLVED:
            open_blockers = list(
                Request.objects.filter(
                    blocks_links__blocked=request, status__in=OPEN_STATUSES
                ).values_list("reference", flat=True)
            )
            if open_blockers:
                raise Conflict(
                    f"This request is blocked by open requests: {', '.join(open_blockers)}. "
                    "Resolve them or remove the dependency first."
                )
        if comment:
            works_it = policy.can_work_request(viewer, request)
            posted = Comment.objects.create(
                request=request,
                author=actor,
                body=comment,
                is_public=True,
                by_provider=works_it,
                channel=channel,
                created_at=now,
            )
            _record(
                request, actor, EventKind.COMMENTED, {"comment": posted.pk, "public": True}, at=now
            )
            notifications.notify_reply(request, actor=actor, public=True)
            if works_it and request.first_responded_at is None:
                _mark_first_response(request, actor, at=now)
        _apply_status(request, actor, to, at=now)
        clocks.refresh_request_sla_fields(request)
        _save_changed(
            request,
            [
                "status",
                "resolved_at",
                "closed_at",
                "first_responded_at",
                "resolution_due_at",
                "sla_breached",
            ],
            at=now,
        )
    return request


# --- fields -----------------------------------------------------------------------------

UNCHANGED: Any = object()


def update_request(
    *,
    actor: Person,
    request: Request,
    expected_version: int | None,
    assignee: Person | None = UNCHANGED,
    priority: str = UNCHANGED,
    external_ref: str = UNCHANGED,
    blocked_by: Sequence[Request] = UNCHANGED,
) -> Request:
    """Change the request's working fields; only agents of the provider team may.

    ``blocked_by`` replaces the set of requests this one waits for, as far as the
    caller can see them: blockers hidden from the caller are kept.
    """
    viewer = _require_work(actor, request)
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request, expected_version, viewer=viewer, work=True)
        changed: list[str] = []
        if assignee is not UNCHANGED and assignee != request.assignee:
            if assignee is not None and not policy.can_be_assignee(assignee, request):
                raise InvalidInput(
                    "The assignee must be an active agent of the team handling the request.",
                    fields={"assignee": "Not an agent of this team."},
                )
            _record(
                request,
                actor,
                EventKind.ASSIGNED,
                {"assignee": [request.assignee_id, assignee.pk if assignee else None]},
                at=now,
            )
            request.assignee = assignee
            changed.append("assignee")
            if assignee is not None:
                notifications.notify_assigned(request, actor=actor)
        if priority is not UNCHANGED and priority != request.priority:
            priority = _check_priority(priority)
            _record(
                request,
                actor,
                EventKind.PRIORITY_CHANGED,
                {"priority": [request.priority, priority]},
                at=now,
            )
            request.priority = priority
            clocks.retarget_clocks(request)
            clocks.refresh_request_sla_fields(request)
            changed += ["priority", "resolution_due_at", "sla_breached"]
        if external_ref is not UNCHANGED and external_ref != request.external_ref:
            external_ref = _clean_text(
                external_ref, field="external_ref", limit=200, required=False
            )
            _record(
                request,
                actor,
                EventKind.EXTERNAL_REF_CHANGED,
                {"external_ref": [request.external_ref, external_ref]},
                at=now,
            )
            request.external_ref = external_ref
            changed.append("external_ref")
        if blocked_by is not UNCHANGED:
            _replace_blockers(viewer, actor, request, blocked_by, at=now)
        if changed:
            _save_changed(request, changed, at=now)
        elif blocked_by is not UNCHANGED:
            _save_changed(request, [], at=now)
    return request


def _replace_blockers(
    viewer: policy.Viewer,
    actor: Person,
    request: Request,
    blockers: Sequence[Request],
    *,
    at: datetime,
) -> None:
    wanted = {blocker.pk: blocker for blocker in blockers}
    for blocker in wanted.values():
        if not policy.can_view_request(viewer, blocker):
            raise InvalidInput(
                "Unknown request in blocked_by.", fields={"blocked_by": "No such request."}
            )
        if blocker.pk == request.pk:
            raise InvalidInput(
                "A request cannot block itself.",
                fields={"blocked_by": "A request cannot block itself."},
            )
    current = set(Dependency.objects.filter(blocked=request).values_list("blocker_id", flat=True))
    # The caller replaces the blockers they can see; ones they cannot see (another
    # team's confidential case, say) are not theirs to remove, and stay.
    removable = set(
        Request.objects.filter(pk__in=current)
        .filter(policy.visible_requests_q(viewer))
        .values_list("pk", flat=True)
    )
    for blocker_id in removable - wanted.keys():
        Dependency.objects.filter(blocker_id=blocker_id, blocked=request).delete()
        _record(request, actor, EventKind.DEPENDENCY_REMOVED, {"blocked_by": blocker_id}, at=at)
    for blocker_id in wanted.keys() - current:
        if _would_cycle(blocker_id=blocker_id, blocked_id=request.pk):
            raise Conflict(
                f"{wanted[blocker_id].reference} already waits for {request.reference}; "
                "linking them the other way would make a cycle."
            )
        Dependency.objects.create(blocker_id=blocker_id, blocked=request, created_at=at)
        _record(request, actor, EventKind.DEPENDENCY_ADDED, {"blocked_by": blocker_id}, at=at)


def add_blocker(
    *, actor: Person, request: Request, blocker: Request, expected_version: int | None
) -> Request:
    """Record that ``request`` waits for ``blocker``; only the provider's agents may.

    The blocker must be a request the caller can see; a link that would close a
    cycle, or that exists already, is refused.
    """
    viewer = _require_work(actor, request)
    if not policy.can_view_request(viewer, blocker):
        raise InvalidInput("Unknown request.", fields={"blocker": "No such request."})
    if blocker.pk == request.pk:
        raise InvalidInput(
            "A request cannot block itself.", fields={"blocker": "A request cannot block itself."}
        )
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request, expected_version, viewer=viewer, work=True)
        if Dependency.objects.filter(blocker=blocker, blocked=request).exists():
            raise InvalidInput(
                f"{blocker.reference} already blocks {request.reference}.",
                fields={"blocker": f"{blocker.reference} already blocks this request."},
            )
        if _would_cycle(blocker_id=blocker.pk, blocked_id=request.pk):
            raise Conflict(
                f"{blocker.reference} already waits for {request.reference}; "
                "linking them the other way would make a cycle."
            )
        Dependency.objects.create(blocker=blocker, blocked=request, created_at=now)
        _record(request, actor, EventKind.DEPENDENCY_ADDED, {"blocked_by": blocker.pk}, at=now)
        _save_changed(request, [], at=now)
    return request


def remove_blocker(
    *, actor: Person, request: Request, blocker: Request, expected_version: int | None
) -> Request:
    """Stop ``request`` waiting for ``blocker``; only the provider's agents may.

    A blocker the caller cannot see is reported exactly like one that is not linked,
    so the answer never tells that a hidden request blocks this one.
    """
    viewer = _require_work(actor, request)
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request, expected_version, viewer=viewer, work=True)
        link = Dependency.objects.filter(blocker=blocker, blocked=request)
        if not policy.can_view_request(viewer, blocker) or not link.exists():
            raise InvalidInput(
                "That request does not block this one.",
                fields={"blocker": "Not a blocker of this request."},
            )
        link.delete()
        _record(request, actor, EventKind.DEPENDENCY_REMOVED, {"blocked_by": blocker.pk}, at=now)
        _save_changed(request, [], at=now)
    return request


def _would_cycle(*, blocker_id: int, blocked_id: int) -> bool:
    """True if ``blocked`` already (transitively) blocks ``blocker``."""
    frontier = {blocked_id}
    seen: set[int] = set()
    while frontier:
        if blocker_id in frontier:
            return True
        seen |= frontier
        frontier = (
            set(
                Dependency.objects.filter(blocker_id__in=frontier).values_list(
                    "blocked_id", flat=True
                )
            )
            - seen
        )
    return False


def add_watcher(*, actor: Person, request: Request, watcher: Person) -> None:
    """Requesters and agents can bring a colleague in; they then see the request."""
    viewer = _require_view(actor, request)
    if not (viewer.person_id == request.requester_id or policy.can_work_request(viewer, request)):
        raise PermissionDenied("Only the requester or the provider's agents can add watchers.")
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request, None, viewer=viewer)
        if not request.watchers.filter(pk=watcher.pk).exists():
            request.watchers.add(watcher)
            _record(request, actor, EventKind.WATCHER_ADDED, {"watcher": watcher.pk}, at=now)


def transfer_request(
    *,
    actor: Person,
    request: Request,
    service: Service,
    expected_version: int | None,
    note: str = "",
) -> Request:
    """Hand the request to another service, usually of another team.

    It takes a reference from the new team and keeps its old ones, the span each
    team held it is recorded, the agreement is looked up again and the clocks
    are recomputed from their start, keeping the paused time.
    """
    viewer = _require_work(actor, request)
    if not service.is_active:
        raise InvalidInput("That service is not active.", fields={"service": "Not active."})
    note = _clean_text(note, field="note", limit=MAX_BODY, required=False)
    now = timezone.now()
    with transaction.atomic():
        request = _lock(request, expected_version, viewer=viewer, work=True)
        if not request.is_open:
            raise Conflict("Only an open request can be transferred.")
        if service.pk == request.service_id:
            raise InvalidInput(
                "The request already belongs to that service.", fields={"service": "Same service."}
            )
        old_team_id, old_service, old_reference = (
            request.provider_team_id,
            request.service,
            request.reference,
        )
        changed = ["service", "agreement", "confidential", "resolution_due_at", "sla_breached"]
        if service.provider_team_id != old_team_id:
            TeamHolding.objects.filter(request=request, ended_at__isnull=True).update(ended_at=now)
            TeamHolding.objects.create(request=request, team=service.provider_team, started_at=now)
            request.reference = _next_reference(service.provider_team)
            RequestReference.objects.create(
                request=request,
                reference=request.reference,
                team=service.provider_team,
                created_at=now,
            )
            request.provider_team = service.provider_team
            request.assignee = None
            changed += ["reference", "provider_team", "assignee"]
        request.service = service
        # A request never silently loses its confidentiality by moving.
        request.confidential = request.confidential or service.confidential
        request.agreement = applicable_agreement(service, request.customer_team)
        clocks.retarget_clocks(request)
        clocks.refresh_request_sla_fields(request)
        _record(
            request,
            actor,
            EventKind.TRANSFERRED,
            {
                "service": [old_service.slug, service.slug],
                "provider_team": [old_team_id, service.provider_team_id],
                "reference": [old_reference, request.reference],
            },
            at=now,
        )
        if note:
            # Why it moved is for the agents of both teams, not for the requester.
            handover = Comment.objects.create(
                request=request, author=actor, body=note, is_public=False, by_provider=True,
                created_at=now,
            )  # fmt: skip
            _record(
                request, actor, EventKind.COMMENTED, {"comment": handover.pk, "public": False},
                at=now, public=False,
            )  # fmt: skip
        _save_changed(request, changed, at=now)
    return request
