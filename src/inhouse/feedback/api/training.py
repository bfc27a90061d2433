"""Training sessions over the API: the upcoming ones for you, one session, a lead's
announcement and changes, signing up and cancelling, rating, and the sessions
suggested to the teams you lead."""

from datetime import datetime

from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.responses import Status
from pydantic import AwareDatetime

from inhouse import policy
from inhouse.core.ids import DatabaseId
from inhouse.core.schemas import ErrorOut, StrictSchema, TeamRef
from inhouse.feedback.models import TrainingSession
from inhouse.feedback.selectors.training import (
    get_session_for,
    session_page,
    suggested_sessions_for,
    upcoming_sessions_for,
)
from inhouse.feedback.services.training import (
    SessionDetails,
    cancel_training_signup,
    rate_training_session,
    schedule_training_session,
    sign_up_for_training,
    update_training_session,
)
from inhouse.org.auth import CallerRequest
from inhouse.org.models import Team
from inhouse.org.selectors import get_team

router = Router(tags=["training"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**ERRORS, 403: ErrorOut, 409: ErrorOut}


class SessionIn(StrictSchema):
    provider_team: str = Field(..., max_length=80, description="Slug of the team offering it")
    title: str = Field(..., max_length=200)
    description: str = Field("", max_length=5000)
    starts_at: AwareDatetime = Field(description="With its UTC offset")
    ends_at: AwareDatetime = Field(description="With its UTC offset")
    place: str = Field("", max_length=200)
    link: str = Field("", max_length=200)
    capacity: int = Field(..., ge=1, le=10_000)
    audience_teams: list[str] = Field(
        default_factory=list, max_length=100, description="Team slugs; none means everyone"
    )


class SessionOut(Schema):
    id: int
    provider_team: TeamRef
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    place: str
    link: str
    capacity: int
    seats_left: int
    audience_teams: list[TeamRef]
    signed_up: bool


class SessionDetailOut(SessionOut):
    rating_mean: float | None = Field(description="Shown from the minimum group size up")
    rating_count: int
    my_rating: int | None
    attendees: list[str] = Field(description="Names, for the provider team's leads only")


class SessionList(Schema):
    items: list[SessionOut]


class RatingIn(StrictSchema):
    rating: int = Field(..., ge=1, le=5)


class SuggestedArticleOut(Schema):
    slug: str
    title: str
    url: str


class SuggestionOut(Schema):
    session: SessionOut
    customer_team: TeamRef
    clarity_mean: float
    clarity_count: int
    articles: list[SuggestedArticleOut] = Field(
        description="Published articles on the services of the requests rated unclear, "
        "most helpful first"
    )


class SuggestionList(Schema):
    items: list[SuggestionOut]


def _ref(team: Team) -> TeamRef:
    return TeamRef(slug=team.slug, name=team.name)


def _out(session: TrainingSession, *, signed_up: bool | None = None) -> SessionOut:
    return SessionOut(
        id=session.pk,
        provider_team=_ref(session.provider_team),
        title=session.title,
        description=session.description,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        place=session.place,
        link=session.link,
        capacity=session.capacity,
        seats_left=session.seats_left,
        audience_teams=[_ref(team) for team in session.audience_teams.all()],
        signed_up=getattr(session, "signed_up", False) if signed_up is None else signed_up,
    )


def _detail(request: CallerRequest, session_id: int) -> SessionDetailOut:
    viewer = policy.viewer_for(request.auth)
    page = session_page(viewer, get_session_for(viewer, session_id))
    return SessionDetailOut(
        **_out(page.session, signed_up=page.my_signup is not None).dict(),
        rating_mean=page.rating_mean,
        rating_count=page.rating_count,
        my_rating=page.my_signup.rating if page.my_signup else None,
        attendees=[person.full_name for person in page.attendees],
    )


def _details(payload: SessionIn) -> tuple[Team, SessionDetails]:
    audience = [get_team(slug) for slug in dict.fromkeys(payload.audience_teams)]
    return get_team(payload.provider_team), SessionDetails(
        title=payload.title,
        description=payload.description,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        place=payload.place,
        link=payload.link,
        capacity=payload.capacity,
        audience_teams=audience,
    )


@router.get("/sessions", response={200: SessionList, 401: ErrorOut})
def list_sessions(request: CallerRequest) -> SessionList:
    """The sessions still to start that are for you (your teams, or everyone), soonest first."""
    sessions = upcoming_sessions_for(policy.viewer_for(request.auth))
    return SessionList(items=[_out(session) for session in sessions])


@router.post("/sessions", response={201: SessionDetailOut, **WRITE_ERRORS})
def announce_session(request: CallerRequest, payload: SessionIn) -> Status[SessionDetailOut]:
    """Announce a session of a team you lead."""
    team, details = _details(payload)
    session = schedule_training_session(actor=request.auth, provider_team=team, details=details)
    return Status(201, _detail(request, session.pk))


@router.get("/sessions/{session_id}", response={200: SessionDetailOut, **ERRORS})
def get_session(request: CallerRequest, session_id: DatabaseId) -> SessionDetailOut:
    """One session that is for you; the attendees' names only for its team's leads."""
    return _detail(request, session_id)


@router.put("/sessions/{session_id}", response={200: SessionDetailOut, **WRITE_ERRORS})
def change_session(
    request: CallerRequest, session_id: DatabaseId, payload: SessionIn
) -> SessionDetailOut:
    """Change a session of a team you lead; the capacity never drops below the sign-ups."""
    session = get_session_for(policy.viewer_for(request.auth), session_id)
    _team, details = _details(payload)
    update_training_session(actor=request.auth, session=session, details=details)
    return _detail(request, session_id)


@router.post("/sessions/{session_id}/signup", response={200: SessionDetailOut, **WRITE_ERRORS})
def sign_up(request: CallerRequest, session_id: DatabaseId) -> SessionDetailOut:
    """Take a seat; 409 when the session is full or has started. Twice keeps one seat."""
    session = get_session_for(policy.viewer_for(request.auth), session_id)
    sign_up_for_training(actor=request.auth, session=session)
    return _detail(request, session_id)


@router.delete("/sessions/{session_id}/signup", response={200: SessionDetailOut, **WRITE_ERRORS})
def cancel_signup(request: CallerRequest, session_id: DatabaseId) -> SessionDetailOut:
    """Give up your seat before the session starts."""
    session = get_session_for(policy.viewer_for(request.auth), session_id)
    cancel_training_signup(actor=request.auth, session=session)
    return _detail(request, session_id)


@router.put("/sessions/{session_id}/rating", response={200: SessionDetailOut, **WRITE_ERRORS})
def rate_session(
    request: CallerRequest, session_id: DatabaseId, payload: RatingIn
) -> SessionDetailOut:
    """Rate a session you signed up for (1–5), once it has ended."""
    session = get_session_for(policy.viewer_for(request.auth), session_id)
    rate_training_session(actor=request.auth, session=session, rating=payload.rating)
    return _detail(request, session_id)


@router.get("/suggestions", response={200: SuggestionList, 401: ErrorOut})
def suggestions(request: CallerRequest) -> SuggestionList:
    """Sessions suggested to the teams you lead, where the provider rates their requests unclear."""
    found = suggested_sessions_for(policy.viewer_for(request.auth))
    return SuggestionList(
        items=[
            SuggestionOut(
                session=_out(s.session),
                customer_team=_ref(s.customer_team),
                clarity_mean=s.clarity_mean,
                clarity_count=s.clarity_count,
                articles=[
                    SuggestedArticleOut(
                        slug=article.slug,
                        title=article.title,
                        url=reverse("knowledge:article", args=[article.slug]),
                    )
                    for article in s.articles
                ],
            )
            for s in found
        ]
    )
