"""A provider team's satisfaction as its leads see it beside the team's kudos.

Two figures, each under the anonymity rule of the feedback it comes from:

- **CSAT** from the requesters' ratings of the requests the team served, over the last
  30 and 90 days, each with the same span before it for the trend. A span with fewer
  than ``settings.FEEDBACK_MIN_GROUP_SIZE`` ratings shows nothing, not even its count,
  as every ratings aggregate does; a trend needs both spans shown.
- **NPS** of the team's latest closed relationship survey, shown only when the survey's
  answers reach the survey minimum (the same rule as the survey's overall result).

Only the team's leads and org admins see either. Three queries, whatever the data.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from inhouse import policy
from inhouse.core.errors import NotFound, PermissionDenied
from inhouse.feedback.models import Rating, Survey, SurveyAnswer
from inhouse.feedback.models.ratings import SATISFIED_FROM
from inhouse.feedback.selectors import ratings as ratings_selectors
from inhouse.feedback.selectors import surveys as survey_selectors
from inhouse.feedback.selectors.ratings import Satisfaction
from inhouse.org.models import Team

# The spans a lead sees CSAT over, shortest first.
SATISFACTION_SPANS_DAYS = (30, 90)


@dataclass(frozen=True)
class SpanSatisfaction:
    """CSAT over the last ``days`` and over the ``days`` before them; either is ``None``
    when it rests on fewer ratings than the minimum group."""

    days: int
    current: Satisfaction | None
    previous: Satisfaction | None

    @property
    def csat_change(self) -> int | None:
        """Percentage points against the span before, when both are shown."""
        if self.current is None or self.previous is None:
            return None
        now, before = self.current.csat_percent, self.previous.csat_percent
        return None if now is None or before is None else now - before


@dataclass(frozen=True)
class SurveyNps:
    """The net promoter score of one closed survey round, shown from the minimum up."""

    survey_id: int
    title: str
    closed_at: datetime
    respondents: int
    nps: float


@dataclass(frozen=True)
class TeamSatisfaction:
    team: Team
    min_group_size: int
    spans: list[SpanSatisfaction]
    # ``None`` without a closed survey, or when too few answered it.
    latest_survey: SurveyNps | None


def may_see_team_satisfaction(viewer: policy.Viewer, team: Team) -> bool:
    """The team's leads (and org admins): the same people who run its surveys."""
    return policy.can_manage_team(viewer, team)


def _shown(count: int, high: int, mean: float | None, *, floor: int) -> Satisfaction | None:
    if count < floor:
        return None
    return Satisfaction(
        ratings=count, satisfied=high, mean=round(float(mean), 2) if mean is not None else None
    )


def _spans(team: Team, *, now: datetime, floor: int) -> list[SpanSatisfaction]:
    """Every span and the one before it, in one aggregate query."""
    longest = max(SATISFACTION_SPANS_DAYS)
    ratings = Rating.objects.filter(
        provider_team=team, given_at__gt=now - timedelta(days=2 * longest), given_at__lte=now
    )
    aggregates: dict[str, Count | Avg] = {}
    for days in SATISFACTION_SPANS_DAYS:
        start, before = now - timedelta(days=days), now - timedelta(days=2 * days)
        for key, window in (
            (f"cur{days}", Q(given_at__gt=start)),
            (f"prev{days}", Q(given_at__gt=before, given_at__lte=start)),
        ):
            aggregates[f"{key}_count"] = Count("pk", filter=window)
            aggregates[f"{key}_high"] = Count("pk", filter=window & Q(score__gte=SATISFIED_FROM))
            aggregates[f"{key}_mean"] = Avg("score", filter=window)
    summed = ratings.order_by().aggregate(**aggregates)

    def shown(key: str) -> Satisfaction | None:
        return _shown(
            summed[f"{key}_count"], summed[f"{key}_high"], summed[f"{key}_mean"], floor=floor
        )

    return [
        SpanSatisfaction(days=days, current=shown(f"cur{days}"), previous=shown(f"prev{days}"))
        for days in SATISFACTION_SPANS_DAYS
    ]


def _latest_survey_nps(team: Team, *, now: datetime) -> SurveyNps | None:
    """The latest closed round's NPS: results exist only once a survey has closed."""
    survey = (
        Survey.objects.filter(provider_team=team, closes_at__lte=now)
        .order_by("-closes_at", "-id")
        .only("pk", "title", "closes_at")
        .first()
    )
    if survey is None:
        return None
    counted = SurveyAnswer.objects.filter(survey=survey).aggregate(
        respondents=Count("pk"),
        promoters=Count("pk", filter=Q(recommend__gte=survey_selectors.PROMOTER_FROM)),
        detractors=Count("pk", filter=Q(recommend__lte=survey_selectors.DETRACTOR_UP_TO)),
    )
    respondents = counted["respondents"]
    if respondents < survey_selectors.min_group_size():
        return None
    return SurveyNps(
        survey_id=survey.pk,
        title=survey.title,
        closed_at=survey.closes_at,
        respondents=respondents,
        nps=100.0 * (counted["promoters"] - counted["detractors"]) / respondents,
    )


def team_satisfaction(team: Team, *, now: datetime | None = None) -> TeamSatisfaction:
    """The figures, for a caller that checked ``may_see_team_satisfaction``."""
    now = now or timezone.now()
    floor = ratings_selectors.min_group_size()
    return TeamSatisfaction(
        team=team,
        min_group_size=floor,
        spans=_spans(team, now=now, floor=floor),
        latest_survey=_latest_survey_nps(team, now=now),
    )


def team_satisfaction_for(
    viewer: policy.Viewer, slug: str, *, now: datetime | None = None
) -> TeamSatisfaction:
    """The satisfaction of the active team ``slug`` for its leads (``NotFound`` for no
    such team, ``PermissionDenied`` for anyone else: teams themselves are public)."""
    team = Team.objects.filter(slug=slug, is_active=True).first()
    if team is None:
        raise NotFound()
    if not may_see_team_satisfaction(viewer, team):
        raise PermissionDenied("Only the team's leads see its satisfaction.")
    return team_satisfaction(team, now=now)
