"""What a request is linked to: the requests it waits for, its watchers, and the
external outcome (a deal, account or case) it serves."""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from inhouse import policy
from inhouse.core.errors import Conflict, InvalidInput, PermissionDenied
from inhouse.desk import events
from inhouse.desk.models import Dependency, Request
from inhouse.desk.services._common import (
    MAX_EXTERNAL_REF,
    clean_text,
    lock,
    require_view,
    require_work,
    save_changed,
)
from inhouse.org.models import Person


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


def _link(actor: Person, request: Request, blocker: Request, *, at: datetime) -> None:
    """Make ``request`` wait for ``blocker``, unless that closes a cycle."""
    if _would_cycle(blocker_id=blocker.pk, blocked_id=request.pk):
        raise Conflict(
            f"{blocker.reference} already waits for {request.reference}; "
            "linking them the other way would make a cycle."
        )
    Dependency.objects.create(blocker=blocker, blocked=request, created_at=at)
    events.record(
        request,
        events.dependency_added(
            request_id=request.pk, actor_id=actor.pk, at=at, blocker_id=blocker.pk
        ),
    )


def _unlink(actor: Person, request: Request, blocker_id: int, *, at: datetime) -> None:
    Dependency.objects.filter(blocker_id=blocker_id, blocked=request).delete()
    events.record(
        request,
        events.dependency_removed(
            request_id=request.pk, actor_id=actor.pk, at=at, blocker_id=blocker_id
        ),
    )


def replace_blockers(
    viewer: policy.Viewer,
    actor: Person,
    request: Request,
    blockers: Sequence[Request],
    *,
    at: datetime,
) -> None:
    """Make the blockers the caller can see exactly ``blockers`` (``update_request``'s
    ``blocked_by``); the caller holds the request's lock."""
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
    # In a stable order, so the history reads the same on every database: removals by
    # id, additions as the caller listed them.
    for blocker_id in sorted(removable - wanted.keys()):
        _unlink(actor, request, blocker_id, at=at)
    for blocker_id, blocker in wanted.items():
        if blocker_id not in current:
            _link(actor, request, blocker, at=at)


def add_blocker(
    *, actor: Person, request: Request, blocker: Request, expected_version: int | None
) -> Request:
    """Record that ``request`` waits for ``blocker``; only the provider's agents may.

    The blocker must be a request the caller can see; a link that would close a
    cycle, or that exists already, is refused.
    """
    viewer = require_work(actor, request)
    if not policy.can_view_request(viewer, blocker):
        raise InvalidInput("Unknown request.", fields={"blocker": "No such request."})
    if blocker.pk == request.pk:
        raise InvalidInput(
            "A request cannot block itself.", fields={"blocker": "A request cannot block itself."}
        )
    now = timezone.now()
    with transaction.atomic():
        request = lock(request, expected_version, viewer=viewer, work=True)
        if Dependency.objects.filter(blocker=blocker, blocked=request).exists():
            raise InvalidInput(
                f"{blocker.reference} already blocks {request.reference}.",
                fields={"blocker": f"{blocker.reference} already blocks this request."},
            )
        _link(actor, request, blocker, at=now)
        save_changed(request, [], at=now)
    return request


def remove_blocker(
    *, actor: Person, request: Request, blocker: Request, expected_version: int | None
) -> Request:
    """Stop ``request`` waiting for ``blocker``; only the provider's agents may.

    A blocker the caller cannot see is reported exactly like one that is not linked,
    so the answer never tells that a hidden request blocks this one.
    """
    viewer = require_work(actor, request)
    now = timezone.now()
    with transaction.atomic():
        request = lock(request, expected_version, viewer=viewer, work=True)
        linked = Dependency.objects.filter(blocker=blocker, blocked=request).exists()
        if not policy.can_view_request(viewer, blocker) or not linked:
            raise InvalidInput(
                "That request does not block this one.",
                fields={"blocker": "Not a blocker of this request."},
            )
        _unlink(actor, request, blocker.pk, at=now)
        save_changed(request, [], at=now)
    return request


def change_external_ref(
    actor: Person, request: Request, external_ref: str, *, at: datetime
) -> None:
    """Point the request at another external outcome (the caller locks and saves)."""
    external_ref = clean_text(
        external_ref, field="external_ref", limit=MAX_EXTERNAL_REF, required=False
    )
    events.record(
        request,
        events.external_ref_changed(
            request_id=request.pk,
            actor_id=actor.pk,
            at=at,
            before=request.external_ref,
            after=external_ref,
        ),
    )
    request.external_ref = external_ref


def add_watcher(*, actor: Person, request: Request, watcher: Person) -> None:
    """Requesters and agents can bring a colleague in; they then see the request."""
    viewer = require_view(actor, request)
    if not (viewer.person_id == request.requester_id or policy.can_work_request(viewer, request)):
        raise PermissionDenied("Only the requester or the provider's agents can add watchers.")
    now = timezone.now()
    with transaction.atomic():
        request = lock(request, None, viewer=viewer)
        if not request.watchers.filter(pk=watcher.pk).exists():
            request.watchers.add(watcher)
            events.record(
                request,
                events.watcher_added(
                    request_id=request.pk, actor_id=actor.pk, at=now, watcher_id=watcher.pk
                ),
            )
            events.save_chain_head(request)
