"""Kudos over the API: send one, list a person's or a team's, the team wall, and one's
choice whether one's manager hears of them (and a team's, made by its leads)."""

from datetime import datetime

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.core.ids import DatabaseId
from inhouse.core.schemas import ErrorOut, StrictSchema
from inhouse.core.text import render_markdown
from inhouse.feedback.models.kudos import KUDOS_MESSAGE_MAX_LENGTH
from inhouse.feedback.selectors.kudos import (
    KudosItem,
    kudos_to_person,
    kudos_to_team,
    page_of_kudos,
    present,
    shares_with_manager,
    team_shares_with_manager,
    team_wall,
)
from inhouse.feedback.services.kudos import (
    grant_kudos,
    set_kudos_sharing,
    set_team_kudos_sharing,
)
from inhouse.org.auth import CallerRequest
from inhouse.org.selectors import get_person, get_team

router = Router(tags=["kudos"])

PAGE_MAX = 100
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}


class KudosIn(StrictSchema):
    to_person: DatabaseId | None = Field(None, description="The id of the person to thank")
    to_team: str | None = Field(None, max_length=80, description="The slug of the team to thank")
    request: str | None = Field(
        None, max_length=40, description="A request you asked for or watch that they served"
    )
    message: str = Field(..., max_length=KUDOS_MESSAGE_MAX_LENGTH, description="Markdown")


class KudosOut(Schema):
    id: int
    sender_id: int
    sender_name: str
    to_person: int | None
    to_team: str | None
    recipient_name: str
    message: str
    message_html: str
    created_at: datetime
    request: str | None = Field(description="Only when you may see the request")


class KudosPage(Schema):
    items: list[KudosOut]
    next_cursor: str | None


class KudosQuery(Schema):
    person: DatabaseId | None = Field(None, description="Kudos this person received")
    team: str | None = Field(None, max_length=80, description="Kudos this team received")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(25, ge=1, le=PAGE_MAX)


class WallQuery(Schema):
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(25, ge=1, le=PAGE_MAX)


class KudosSettingsIn(StrictSchema):
    share_with_manager: bool


class KudosSettingsOut(Schema):
    share_with_manager: bool


def _out(item: KudosItem) -> KudosOut:
    return KudosOut(
        id=item.pk,
        sender_id=item.sender.pk,
        sender_name=item.sender.full_name,
        to_person=item.recipient_person_id,
        to_team=item.recipient_team_slug,
        recipient_name=item.recipient_name,
        message=item.message,
        message_html=render_markdown(item.message),
        created_at=item.created_at,
        request=item.request_reference,
    )


@router.post("", response={201: KudosOut, 429: ErrorOut, **ERRORS})
def send_kudos(request: CallerRequest, payload: KudosIn) -> Status[KudosOut]:
    """Thank a person (``to_person``) or a team (``to_team``), optionally for a request you
    asked for or watch that they served. Never yourself; at most the daily cap a day (429)."""
    to_person = get_person(payload.to_person) if payload.to_person is not None else None
    to_team = get_team(payload.to_team) if payload.to_team else None
    kudos = grant_kudos(
        actor=request.auth,
        message=payload.message,
        to_person=to_person,
        to_team=to_team,
        request_reference=payload.request,
    )
    [item] = present(policy.viewer_for(request.auth), [kudos])
    return Status(201, _out(item))


@router.get("", response={200: KudosPage, **ERRORS})
def list_kudos(request: CallerRequest, query: Query[KudosQuery]) -> KudosPage:
    """The kudos a person (``person``) or a team (``team``, kudos to the team itself)
    received, newest first."""
    if (query.person is None) == (query.team is None):
        raise InvalidInput(
            "Name a person or a team.", fields={"person": "Give person or team, not both."}
        )
    if query.person is not None:
        kudos = kudos_to_person(get_person(query.person))
    else:
        assert query.team is not None
        kudos = kudos_to_team(get_team(query.team))
    items, next_cursor = page_of_kudos(
        policy.viewer_for(request.auth), kudos, cursor=query.cursor, limit=query.limit
    )
    return KudosPage(items=[_out(item) for item in items], next_cursor=next_cursor)


@router.get("/teams/{slug}", response={200: KudosPage, **ERRORS})
def team_kudos_wall(request: CallerRequest, slug: str, query: Query[WallQuery]) -> KudosPage:
    """A team's wall: kudos to the team and to the people in it, newest first."""
    team = get_team(slug)
    items, next_cursor = page_of_kudos(
        policy.viewer_for(request.auth), team_wall(team), cursor=query.cursor, limit=query.limit
    )
    return KudosPage(items=[_out(item) for item in items], next_cursor=next_cursor)


@router.get("/settings", response={200: KudosSettingsOut, 401: ErrorOut})
def my_kudos_settings(request: CallerRequest) -> KudosSettingsOut:
    """Whether your manager hears, in a weekly digest, of the kudos you receive."""
    return KudosSettingsOut(share_with_manager=shares_with_manager(request.auth))


@router.put("/settings", response={200: KudosSettingsOut, 400: ErrorOut, 401: ErrorOut})
def set_my_kudos_settings(request: CallerRequest, payload: KudosSettingsIn) -> KudosSettingsOut:
    """Choose whether your manager hears, in a weekly digest, of the kudos you receive."""
    setting = set_kudos_sharing(actor=request.auth, share_with_manager=payload.share_with_manager)
    return KudosSettingsOut(share_with_manager=setting.share_with_manager)


@router.get("/teams/{slug}/settings", response={200: KudosSettingsOut, **ERRORS})
def team_kudos_settings(request: CallerRequest, slug: str) -> KudosSettingsOut:
    """For the team's leads: whether the team's manager (the lead of the team above it,
    or its own leads at the top) hears, in a weekly digest, of the kudos to the team."""
    team = get_team(slug)
    if not policy.can_manage_team(policy.viewer_for(request.auth), team):
        raise NotFound()
    return KudosSettingsOut(share_with_manager=team_shares_with_manager(team))


@router.put("/teams/{slug}/settings", response={200: KudosSettingsOut, **ERRORS})
def set_team_kudos_settings(
    request: CallerRequest, slug: str, payload: KudosSettingsIn
) -> KudosSettingsOut:
    """For the team's leads: choose whether the team's manager hears of its kudos weekly."""
    setting = set_team_kudos_sharing(
        actor=request.auth, team=get_team(slug), share_with_manager=payload.share_with_manager
    )
    return KudosSettingsOut(share_with_manager=setting.share_with_manager)
