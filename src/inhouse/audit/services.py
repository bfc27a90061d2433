"""Writing audit records: one function, called by every door and service that audits."""

from collections.abc import Mapping
from typing import Any

from inhouse.audit.models import AuditAction, AuditRecord
from inhouse.core.correlation import current_correlation_id
from inhouse.org.models import Person


def record_audit(
    action: AuditAction,
    *,
    actor: Person | None,
    target_kind: str,
    target_id: object = "",
    target_label: str = "",
    detail: str = "",
    door: str = "",
    data: Mapping[str, Any] | None = None,
) -> AuditRecord:
    """Store one audit record, tagged with the correlation id of the HTTP request being served.

    Call it outside (after) the transaction of the act it describes when that act may
    be rolled back, as a refused change is: a record written inside would vanish with it.
    """
    return AuditRecord.objects.create(
        actor=actor,
        action=action.value,
        target_kind=target_kind,
        target_id=str(target_id),
        target_label=target_label[:200],
        detail=detail,
        door=door,
        correlation_id=current_correlation_id() or "",
        data=dict(data or {}),
    )
