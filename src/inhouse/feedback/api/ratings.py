"""Ratings over HTTP: a request's rating by its requester, its clarity rating by the
provider's agents, and a team's clarity as an aggregate.

A request the caller may not see is 404 on every path, as on the desk's endpoints;
one they see but whose rating they may not read or give is 403.
"""

from datetime import datetime

from ninja import Router, Schema
from pydantic import Field, StrictInt

from inhouse import policy
from inhouse.core.schemas import ErrorOut, PersonRef, StrictSchema, TeamRef
from inhouse.desk.audit import AuditDoor, record_confidential_view
from inhouse.desk.models import Request
from inhouse.desk.selectors import get_request_for
from inhouse.feedback.models.ratings import HIGHEST_SCORE, LOWEST_SCORE
from inhouse.feedback.selectors.ratings import (
    AGGREGATE_PERIOD,
    Clarity,
    ClarityState,
    RatingState,
    Satisfaction,
    clarity_for,
    rating_for,
    team_clarity_for,
)
from inhouse.feedback.selectors.satisfaction import team_satisfaction_for
from inhouse.feedback.services.ratings import MAX_RATING_COMMENT, rate_clarity, rate_request
from inhouse.org.auth import CallerRequest

router = Router(tags=["ratings"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ErrorOut, 415: ErrorOut}


class RatingOut(Schema):
    score: int
    comment: str
    given_at: datetime
    updated_at: datetime


class RatingStateOut(Schema):
    rating: RatingOut | None = Field(description="`null` until the requester rates it")
    may_rate: bool = Field(description="Whether the caller may give or change it now")
    changeable_until: datetime | None = Field(
        description="Until when the rating can still be changed"
    )


class RatingIn(StrictSchema):
    score: StrictInt = Field(ge=LOWEST_SCORE, le=HIGHEST_SCORE)
    comment: str = Field("", max_length=MAX_RATING_COMMENT)


class ObligationOut(Schema):
    key: str
    label: str


class ClarityOut(Schema):
    score: int
    missing_obligations: list[str]
    rated_by: PersonRef | None
    rated_at: datetime
    updated_at: datetime


class ClarityStateOut(Schema):
    clarity: ClarityOut | None
    may_rate: bool
    obligations: list[ObligationOut] = Field(
        description="The agreement's customer obligations the request may have missed"
    )


class ClarityIn(StrictSchema):
    score: StrictInt = Field(ge=LOWEST_SCORE, le=HIGHEST_SCORE)
    missing_obligations: list[str] = Field(default_factory=list, max_length=100)


class ClarityFiguresOut(Schema):
    ratings: int
    mean: float | None
    clear_percent: int | None = Field(description="The share of requests rated 4 or 5")


class ProviderClarityOut(ClarityFiguresOut):
    provider_team: TeamRef


class TeamClarityOut(Schema):
    team: TeamRef
    period_days: int
    min_group_size: int = Field(description="Fewer ratings than this and nothing is shown")
    overall: ClarityFiguresOut | None
    by_provider: list[ProviderClarityOut]


def _rating_out(state: RatingState) -> RatingStateOut:
    rating = state.rating
    return RatingStateOut(
        rating=RatingOut(
            score=rating.score,
            comment=rating.comment,
            given_at=rating.given_at,
            updated_at=rating.updated_at,
        )
        if rating is not None
        else None,
        may_rate=state.may_rate,
        changeable_until=state.changeable_until,
    )


def _clarity_out(state: ClarityState) -> ClarityStateOut:
    clarity = state.clarity
    return ClarityStateOut(
        clarity=ClarityOut(
            score=clarity.score,
            missing_obligations=list(clarity.missing_obligations),
            rated_by=PersonRef.model_validate(clarity.rated_by) if clarity.rated_by else None,
            rated_at=clarity.rated_at,
            updated_at=clarity.updated_at,
        )
        if clarity is not None
        else None,
        may_rate=state.may_rate,
        obligations=[ObligationOut(key=key, label=label) for key, label in state.obligations],
    )


def _figures(clarity: Clarity) -> ClarityFiguresOut:
    return ClarityFiguresOut(
        ratings=clarity.ratings, mean=clarity.mean, clear_percent=clarity.clear_percent
    )


def _found(viewer: policy.Viewer, reference: str, *, what: str) -> Request:
    found = get_request_for(viewer, reference)
    record_confidential_view(viewer, found, door=AuditDoor.API, what=what)
    return found


@router.get("requests/{reference}/rating", response={200: RatingStateOut, **READ_ERRORS})
def get_rating(request: CallerRequest, reference: str) -> RatingStateOut:
    """The requester's rating of the request: for the requester and the team handling it."""
    viewer = policy.viewer_for(request.auth)
    found = _found(viewer, reference, what="read the rating of")
    return _rating_out(rating_for(viewer, found))


@router.put("requests/{reference}/rating", response={200: RatingStateOut, **WRITE_ERRORS})
def put_rating(request: CallerRequest, reference: str, payload: RatingIn) -> RatingStateOut:
    """Rate a resolved request 1–5 with an optional comment (the requester only).

    A rating can be changed for 7 days after it is given; once a reopened request is
    resolved again, the next rating replaces it.
    """
    viewer = policy.viewer_for(request.auth)
    found = get_request_for(viewer, reference)
    rate_request(actor=viewer.person, request=found, score=payload.score, comment=payload.comment)
    return _rating_out(rating_for(viewer, found))


@router.get("requests/{reference}/clarity", response={200: ClarityStateOut, **READ_ERRORS})
def get_clarity(request: CallerRequest, reference: str) -> ClarityStateOut:
    """How clear the request was, as the provider rated it: for the team handling it only."""
    viewer = policy.viewer_for(request.auth)
    found = _found(viewer, reference, what="read the clarity rating of")
    return _clarity_out(clarity_for(viewer, found))


@router.put("requests/{reference}/clarity", response={200: ClarityStateOut, **WRITE_ERRORS})
def put_clarity(request: CallerRequest, reference: str, payload: ClarityIn) -> ClarityStateOut:
    """Rate how clear and complete a resolved request was (1–5), naming the agreement's
    customer obligations that were missing (agents of the team handling it)."""
    viewer = policy.viewer_for(request.auth)
    found = get_request_for(viewer, reference)
    rate_clarity(
        actor=viewer.person,
        request=found,
        score=payload.score,
        missing_obligations=payload.missing_obligations,
    )
    return _clarity_out(clarity_for(viewer, found))


@router.get("teams/{slug}/clarity", response={200: TeamClarityOut, **READ_ERRORS})
def get_team_clarity(request: CallerRequest, slug: str) -> TeamClarityOut:
    """How clear the team's requests are, as the teams serving it rate them, over the last
    year: for its members, and only from the minimum group size up (``overall`` is
    ``null`` below it, and a provider below it is left out)."""
    viewer = policy.viewer_for(request.auth)
    clarity = team_clarity_for(viewer, slug)
    return TeamClarityOut(
        team=TeamRef.model_validate(clarity.team),
        period_days=AGGREGATE_PERIOD.days,
        min_group_size=clarity.min_group_size,
        overall=_figures(clarity.overall) if clarity.overall else None,
        by_provider=[
            ProviderClarityOut(
                provider_team=TeamRef.model_validate(team), **_figures(figures).model_dump()
            )
            for team, figures in clarity.by_provider
        ],
    )


class CsatOut(Schema):
    ratings: int
    mean: float | None
    csat_percent: int | None = Field(description="The share of ratings of 4 or 5")


class SpanSatisfactionOut(Schema):
    days: int
    current: CsatOut | None = Field(description="The last `days` days; `null` below the minimum")
    previous: CsatOut | None = Field(
        description="The `days` days before those; `null` below the minimum"
    )
    csat_change: int | None = Field(description="Percentage points against the span before")


class SurveyNpsOut(Schema):
    survey_id: int
    title: str
    closed_at: datetime
    respondents: int
    nps: float = Field(description="% promoters (9–10) minus % detractors (0–6)")


class TeamSatisfactionOut(Schema):
    team: TeamRef
    min_group_size: int = Field(description="Fewer ratings or answers than this: nothing shown")
    spans: list[SpanSatisfactionOut]
    latest_survey: SurveyNpsOut | None = Field(
        description="The latest closed relationship survey; `null` below the minimum"
    )


def _csat_out(figures: Satisfaction | None) -> CsatOut | None:
    if figures is None:
        return None
    return CsatOut(ratings=figures.ratings, mean=figures.mean, csat_percent=figures.csat_percent)


@router.get("teams/{slug}/satisfaction", response={200: TeamSatisfactionOut, **READ_ERRORS})
def get_team_satisfaction(request: CallerRequest, slug: str) -> TeamSatisfactionOut:
    """The team's CSAT from its requesters' ratings over the last 30 and 90 days (each with
    the span before it) and the NPS of its latest closed relationship survey: for its
    leads and org admins only (403 for anyone else), and nothing below the minimum group."""
    viewer = policy.viewer_for(request.auth)
    satisfaction = team_satisfaction_for(viewer, slug)
    latest = satisfaction.latest_survey
    return TeamSatisfactionOut(
        team=TeamRef.model_validate(satisfaction.team),
        min_group_size=satisfaction.min_group_size,
        spans=[
            SpanSatisfactionOut(
                days=span.days,
                current=_csat_out(span.current),
                previous=_csat_out(span.previous),
                csat_change=span.csat_change,
            )
            for span in satisfaction.spans
        ],
        latest_survey=SurveyNpsOut(
            survey_id=latest.survey_id,
            title=latest.title,
            closed_at=latest.closed_at,
            respondents=latest.respondents,
            nps=latest.nps,
        )
        if latest is not None
        else None,
    )
