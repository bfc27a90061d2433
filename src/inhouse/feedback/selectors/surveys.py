"""Relationship surveys read: a team's rounds, one round's results, a person's invitations.

Results keep answers anonymous by showing nothing about a group of fewer than
``settings.FEEDBACK_MIN_GROUP_SIZE`` respondents (``group_answers`` holds the rule):

- a customer team with enough answers is shown on its own;
- customer teams with too few are pooled into "other customer teams"; when the
  pool is itself too small, the smallest shown team joins it, so the pool can be
  shown;
- the overall figure is shown once there are enough answers in all: every answer
  then sits in a shown group, so the overall less the shown teams gives away
  nothing that is not shown anyway.

Results appear once the survey has closed: figures that move while it is open
would let a lead who watches them tell what the person who just answered said.
Comments are listed in the answers' random key order, which says nothing of when
or by whom they were written.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.feedback.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion
from inhouse.feedback.models.surveys import QuestionKind
from inhouse.org.models import Person, Team

DRIVER_LABELS = {
    "timeliness": "Timeliness",
    "quality": "Quality of the work",
    "communication": "Clarity of communication",
    "ease_of_asking": "Ease of asking",
}
PROMOTER_FROM = 9
DETRACTOR_UP_TO = 6

T = TypeVar("T")


def min_group_size() -> int:
    return max(1, int(settings.FEEDBACK_MIN_GROUP_SIZE))


def net_promoter_score(scores: Sequence[int]) -> float:
    """% promoters (9–10) minus % detractors (0–6), from -100 to 100; at least one score."""
    if not scores:
        raise ValueError("A net promoter score needs at least one score.")
    promoters = sum(1 for score in scores if score >= PROMOTER_FROM)
    detractors = sum(1 for score in scores if score <= DETRACTOR_UP_TO)
    return 100.0 * (promoters - detractors) / len(scores)


@dataclass(frozen=True)
class Grouping:
    """Answers split so that every shown group has at least the minimum size."""

    teams: dict[int, list[Any]]
    pooled: list[Any] | None
    # Teams with some answers but too few, and no pool large enough to show them in.
    hidden_team_ids: frozenset[int]
    overall_shown: bool


def group_answers(by_team: Mapping[int, Sequence[T]], *, minimum: int) -> Grouping:
    """Split ``by_team`` (answers per customer team id) by the minimum-group rule above.

    When the small teams together are still too few, the smallest shown team joins
    their pool (and is no longer shown on its own), so the overall can be shown
    without giving the small teams away.
    """
    teams = {team: list(rows) for team, rows in by_team.items() if len(rows) >= minimum}
    small = [team for team, rows in by_team.items() if 0 < len(rows) < minimum]
    pool = [row for team in small for row in by_team[team]]
    while pool and len(pool) < minimum and teams:
        smallest = min(teams, key=lambda team: (len(teams[team]), team))
        pool.extend(teams.pop(smallest))
    pooled = pool if len(pool) >= minimum else None
    total = sum(len(rows) for rows in by_team.values())
    return Grouping(
        teams=teams,
        pooled=pooled,
        hidden_team_ids=frozenset() if pooled is not None else frozenset(small),
        overall_shown=total >= minimum,
    )


@dataclass(frozen=True)
class OwnQuestionResult:
    prompt: str
    kind: str
    mean: float | None
    texts: list[str]


@dataclass(frozen=True)
class GroupResult:
    """The figures of one group of respondents; ``shown`` false means too few to tell."""

    label: str
    shown: bool
    respondents: int | None = None
    nps: float | None = None
    promoters: float | None = None
    passives: float | None = None
    detractors: float | None = None
    drivers: list[tuple[str, float]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    own: list[OwnQuestionResult] = field(default_factory=list)
    # The same group's net promoter score in the round before, when it was shown then.
    previous_nps: float | None = None

    @property
    def nps_change(self) -> float | None:
        if self.nps is None or self.previous_nps is None:
            return None
        return self.nps - self.previous_nps


_ANSWER_FIELDS = (
    "customer_team_id",
    "recommend",
    "timeliness",
    "quality",
    "communication",
    "ease_of_asking",
    "comment",
    "own_answers",
)


def _figures(
    label: str,
    rows: Sequence[dict[str, Any]] | None,
    questions: Sequence[SurveyQuestion],
    previous_nps: float | None = None,
) -> GroupResult:
    if not rows:
        return GroupResult(label=label, shown=False)
    count = len(rows)
    scores = [row["recommend"] for row in rows]

    def share(test: Callable[[int], bool]) -> float:
        return 100.0 * sum(1 for score in scores if test(score)) / count

    own: list[OwnQuestionResult] = []
    for question in questions:
        values = [row["own_answers"].get(str(question.pk)) for row in rows]
        given = [value for value in values if value is not None]
        if question.kind == QuestionKind.SCORE:
            numbers = [value for value in given if isinstance(value, int)]
            own.append(
                OwnQuestionResult(
                    question.prompt, question.kind, fmean(numbers) if numbers else None, []
                )
            )
        else:
            own.append(
                OwnQuestionResult(
                    question.prompt, question.kind, None, [str(value) for value in given]
                )
            )
    return GroupResult(
        label=label,
        shown=True,
        respondents=count,
        nps=net_promoter_score(scores),
        promoters=share(lambda score: score >= PROMOTER_FROM),
        passives=share(lambda score: DETRACTOR_UP_TO < score < PROMOTER_FROM),
        detractors=share(lambda score: score <= DETRACTOR_UP_TO),
        drivers=[(text, fmean(row[key] for row in rows)) for key, text in DRIVER_LABELS.items()],
        comments=[row["comment"] for row in rows if row["comment"]],
        own=own,
        previous_nps=previous_nps,
    )


# --- a team's rounds ------------------------------------------------------------------


def _managed_team_or_404(viewer: policy.Viewer, team: Team) -> None:
    if not policy.can_manage_team(viewer, team):
        raise NotFound("No such team.")


@dataclass(frozen=True)
class SurveyRow:
    survey: Survey
    invited: int
    closed: bool
    # Only once closed and only when the minimum-group rule lets the overall show.
    respondents: int | None
    nps: float | None


def _answers_by_survey(survey_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    answers: dict[int, list[dict[str, Any]]] = {pk: [] for pk in survey_ids}
    for row in (
        SurveyAnswer.objects.filter(survey_id__in=survey_ids)
        .order_by("pk")
        .values("survey_id", *_ANSWER_FIELDS)
    ):
        answers[row["survey_id"]].append(row)
    return answers


def _by_team(rows: Sequence[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["customer_team_id"], []).append(row)
    return grouped


def surveys_of_team(
    viewer: policy.Viewer, team: Team, *, now: datetime | None = None
) -> list[SurveyRow]:
    """The team's survey rounds, newest first, for its leads: three queries in all."""
    _managed_team_or_404(viewer, team)
    now = now or timezone.now()
    surveys = list(
        Survey.objects.filter(provider_team=team)
        .select_related("provider_team")
        .annotate(invited=Count("invitations"))
        .order_by("-opens_at", "-id")
    )
    closed_ids = [survey.pk for survey in surveys if survey.is_closed_at(now)]
    answers = _answers_by_survey(closed_ids)
    minimum = min_group_size()
    rows: list[SurveyRow] = []
    for survey in surveys:
        respondents: int | None = None
        nps: float | None = None
        if survey.pk in answers:
            grouping = group_answers(_by_team(answers[survey.pk]), minimum=minimum)
            if grouping.overall_shown:
                respondents = len(answers[survey.pk])
                nps = net_promoter_score([row["recommend"] for row in answers[survey.pk]])
        rows.append(
            SurveyRow(
                survey=survey,
                invited=survey.invited,
                closed=survey.pk in answers,
                respondents=respondents,
                nps=nps,
            )
        )
    return rows


def get_survey_for_lead(viewer: policy.Viewer, team: Team, survey_id: int) -> Survey:
    """One of ``team``'s surveys, for a lead of the team (or an admin)."""
    _managed_team_or_404(viewer, team)
    survey = (
        Survey.objects.select_related("provider_team")
        .prefetch_related("customer_teams", "own_questions")
        .filter(pk=survey_id, provider_team=team)
        .first()
    )
    if survey is None:
        raise NotFound("No such survey.")
    return survey


# --- one round's results --------------------------------------------------------------


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    available: bool
    minimum: int
    invited: int
    overall: GroupResult
    groups: list[GroupResult]
    # Customer teams whose answers are too few to show, even pooled (names only).
    hidden_teams: list[str]
    previous: Survey | None


def _previous_round(survey: Survey, now: datetime) -> Survey | None:
    return (
        Survey.objects.filter(
            provider_team_id=survey.provider_team_id,
            opens_at__lt=survey.opens_at,
            closes_at__lte=now,
        )
        .order_by("-opens_at", "-id")
        .first()
    )


def _shown_nps(
    grouping: Grouping, rows_of: Mapping[int, Sequence[dict[str, Any]]]
) -> dict[Any, float]:
    """The net promoter score of each shown group, keyed by team id, "pooled" and "all"."""
    scores: dict[Any, float] = {
        team_id: net_promoter_score([row["recommend"] for row in rows])
        for team_id, rows in grouping.teams.items()
    }
    if grouping.pooled is not None:
        scores["pooled"] = net_promoter_score([row["recommend"] for row in grouping.pooled])
    if grouping.overall_shown:
        everything = [row["recommend"] for rows in rows_of.values() for row in rows]
        scores["all"] = net_promoter_score(everything)
    return scores


def survey_results(
    viewer: policy.Viewer, team: Team, survey_id: int, *, now: datetime | None = None
) -> SurveyResults:
    """A round's results for the team's leads, per customer team and against the round
    before, under the minimum-group rule; empty until the survey has closed."""
    survey = get_survey_for_lead(viewer, team, survey_id)
    now = now or timezone.now()
    minimum = min_group_size()
    invited = SurveyInvitation.objects.filter(survey=survey).count()
    if not survey.is_closed_at(now):
        return SurveyResults(
            survey=survey,
            available=False,
            minimum=minimum,
            invited=invited,
            overall=GroupResult(label="All customer teams", shown=False),
            groups=[],
            hidden_teams=[],
            previous=None,
        )
    previous = _previous_round(survey, now)
    answers = _answers_by_survey([survey.pk] + ([previous.pk] if previous else []))
    rows_of = _by_team(answers[survey.pk])
    grouping = group_answers(rows_of, minimum=minimum)
    before: dict[Any, float] = {}
    if previous is not None:
        previous_rows = _by_team(answers[previous.pk])
        before = _shown_nps(group_answers(previous_rows, minimum=minimum), previous_rows)
    questions = list(survey.own_questions.all())
    names = dict(Team.objects.filter(pk__in=list(rows_of)).values_list("pk", "name"))
    groups = [
        _figures(names[team_id], rows, questions, before.get(team_id))
        for team_id, rows in sorted(grouping.teams.items(), key=lambda item: names[item[0]])
    ]
    if grouping.pooled is not None:
        groups.append(_figures("Other customer teams, together", grouping.pooled, questions, None))
    everything = answers[survey.pk] if grouping.overall_shown else None
    return SurveyResults(
        survey=survey,
        available=True,
        minimum=minimum,
        invited=invited,
        overall=_figures("All customer teams", everything, questions, before.get("all")),
        groups=groups,
        hidden_teams=sorted(names[team_id] for team_id in grouping.hidden_team_ids),
        previous=previous,
    )


# --- a person's invitations -----------------------------------------------------------


@dataclass(frozen=True)
class InvitationState:
    """A survey as one invitee sees it: whether they answered, whether it is open."""

    survey: Survey
    answered: bool
    open: bool
    closed: bool


def invitations_of(person: Person, *, now: datetime | None = None) -> list[InvitationState]:
    """The surveys ``person`` is invited to that have not closed, soonest closing first."""
    now = now or timezone.now()
    invitations = (
        SurveyInvitation.objects.filter(person=person, survey__closes_at__gt=now)
        .select_related("survey__provider_team")
        .order_by("survey__closes_at", "survey_id")
    )
    return [
        InvitationState(
            survey=invitation.survey,
            answered=invitation.used,
            open=invitation.survey.is_open_at(now),
            closed=False,
        )
        for invitation in invitations
    ]


def invitation_for(
    person: Person, survey_id: int, *, now: datetime | None = None
) -> InvitationState:
    """One survey ``person`` was invited to, with its questions; ``NotFound`` otherwise."""
    now = now or timezone.now()
    invitation = (
        SurveyInvitation.objects.filter(person=person, survey_id=survey_id)
        .select_related("survey__provider_team")
        .prefetch_related("survey__own_questions")
        .first()
    )
    if invitation is None:
        raise NotFound("No such survey.")
    survey = invitation.survey
    return InvitationState(
        survey=survey,
        answered=invitation.used,
        open=survey.is_open_at(now),
        closed=survey.is_closed_at(now),
    )


def teams_surveyed_by(viewer: policy.Viewer) -> QuerySet[Team]:
    """The active teams whose surveys the viewer runs: the teams they lead."""
    return Team.objects.filter(pk__in=viewer.lead_team_ids, is_active=True).order_by("name")


def team_choices() -> QuerySet[Team]:
    """The teams a lead may name as a survey's customers."""
    return Team.objects.filter(is_active=True).order_by("name")


def team_ids_named(slugs: Sequence[str], *, field: str) -> list[int]:
    """The ids of the active teams with these slugs; ``InvalidInput`` naming the unknown."""
    found = dict(Team.objects.filter(slug__in=slugs, is_active=True).values_list("slug", "pk"))
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        raise InvalidInput(
            "Some teams do not exist.", fields={field: f"No such team: {', '.join(missing)}."}
        )
    return [found[slug] for slug in slugs]


def survey_with_questions(survey_id: int) -> Survey:
    """A survey with its team, customer teams and questions, for one its caller may see."""
    return (
        Survey.objects.select_related("provider_team")
        .prefetch_related("customer_teams", "own_questions")
        .get(pk=survey_id)
    )
