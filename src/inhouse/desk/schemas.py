from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from inhouse.core.schemas import PersonRef, StrictSchema, TeamRef


class ServiceRef(Schema):
    slug: str
    name: str


class RequestLink(Schema):
    reference: str
    subject: str
    status: str


class ClockOut(Schema):
    kind: str
    target_minutes: int
    started_at: datetime
    due_at: datetime | None
    remaining_seconds: int
    paused: bool
    paused_seconds: int
    stopped_at: datetime | None
    breached: bool
    breached_at: datetime | None
    at_risk: bool


class RequestOut(Schema):
    reference: str
    subject: str
    status: str
    priority: str
    service: ServiceRef
    provider_team: TeamRef
    customer_team: TeamRef | None
    requester: PersonRef
    assignee: PersonRef | None
    confidential: bool
    external_ref: str
    channel: str
    created_at: datetime
    updated_at: datetime
    resolution_due_at: datetime | None
    sla_breached: bool
    version: int


class RequestDetailOut(RequestOut):
    description: str
    form_answers: dict[str, Any]
    first_responded_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    parent: RequestLink | None
    references: list[str]
    clocks: list[ClockOut]
    allowed_transitions: list[str]
    blocked_by: list[RequestLink]
    blocks: list[RequestLink]
    watchers: list[PersonRef]


class RequestPage(Schema):
    items: list[RequestOut]
    next_cursor: str | None


class RequestIn(StrictSchema):
    """A new request. ``priority``, ``impact``, ``urgency``, ``customer_team``,
    ``external_ref`` and ``requester`` are standard fields: one the service does not
    offer (its ``offered_fields``) is a 400 naming it."""

    service: str = Field(..., max_length=100, description="Service slug")
    subject: str = Field(..., max_length=300)
    description: str = Field("", max_length=100_000)
    form_answers: dict[str, Any] = Field(default_factory=dict, max_length=200)
    priority: str | None = Field(
        None, max_length=20, description="Where the service lets the requester choose it"
    )
    impact: str | None = Field(
        None,
        max_length=20,
        description="high, medium or low: where the service asks it, with urgency, for the "
        "ITIL priority matrix",
    )
    urgency: str | None = Field(None, max_length=20, description="high, medium or low; see impact")
    customer_team: str | None = Field(None, max_length=80, description="Team slug; default: yours")
    external_ref: str = Field("", max_length=200, description="Deal, account or case id served")
    parent: str | None = Field(None, max_length=24, description="Reference of a parent request")
    requester: str | None = Field(
        None, max_length=254, description="Username or email, for agents filing for someone"
    )


class RequestPatch(StrictSchema):
    assignee: str | int | None = Field(None, description="Username, email or id; null unassigns")
    priority: str | None = Field(None, max_length=20)
    external_ref: str | None = Field(None, max_length=200)
    blocked_by: list[str] | None = Field(
        None, max_length=100, description="References this request waits for (replaces the set)"
    )


class TransitionIn(StrictSchema):
    to: str = Field(..., max_length=30)
    comment: str | None = Field(None, max_length=100_000)


class TransferIn(StrictSchema):
    service: str = Field(..., max_length=100)
    note: str = Field("", max_length=100_000)


class CommentIn(StrictSchema):
    body: str = Field(..., max_length=100_000, description="Markdown")
    public: bool = True


class CommentOut(Schema):
    id: int
    author: PersonRef | None
    body: str
    body_html: str
    public: bool
    by_provider: bool
    channel: str
    created_at: datetime


class CommentPage(Schema):
    items: list[CommentOut]
    next_cursor: str | None


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str
    created_at: datetime
    download_url: str


class EventOut(Schema):
    id: int
    kind: str
    actor: PersonRef | None
    data: dict[str, Any]
    created_at: datetime


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: str | None
