"""What the desk adds to the audit: every look at a confidential request, and requests by id.

Each door that shows a confidential request (the portal and workspace pages, the
API's detail, conversation, history, file list and downloads) calls
``record_confidential_view`` once per response: one INSERT, and nothing at all for
a request that is not confidential. The record says who looked at which request
and what they looked at, never what it holds.
"""

from collections.abc import Mapping
from dataclasses import replace

from inhouse import policy
from inhouse.audit.models import AuditAction, AuditDoor
from inhouse.audit.refusals import AuditTarget
from inhouse.audit.refusals import target_named_by as target_named_by_address
from inhouse.audit.services import record_audit
from inhouse.desk.models import Request, RequestReference
from inhouse.org.models import Person

# The doors name their door with the audit's own words.
__all__ = ["AuditDoor", "record_confidential_view", "target_named_by"]


def record_confidential_view(
    viewer: Person | policy.Viewer,
    request: Request,
    *,
    door: AuditDoor,
    what: str,
    data: Mapping[str, object] | None = None,
) -> None:
    """Audit that ``viewer`` was shown ``what`` of ``request``, if it is confidential."""
    if not request.confidential:
        return
    record_audit(
        AuditAction.CONFIDENTIAL_VIEW,
        actor=viewer.person if isinstance(viewer, policy.Viewer) else viewer,
        target_kind="request",
        target_id=request.pk,
        target_label=request.reference,
        detail=what,
        door=door.value,
        data=data,
    )


def target_named_by(address: Mapping[str, object], *, namespace: str) -> AuditTarget:
    """The object an address names, a request with its id so that every record about
    one request (its views, its refusals, under any reference it carried) is found by id."""
    target = target_named_by_address(address, namespace=namespace)
    if target.kind != "request" or target.id:
        return target
    request_id = (
        RequestReference.objects.filter(reference=target.label)
        .values_list("request_id", flat=True)
        .first()
    )
    return replace(target, id=str(request_id)) if request_id is not None else target
