"""Relationship surveys over the API: leads schedule and read them; invitees answer.

An invitee answers in two calls: ``POST /surveys/{id}/token`` mints their one-use
token, and ``POST /surveys/answers`` sends it with the answers. The second call's
record names no person, and its response carries no id.
"""

from datetime import date, datetime
from typing import Literal

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from inhouse import policy
from inhouse.core.errors import NotFound
from inhouse.core.ids import DatabaseId
from inhouse.core.schemas import ErrorOut, StrictSchema, TeamRef
from inhouse.feedback.models import Survey
from inhouse.feedback.selectors.surveys import (
    GroupResult,
    get_survey_for_lead,
    invitations_of,
    survey_results,
    survey_with_questions,
    surveys_of_team,
    team_ids_named,
)
from inhouse.feedback.services.surveys import (
    OwnQuestion,
    answer_survey,
    open_invitation,
    schedule_survey,
)
from inhouse.org.auth import CallerRequest
from inhouse.org.models import Team
from inhouse.org.selectors import get_team

router = Router(tags=["surveys"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut}


class OwnQuestionIn(StrictSchema):
    prompt: str = Field(max_length=300)
    kind: Literal["score", "text"]


class SurveyIn(StrictSchema):
    team: str = Field(max_length=80, description="The provider team surveyed (its slug)")
    title: str = Field(max_length=200)
    opens_on: date
    closes_on: date = Field(description="The last day answers are taken (in your timezone)")
    customer_teams: list[str] = Field(
        default_factory=list, max_length=200, description="Slugs of the customer teams to ask"
    )
    audience_from: date | None = Field(
        None, description="Or: ask the teams that filed requests from this day…"
    )
    audience_to: date | None = Field(None, description="…through this day")
    own_questions: list[OwnQuestionIn] = Field(default_factory=list, max_length=3)


class OwnQuestionOut(Schema):
    id: int
    prompt: str
    kind: str


class SurveyOut(Schema):
    id: int
    title: str
    provider_team: TeamRef
    opens_at: datetime
    remind_at: datetime
    closes_at: datetime
    audience_from: date | None
    audience_to: date | None
    customer_teams: list[TeamRef]
    own_questions: list[OwnQuestionOut]
    invitations_sent: bool
    reminder_sent: bool


class SurveyRowOut(Schema):
    id: int
    title: str
    opens_at: datetime
    closes_at: datetime
    invited: int
    closed: bool
    respondents: int | None = Field(description="Shown once closed, for enough respondents")
    nps: float | None


class TeamQuery(StrictSchema):
    team: str = Field(max_length=80, description="The provider team's slug")


class OwnQuestionResultOut(Schema):
    prompt: str
    kind: str
    mean: float | None
    texts: list[str]


class DriverOut(Schema):
    driver: str
    mean: float


class GroupOut(Schema):
    label: str
    shown: bool = Field(description="False: fewer respondents than the minimum group size")
    respondents: int | None
    nps: float | None
    previous_nps: float | None
    promoters: float | None
    passives: float | None
    detractors: float | None
    drivers: list[DriverOut]
    comments: list[str]
    own_questions: list[OwnQuestionResultOut]


class ResultsOut(Schema):
    survey: int
    available: bool = Field(description="Results are given once the survey has closed")
    minimum_group_size: int
    invited: int
    overall: GroupOut
    customer_teams: list[GroupOut]
    hidden_teams: list[str]
    previous_survey: int | None


class InvitationOut(Schema):
    survey: int
    title: str
    provider_team: TeamRef
    closes_at: datetime
    answered: bool
    open: bool


class TokenOut(Schema):
    token: str = Field(description="One use: send it with the answers to POST /surveys/answers")
    survey: SurveyOut


class AnswerIn(StrictSchema):
    token: str = Field(max_length=100)
    recommend: int = Field(ge=0, le=10, description="How likely to recommend the team, 0–10")
    timeliness: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    communication: int = Field(ge=1, le=5)
    ease_of_asking: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=5000)
    own_answers: dict[int, int | str] = Field(
        default_factory=dict, max_length=3, description="{question id: 1–5 or text}"
    )


class RecordedOut(Schema):
    recorded: bool


def _survey_out(survey: Survey) -> SurveyOut:
    return SurveyOut(
        id=survey.pk,
        title=survey.title,
        provider_team=TeamRef.model_validate(survey.provider_team),
        opens_at=survey.opens_at,
        remind_at=survey.remind_at,
        closes_at=survey.closes_at,
        audience_from=survey.audience_from,
        audience_to=survey.audience_to,
        customer_teams=[TeamRef.model_validate(team) for team in survey.customer_teams.all()],
        own_questions=[
            OwnQuestionOut(id=question.pk, prompt=question.prompt, kind=question.kind)
            for question in survey.own_questions.all()
        ],
        invitations_sent=survey.invitations_sent_at is not None,
        reminder_sent=survey.reminder_sent_at is not None,
    )


def _group_out(group: GroupResult) -> GroupOut:
    return GroupOut(
        label=group.label,
        shown=group.shown,
        respondents=group.respondents,
        nps=group.nps,
        previous_nps=group.previous_nps,
        promoters=group.promoters,
        passives=group.passives,
        detractors=group.detractors,
        drivers=[DriverOut(driver=label, mean=mean) for label, mean in group.drivers],
        comments=group.comments,
        own_questions=[
            OwnQuestionResultOut(prompt=own.prompt, kind=own.kind, mean=own.mean, texts=own.texts)
            for own in group.own
        ],
    )


def _managed_team(viewer: policy.Viewer, slug: str) -> Team:
    team = get_team(slug, include_inactive=True)
    if not policy.can_manage_team(viewer, team):
        raise NotFound("No such team.")
    return team


@router.get("", response={200: list[SurveyRowOut], **READ_ERRORS})
def list_surveys(request: CallerRequest, query: Query[TeamQuery]) -> list[SurveyRowOut]:
    """A team's survey rounds, newest first, for its leads; the net promoter score of a
    closed round when enough people answered."""
    viewer = policy.viewer_for(request.auth)
    team = _managed_team(viewer, query.team)
    return [
        SurveyRowOut(
            id=row.survey.pk,
            title=row.survey.title,
            opens_at=row.survey.opens_at,
            closes_at=row.survey.closes_at,
            invited=row.invited,
            closed=row.closed,
            respondents=row.respondents,
            nps=row.nps,
        )
        for row in surveys_of_team(viewer, team)
    ]


@router.post("", response={201: SurveyOut, **WRITE_ERRORS})
def create_survey(request: CallerRequest, payload: SurveyIn) -> Status[SurveyOut]:
    """Schedule a round of a team's relationship survey (its leads only). Name the
    customer teams, or a period whose requests choose them."""
    viewer = policy.viewer_for(request.auth)
    team = _managed_team(viewer, payload.team)
    survey = schedule_survey(
        actor=request.auth,
        team=team,
        title=payload.title,
        opens_on=payload.opens_on,
        closes_on=payload.closes_on,
        customer_team_ids=team_ids_named(payload.customer_teams, field="customer_teams"),
        audience_from=payload.audience_from,
        audience_to=payload.audience_to,
        own_questions=[OwnQuestion(prompt=q.prompt, kind=q.kind) for q in payload.own_questions],
    )
    return Status(201, _survey_out(get_survey_for_lead(viewer, team, survey.pk)))


@router.get("/invited", response={200: list[InvitationOut], 401: ErrorOut})
def my_invitations(request: CallerRequest) -> list[InvitationOut]:
    """The surveys the caller is asked to answer that have not closed."""
    return [
        InvitationOut(
            survey=state.survey.pk,
            title=state.survey.title,
            provider_team=TeamRef.model_validate(state.survey.provider_team),
            closes_at=state.survey.closes_at,
            answered=state.answered,
            open=state.open,
        )
        for state in invitations_of(request.auth)
    ]


@router.post("/answers", response={201: RecordedOut, **WRITE_ERRORS})
def answer(request: CallerRequest, payload: AnswerIn) -> Status[RecordedOut]:
    """Answer a survey with a one-use token; a second answer is refused (409
    ``already_answered``). The answer is stored without the caller's name."""
    answer_survey(
        token=payload.token,
        recommend=payload.recommend,
        timeliness=payload.timeliness,
        quality=payload.quality,
        communication=payload.communication,
        ease_of_asking=payload.ease_of_asking,
        comment=payload.comment,
        own_answers=payload.own_answers,
    )
    return Status(201, RecordedOut(recorded=True))


@router.get("/{survey_id}", response={200: SurveyOut, **READ_ERRORS})
def get_survey(request: CallerRequest, survey_id: DatabaseId, query: Query[TeamQuery]) -> SurveyOut:
    """One round of a team's survey, for its leads."""
    viewer = policy.viewer_for(request.auth)
    return _survey_out(get_survey_for_lead(viewer, _managed_team(viewer, query.team), survey_id))


@router.get("/{survey_id}/results", response={200: ResultsOut, **READ_ERRORS})
def get_results(
    request: CallerRequest, survey_id: DatabaseId, query: Query[TeamQuery]
) -> ResultsOut:
    """A closed round's results per customer team and against the round before; no
    figure or comment of a group smaller than the minimum group size."""
    viewer = policy.viewer_for(request.auth)
    results = survey_results(viewer, _managed_team(viewer, query.team), survey_id)
    return ResultsOut(
        survey=results.survey.pk,
        available=results.available,
        minimum_group_size=results.minimum,
        invited=results.invited,
        overall=_group_out(results.overall),
        customer_teams=[_group_out(group) for group in results.groups],
        hidden_teams=results.hidden_teams,
        previous_survey=results.previous.pk if results.previous else None,
    )


@router.post("/{survey_id}/token", response={201: TokenOut, **WRITE_ERRORS})
def mint_token(request: CallerRequest, survey_id: DatabaseId) -> Status[TokenOut]:
    """Mint the caller's one-use token for a survey they are invited to; it replaces
    any token minted before. 409 ``already_answered`` once they have answered."""
    opened = open_invitation(actor=request.auth, survey_id=survey_id)
    survey = survey_with_questions(opened.survey.pk)
    return Status(201, TokenOut(token=opened.token, survey=_survey_out(survey)))
