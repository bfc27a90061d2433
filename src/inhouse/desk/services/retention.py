"""Retention of confidential cases, and the legal hold that suspends it.

A confidential service may set ``retention_days``: its requests are removed that
many days after they ended (closed, or cancelled), with their comments, files,
history, clocks and notices, unless they are on legal hold. Each removal is
audited by kind, id, reference and service, never by its text, so the audit
says that a case existed and when it went without keeping what it said.

A legal hold is placed and lifted by the leads of the team handling the
request, or an org admin, with a reason; each change is in the request's
history (internal) and in the audit.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from inhouse import policy
from inhouse.audit.models import AuditAction
from inhouse.audit.services import record_audit
from inhouse.catalog.models import Service
from inhouse.core.errors import Conflict, InvalidInput, PermissionDenied
from inhouse.desk import events
from inhouse.desk.models import EventKind, Request, RequestEvent, Status
from inhouse.desk.services._common import lock
from inhouse.desk.services.erasure import remove_files_after_commit
from inhouse.org.models import Person

MAX_HOLD_REASON = 500
# Statuses a case never leaves: its retention period counts from when it got there.
ENDED_STATUSES = (Status.CLOSED, Status.CANCELLED)


# --- legal hold ----------------------------------------------------------------------------


def set_legal_hold(
    *, actor: Person, request: Request, hold: bool, reason: str = "", door: str = ""
) -> Request:
    """Place (``hold``) or lift the legal hold of a request; returns the updated request.

    Only the leads of the team handling the request and org admins may; anyone who
    cannot see the request is told it does not exist. Placing needs a reason.
    """
    reason = reason.strip()
    if hold and not reason:
        raise InvalidInput("Say why the case is held.", fields={"reason": "Give a reason."})
    if len(reason) > MAX_HOLD_REASON:
        raise InvalidInput(
            "The reason is too long.",
            fields={"reason": f"Keep it under {MAX_HOLD_REASON} characters."},
        )
    viewer = policy.viewer_for(actor)
    with transaction.atomic():
        locked = lock(request, None, viewer=viewer)
        if not policy.can_manage_team(viewer, locked.provider_team):
            raise PermissionDenied(
                "Only the leads of the team handling this request, or an org admin, "
                "can change its legal hold."
            )
        if locked.legal_hold == hold:
            raise Conflict(
                "The request is already on legal hold."
                if hold
                else "The request is not on legal hold."
            )
        now = timezone.now()
        locked.legal_hold = hold
        locked.legal_hold_by = actor if hold else None
        locked.legal_hold_at = now if hold else None
        locked.legal_hold_reason = reason if hold else ""
        # Not a change a client edits, so no new version: an agent's open form stays valid.
        events.record(
            locked,
            events.legal_hold_changed(
                request_id=locked.pk, actor_id=actor.pk, at=now, before=not hold, after=hold
            ),
        )
        locked.save(
            update_fields=[
                "legal_hold", "legal_hold_by", "legal_hold_at", "legal_hold_reason",
                *events.CHAIN_HEAD_FIELDS,
            ]
        )  # fmt: skip
        record_audit(
            AuditAction.LEGAL_HOLD_CHANGED,
            actor=actor,
            target_kind="request",
            target_id=locked.pk,
            target_label=locked.reference,
            detail="placed" if hold else "lifted",
            door=door,
            data={"legal_hold": hold, "reason": reason},
        )
    return locked


# --- retention -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiredCase:
    """A confidential case past its service's retention period: what the audit names."""

    request_id: int
    reference: str
    service: str
    ended_at: datetime
    retention_days: int


def _ended_at() -> Coalesce:
    """When the case ended: closing sets ``closed_at``; a cancellation is known from
    the history's last status change, which is the move into ``cancelled``."""
    last_status_change = (
        RequestEvent.objects.filter(request=OuterRef("pk"), kind=EventKind.STATUS_CHANGED)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return Coalesce("closed_at", Subquery(last_status_change))


def _removable() -> QuerySet[Request]:
    """Confidential cases that ended and are not held; their age is checked per service."""
    return Request.objects.filter(confidential=True, status__in=ENDED_STATUSES, legal_hold=False)


def expired_cases(*, now: datetime) -> list[ExpiredCase]:
    """Every case ``apply_retention`` would remove at ``now``, oldest first per service.

    One query per service that sets a retention period, whatever the number of cases.
    """
    expired = []
    for service_id, slug, retention_days in (
        Service.objects.filter(retention_days__isnull=False)
        .order_by("pk")
        .values_list("pk", "slug", "retention_days")
    ):
        if retention_days is None:  # for the type checker: the filter leaves none
            continue
        rows = (
            _removable()
            .filter(service_id=service_id)
            .annotate(ended=_ended_at())
            .filter(ended__lt=now - timedelta(days=retention_days))
            .order_by("ended", "pk")
            .values_list("pk", "reference", "ended")
        )
        expired += [
            ExpiredCase(
                request_id=pk,
                reference=reference,
                service=slug,
                ended_at=ended,
                retention_days=retention_days,
            )
            for pk, reference, ended in rows
        ]
    return expired


def apply_retention(*, now: datetime, dry_run: bool = False, door: str = "") -> list[ExpiredCase]:
    """Remove every confidential case past its retention period and not on legal hold.

    Each case goes in its own transaction with its audit record, and its files are
    unlinked after that commits. The row is re-read under a lock first, so a hold
    placed meanwhile saves it and two workers running at once remove (and audit)
    each case once. Returns the cases removed, or with ``dry_run`` those that would be.
    """
    candidates = expired_cases(now=now)
    if dry_run:
        return candidates
    removed = []
    for case in candidates:
        with transaction.atomic():
            locked = _removable().select_for_update().filter(pk=case.request_id).first()
            if locked is None:
                continue
            stored_names = list(locked.attachments.values_list("stored_name", flat=True))
            locked.delete()
            remove_files_after_commit(stored_names)
            record_audit(
                AuditAction.RETENTION_REMOVED,
                actor=None,
                target_kind="request",
                target_id=case.request_id,
                target_label=case.reference,
                detail=f"{case.retention_days} days after it ended",
                door=door,
                data={
                    "service": case.service,
                    "ended_at": case.ended_at.isoformat(),
                    "retention_days": case.retention_days,
                },
            )
        removed.append(case)
    return removed
