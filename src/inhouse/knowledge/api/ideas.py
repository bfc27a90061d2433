"""The ideas forum over HTTP (mounted at /api/v1/ideas): each endpoint parses, calls one
service or selector, and returns a schema. Every active caller sees every idea; an id
that names none is a 404, a change the caller may not make a 403."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field

from inhouse import policy
from inhouse.core.errors import InvalidInput
from inhouse.core.ids import DatabaseId
from inhouse.core.pagination import page_by_id
from inhouse.core.schemas import ErrorOut, PersonRef, StrictSchema, TeamRef
from inhouse.core.text import render_markdown
from inhouse.knowledge.models.ideas import Idea, IdeaComment
from inhouse.knowledge.selectors.ideas import (
    EVERYONE,
    comments_of,
    get_idea_for,
    history_of,
    page_of_ideas,
    read_idea_filters,
)
from inhouse.knowledge.services.ideas import (
    MAX_BODY,
    MAX_COMMENT,
    MAX_REASON,
    MAX_TITLE,
    comment_on_idea,
    may_set_status,
    propose_idea,
    remove_vote_for_idea,
    set_idea_status,
    vote_for_idea,
)
from inhouse.org.auth import CallerRequest
from inhouse.org.models import Team

router = Router(tags=["ideas"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut}

StatusName = Literal["new", "under_review", "planned", "done", "declined"]


class IdeaOut(Schema):
    id: int
    title: str
    body: str = Field(description="Markdown, as written")
    body_html: str = Field(description="The body rendered and sanitised")
    team: TeamRef | None = Field(description="The owning team; null: directed at everyone")
    proposer: PersonRef
    status: str = Field(description="new, under_review, planned, done or declined")
    status_reason: str = Field(description="The owning team's public reason for the status")
    status_changed_at: datetime | None
    vote_count: int
    comment_count: int
    voted: bool = Field(description="Whether the caller voted for it")
    created_at: datetime


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    reason: str
    actor: PersonRef | None
    created_at: datetime


class IdeaDetailOut(IdeaOut):
    may_set_status: bool = Field(description="Whether the caller may set its status")
    history: list[StatusChangeOut] = Field(description="Every status change, oldest first")


class IdeaPage(Schema):
    items: list[IdeaOut]
    next_cursor: str | None


class IdeaIn(StrictSchema):
    title: str = Field(..., max_length=MAX_TITLE)
    body: str = Field("", max_length=MAX_BODY, description="Markdown")
    team: str | None = Field(
        None, max_length=80, description="Slug of the team it is directed at; null: everyone"
    )


class IdeaCommentIn(StrictSchema):
    body: str = Field(..., max_length=MAX_COMMENT, description="Markdown")


class IdeaCommentOut(Schema):
    id: int
    author: PersonRef | None
    body: str
    body_html: str
    created_at: datetime


class IdeaCommentPage(Schema):
    items: list[IdeaCommentOut]
    next_cursor: str | None


class StatusIn(StrictSchema):
    status: StatusName
    reason: str = Field(..., max_length=MAX_REASON, description="Public; shown with the status")


class IdeaQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    sort: Literal["votes", "recent", "status"] = Field(
        "votes", description="Most votes first, newest first, or by status in lifecycle order"
    )
    team: str | None = Field(
        None, max_length=80, description=f"A team's slug, or '{EVERYONE}' for ideas to everyone"
    )
    status: StatusName | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(25, ge=1, le=100)


class PageQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(50, ge=1, le=200)


def _idea_out(idea: Idea) -> IdeaOut:
    return IdeaOut(**_fields_of(idea))


def _fields_of(idea: Idea) -> dict[str, Any]:
    return {
        "id": idea.pk,
        "title": idea.title,
        "body": idea.body,
        "body_html": render_markdown(idea.body),
        "team": TeamRef.model_validate(idea.owning_team) if idea.owning_team else None,
        "proposer": PersonRef.model_validate(idea.proposer),
        "status": idea.status,
        "status_reason": idea.status_reason,
        "status_changed_at": idea.status_changed_at,
        "vote_count": idea.vote_count,
        "comment_count": idea.comment_count,
        "voted": bool(getattr(idea, "voted", False)),
        "created_at": idea.created_at,
    }


def _detail(viewer: policy.Viewer, idea_id: int) -> IdeaDetailOut:
    idea = get_idea_for(viewer, idea_id)
    return IdeaDetailOut(
        **_fields_of(idea),
        may_set_status=may_set_status(viewer, idea),
        history=[
            StatusChangeOut(
                from_status=change.from_status,
                to_status=change.to_status,
                reason=change.reason,
                actor=PersonRef.model_validate(change.actor) if change.actor else None,
                created_at=change.created_at,
            )
            for change in history_of(idea)
        ],
    )


def _comment_out(comment: IdeaComment) -> IdeaCommentOut:
    return IdeaCommentOut(
        id=comment.pk,
        author=PersonRef.model_validate(comment.author) if comment.author else None,
        body=comment.body,
        body_html=render_markdown(comment.body),
        created_at=comment.created_at,
    )


def _owning_team(slug: str | None) -> Team | None:
    if slug is None:
        return None
    team = Team.objects.filter(slug=slug, is_active=True).first()
    if team is None:
        raise InvalidInput(f"Unknown team '{slug}'.", fields={"team": "No such team."})
    return team


@router.get("", response={200: IdeaPage, **READ_ERRORS})
def list_ideas(request: CallerRequest, query: Query[IdeaQuery]) -> IdeaPage:
    """Ideas sorted by ``votes`` (default), ``recent`` or ``status``, optionally for one
    ``team`` (or ``everyone``) and ``status``; follow ``next_cursor`` for more."""
    viewer = policy.viewer_for(request.auth)
    page = page_of_ideas(
        viewer,
        read_idea_filters(team=query.team, status=query.status),
        sort=query.sort,
        cursor=query.cursor,
        limit=query.limit,
    )
    return IdeaPage(items=[_idea_out(idea) for idea in page.items], next_cursor=page.next_cursor)


@router.post("", response={201: IdeaDetailOut, **WRITE_ERRORS})
def propose(
    request: CallerRequest, payload: IdeaIn, response: HttpResponse
) -> Status[IdeaDetailOut]:
    """Propose an idea to a team (``team``: its slug) or to everyone (no ``team``)."""
    idea = propose_idea(
        actor=request.auth,
        title=payload.title,
        body=payload.body,
        owning_team=_owning_team(payload.team),
    )
    response["Location"] = f"/api/v1/ideas/{idea.pk}"
    return Status(201, _detail(policy.viewer_for(request.auth), idea.pk))


@router.get("/{idea_id}", response={200: IdeaDetailOut, **READ_ERRORS})
def get_idea(request: CallerRequest, idea_id: DatabaseId) -> IdeaDetailOut:
    """One idea with its status history and whether the caller voted or may set its status."""
    return _detail(policy.viewer_for(request.auth), idea_id)


@router.put("/{idea_id}/vote", response={200: IdeaOut, **WRITE_ERRORS})
def vote(request: CallerRequest, idea_id: DatabaseId) -> IdeaOut:
    """Vote for the idea; voting again changes nothing. A done or declined idea is a 409."""
    viewer = policy.viewer_for(request.auth)
    vote_for_idea(actor=request.auth, idea=get_idea_for(viewer, idea_id))
    return _idea_out(get_idea_for(viewer, idea_id))


@router.delete("/{idea_id}/vote", response={200: IdeaOut, **WRITE_ERRORS})
def unvote(request: CallerRequest, idea_id: DatabaseId) -> IdeaOut:
    """Take back your vote; without one, nothing changes."""
    viewer = policy.viewer_for(request.auth)
    remove_vote_for_idea(actor=request.auth, idea=get_idea_for(viewer, idea_id))
    return _idea_out(get_idea_for(viewer, idea_id))


@router.get("/{idea_id}/comments", response={200: IdeaCommentPage, **READ_ERRORS})
def list_comments(
    request: CallerRequest, idea_id: DatabaseId, query: Query[PageQuery]
) -> IdeaCommentPage:
    """The idea's conversation, oldest first."""
    idea = get_idea_for(policy.viewer_for(request.auth), idea_id)
    page = page_by_id(comments_of(idea), cursor=query.cursor, limit=query.limit, newest_first=False)
    return IdeaCommentPage(
        items=[_comment_out(comment) for comment in page.items], next_cursor=page.next_cursor
    )


@router.post("/{idea_id}/comments", response={201: IdeaCommentOut, **WRITE_ERRORS})
def add_comment(
    request: CallerRequest, idea_id: DatabaseId, payload: IdeaCommentIn
) -> Status[IdeaCommentOut]:
    """Comment on the idea (Markdown)."""
    idea = get_idea_for(policy.viewer_for(request.auth), idea_id)
    comment = comment_on_idea(actor=request.auth, idea=idea, body=payload.body)
    return Status(201, _comment_out(comment))


@router.post("/{idea_id}/status", response={200: IdeaDetailOut, **WRITE_ERRORS})
def change_status(request: CallerRequest, idea_id: DatabaseId, payload: StatusIn) -> IdeaDetailOut:
    """Set the idea's status with a public reason: the owning team's leads only (org admins
    for ideas directed at everyone); the proposer and the voters are notified."""
    viewer = policy.viewer_for(request.auth)
    idea = get_idea_for(viewer, idea_id)
    set_idea_status(actor=request.auth, idea=idea, status=payload.status, reason=payload.reason)
    return _detail(viewer, idea_id)
