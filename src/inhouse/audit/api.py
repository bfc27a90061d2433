"""The audit over HTTP, for org admins: ``GET /api/v1/audit``, newest first."""

from datetime import datetime
from typing import Any

from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from inhouse.audit.selectors import may_read_audit, page_of_audit_records, read_audit_filters
from inhouse.core.errors import PermissionDenied
from inhouse.core.schemas import ErrorOut, PersonRef
from inhouse.org.auth import CallerRequest

router = Router(tags=["audit"])


class AuditQuery(Schema):
    """The filters of the admin's audit page, with the same meaning."""

    model_config = ConfigDict(extra="forbid")

    action: str | None = Field(None, max_length=40, description="refused_change, …")
    actor: str | None = Field(
        None,
        max_length=200,
        description="Person id, username or email; 'none' for callers nobody could identify",
    )
    target_kind: str | None = Field(None, max_length=40, description="request, team, …")
    target: str | None = Field(
        None, max_length=200, description="The object's id or label (a reference, a slug)"
    )
    since: str | None = Field(None, max_length=10, description="First day, YYYY-MM-DD")
    until: str | None = Field(None, max_length=10, description="Last day, YYYY-MM-DD")
    correlation_id: str | None = Field(
        None, max_length=64, description="The X-Correlation-ID of the HTTP request audited"
    )
    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(50, ge=1, le=200)


class AuditRecordOut(Schema):
    id: int
    occurred_at: datetime
    action: str
    actor: PersonRef | None
    target_kind: str
    target_id: str
    target_label: str
    what: str = Field(description="The act in words, e.g. 'change the status of'")
    door: str = Field(description="api, web or cli")
    correlation_id: str
    data: dict[str, Any]


class AuditPage(Schema):
    items: list[AuditRecordOut]
    next_cursor: str | None


@router.get("", response={200: AuditPage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut})
def list_audit_records(request: CallerRequest, query: Query[AuditQuery]) -> AuditPage:
    """Audit records, newest first: refused changes and views of confidential requests.
    Org admins only; follow ``next_cursor`` for more."""
    if not may_read_audit(request.auth):
        raise PermissionDenied("Only org admins can read the audit.")
    filters = read_audit_filters(query.model_dump(exclude={"cursor", "limit"}, exclude_none=True))
    page = page_of_audit_records(filters, cursor=query.cursor, limit=query.limit)
    return AuditPage(
        items=[
            AuditRecordOut(
                id=record.pk,
                occurred_at=record.occurred_at,
                action=record.action,
                actor=PersonRef.model_validate(record.actor) if record.actor else None,
                target_kind=record.target_kind,
                target_id=record.target_id,
                target_label=record.target_label,
                what=record.detail,
                door=record.door,
                correlation_id=record.correlation_id,
                data=record.data,
            )
            for record in page.items
        ],
        next_cursor=page.next_cursor,
    )
