"""Reading ratings: one request's, as each side is shown it, and the aggregates.

CSAT is the share of ratings of 4 or 5 among all ratings, with the mean score beside
it; clarity is the mean of the providers' clarity scores of a customer team's
requests, with the share rated 4 or 5 ("clear"). Both cover the last
``AGGREGATE_PERIOD``. A team's clarity is shown to its own members only as an
aggregate of at least ``settings.FEEDBACK_MIN_GROUP_SIZE`` ratings, and never per
request (``docs/feedback.md``).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from inhouse import policy
from inhouse.catalog.models import FormField, Service
from inhouse.core.errors import NotFound, PermissionDenied
from inhouse.desk.models import Request, Status
from inhouse.feedback.models import ClarityRating, Rating
from inhouse.feedback.models.ratings import SATISFIED_FROM
from inhouse.org.models import Team

# How long after it was given a requester may still change a rating.
RATING_CHANGE_WINDOW = timedelta(days=7)
# The period every aggregate covers, ending now.
AGGREGATE_PERIOD = timedelta(days=365)


def is_rateable(request: Request) -> bool:
    """Resolved, or closed after a resolution (not cancelled, not rejected)."""
    return request.status in (Status.RESOLVED, Status.CLOSED) and request.resolved_at is not None


def rating_is_changeable(rating: Rating, request: Request, *, now: datetime) -> bool:
    """Whether the requester may still change ``rating``: within the window after it was
    given, or anew once the request was resolved again after it was given."""
    if not is_rateable(request):
        return False
    if request.resolved_at is not None and request.resolved_at > rating.given_at:
        return True
    return now - rating.given_at <= RATING_CHANGE_WINDOW


# --- aggregates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    """CSAT over a set of ratings."""

    ratings: int
    satisfied: int
    mean: float | None

    @property
    def csat_percent(self) -> int | None:
        """The share of ratings of 4 or 5, as a whole percentage."""
        return round(100 * self.satisfied / self.ratings) if self.ratings else None


@dataclass(frozen=True)
class Clarity:
    """Clarity over a set of clarity ratings."""

    ratings: int
    clear: int
    mean: float | None

    @property
    def clear_percent(self) -> int | None:
        return round(100 * self.clear / self.ratings) if self.ratings else None


def min_group_size() -> int:
    return max(1, settings.FEEDBACK_MIN_GROUP_SIZE)


def _period_start(now: datetime | None) -> datetime:
    return (now or timezone.now()) - AGGREGATE_PERIOD


def _summed(rows: QuerySet[Rating] | QuerySet[ClarityRating]) -> dict[str, float | int | None]:
    return rows.aggregate(
        count=Count("pk"),
        high=Count("pk", filter=Q(score__gte=SATISFIED_FROM)),
        mean=Avg("score"),
    )


def _satisfaction(rows: QuerySet[Rating]) -> Satisfaction:
    summed = _summed(rows)
    mean = summed["mean"]
    return Satisfaction(
        ratings=int(summed["count"] or 0),
        satisfied=int(summed["high"] or 0),
        mean=round(float(mean), 2) if mean is not None else None,
    )


def satisfaction_of_team(team: Team, *, now: datetime | None = None) -> Satisfaction:
    """CSAT of the requests ``team`` served, over the aggregate period."""
    return _satisfaction(
        Rating.objects.filter(provider_team=team, given_at__gte=_period_start(now))
    )


def satisfaction_of_service(service: Service, *, now: datetime | None = None) -> Satisfaction:
    return _satisfaction(Rating.objects.filter(service=service, given_at__gte=_period_start(now)))


def satisfaction_by_team(*, now: datetime | None = None) -> dict[int, Satisfaction]:
    """CSAT of every team that was rated in the period, by team id, in one query."""
    rows = (
        Rating.objects.filter(given_at__gte=_period_start(now))
        .values("provider_team_id")
        .annotate(
            count=Count("pk"),
            high=Count("pk", filter=Q(score__gte=SATISFIED_FROM)),
            mean=Avg("score"),
        )
        .order_by("provider_team_id")
    )
    return {
        row["provider_team_id"]: Satisfaction(
            ratings=row["count"], satisfied=row["high"], mean=round(float(row["mean"]), 2)
        )
        for row in rows
    }


def _clarity(rows: QuerySet[ClarityRating]) -> Clarity:
    summed = _summed(rows)
    mean = summed["mean"]
    return Clarity(
        ratings=int(summed["count"] or 0),
        clear=int(summed["high"] or 0),
        mean=round(float(mean), 2) if mean is not None else None,
    )


@dataclass(frozen=True)
class TeamClarity:
    """How clear a customer team's requests are, as the teams serving it rate them.

    ``overall`` is ``None`` below the minimum group size; ``by_provider`` lists only the
    providers that rated at least that many of its requests.
    """

    team: Team
    min_group_size: int
    overall: Clarity | None
    by_provider: list[tuple[Team, Clarity]] = field(default_factory=list)


def clarity_of_customer_team(team: Team, *, now: datetime | None = None) -> TeamClarity:
    """The aggregate with its breakdown by provider, each hidden below the minimum group."""
    floor = min_group_size()
    # Confidential cases stay out: their count alone would hint at colleagues' HR cases.
    rows = ClarityRating.objects.filter(
        customer_team=team, rated_at__gte=_period_start(now), request__confidential=False
    )
    overall = _clarity(rows)
    if overall.ratings < floor:
        return TeamClarity(team=team, min_group_size=floor, overall=None)
    grouped = (
        rows.values("provider_team_id")
        .annotate(
            count=Count("pk"),
            high=Count("pk", filter=Q(score__gte=SATISFIED_FROM)),
            mean=Avg("score"),
        )
        .filter(count__gte=floor)
        .order_by("provider_team_id")
    )
    providers = {row["provider_team_id"]: row for row in grouped}
    teams = Team.objects.in_bulk(list(providers)) if providers else {}
    by_provider = sorted(
        (
            (
                teams[team_id],
                Clarity(ratings=row["count"], clear=row["high"], mean=round(row["mean"], 2)),
            )
            for team_id, row in providers.items()
            if team_id in teams
        ),
        key=lambda pair: pair[0].name,
    )
    return TeamClarity(team=team, min_group_size=floor, overall=overall, by_provider=by_provider)


def may_see_team_clarity(viewer: policy.Viewer, team: Team) -> bool:
    """A team's members see how clear its requests are rated; admins see every team's."""
    return viewer.is_admin or team.pk in viewer.team_ids


def team_clarity_for(viewer: policy.Viewer, slug: str) -> TeamClarity:
    """The clarity of the team ``slug`` if the viewer may see it (``NotFound`` for no such
    active team, ``PermissionDenied`` for another team's: teams themselves are public)."""
    team = Team.objects.filter(slug=slug, is_active=True).first()
    if team is None:
        raise NotFound()
    if not may_see_team_clarity(viewer, team):
        raise PermissionDenied("Only the team's members see how clear its requests are rated.")
    return clarity_of_customer_team(team)


# --- one request, as each side sees it ------------------------------------------------------


def may_read_rating(viewer: policy.Viewer, request: Request) -> bool:
    """The requester sees their own rating; the team handling the request sees it too."""
    return request.requester_id == viewer.person_id or policy.can_work_request(viewer, request)


@dataclass(frozen=True)
class RatingState:
    """One request's rating as its reader may act on it."""

    rating: Rating | None
    # Whether the reader may give or change it now (only ever the requester).
    may_rate: bool
    # Until when the shown rating can still be changed (UTC); ``None`` when it cannot,
    # or when the next rating is a new one (the request was resolved again since).
    changeable_until: datetime | None


def rating_state(viewer: policy.Viewer, request: Request, *, now: datetime) -> RatingState:
    """The rating of a request the viewer may read it on (check ``may_read_rating``)."""
    rating = Rating.objects.filter(request=request).first()
    is_requester = request.requester_id == viewer.person_id
    may_rate = (
        is_requester
        and is_rateable(request)
        and (rating is None or rating_is_changeable(rating, request, now=now))
    )
    changeable_until = None
    if rating is not None and may_rate:
        renewed = request.resolved_at is not None and request.resolved_at > rating.given_at
        changeable_until = None if renewed else rating.given_at + RATING_CHANGE_WINDOW
    return RatingState(rating=rating, may_rate=may_rate, changeable_until=changeable_until)


def rating_for(viewer: policy.Viewer, request: Request) -> RatingState:
    """The rating of a request the viewer sees, if they may read it (``PermissionDenied``
    for a colleague of the requester's team, who sees the request but not its rating)."""
    if not may_read_rating(viewer, request):
        raise PermissionDenied("Only the requester and the team handling it see its rating.")
    return rating_state(viewer, request, now=timezone.now())


@dataclass(frozen=True)
class ClarityState:
    clarity: ClarityRating | None
    may_rate: bool
    # The agreement's customer obligations as (form field key, label).
    obligations: list[tuple[str, str]]


def _obligations_of(request: Request) -> list[tuple[str, str]]:
    keys = list(request.agreement.customer_obligations) if request.agreement else []
    if not keys:
        return []
    labels = dict(
        FormField.objects.filter(service_id=request.service_id, key__in=keys).values_list(
            "key", "label"
        )
    )
    return [(key, labels.get(key, key)) for key in keys]


def clarity_for(viewer: policy.Viewer, request: Request) -> ClarityState:
    """The clarity rating of a request, for those who work it only: the requester's side
    never sees one agent's rating of one request (``PermissionDenied``)."""
    if not policy.can_work_request(viewer, request):
        raise PermissionDenied("Only the team handling this request sees its clarity rating.")
    clarity = ClarityRating.objects.select_related("rated_by").filter(request=request).first()
    return ClarityState(
        clarity=clarity, may_rate=is_rateable(request), obligations=_obligations_of(request)
    )


@dataclass(frozen=True)
class RequesterRatingPanel:
    """The requester's view of their rating of one request, and whether they may rate."""

    rating: Rating | None
    may_rate: bool
    # Until when the shown rating can still be changed (in UTC).
    changeable_until: datetime | None
    # The panel's controls join the page's reply form while it has one (resolved).
    joins_reply_form: bool
    # Their team's clarity, when there is a team, they belong to it and enough ratings.
    team_clarity: TeamClarity | None


def requester_rating_panel(
    viewer: policy.Viewer, request: Request, *, now: datetime | None = None
) -> RequesterRatingPanel | None:
    """What the portal's request page shows of ratings; ``None`` for anyone who is not
    the requester (a colleague sees neither the rating nor the invitation)."""
    if request.requester_id != viewer.person_id:
        return None
    state = rating_state(viewer, request, now=now or timezone.now())
    team_clarity = None
    if request.customer_team is not None and may_see_team_clarity(viewer, request.customer_team):
        team_clarity = clarity_of_customer_team(request.customer_team, now=now)
        if team_clarity.overall is None:
            team_clarity = None
    if state.rating is None and not state.may_rate and team_clarity is None:
        return None
    return RequesterRatingPanel(
        rating=state.rating,
        may_rate=state.may_rate,
        changeable_until=state.changeable_until,
        joins_reply_form=request.status == Status.RESOLVED,
        team_clarity=team_clarity,
    )


@dataclass(frozen=True)
class ProviderRatingPanel:
    """The provider team's view: the requester's rating, the clarity rating, and the
    team's CSAT for context."""

    rating: Rating | None
    clarity: ClarityRating | None
    may_rate_clarity: bool
    # The agreement's customer obligations as (form field key, label).
    obligations: list[tuple[str, str]]
    team_satisfaction: Satisfaction


def provider_rating_panel(viewer: policy.Viewer, request: Request) -> ProviderRatingPanel | None:
    """What the workspace's request page shows of ratings, for those who work it."""
    if not policy.can_work_request(viewer, request):
        return None
    clarity = clarity_for(viewer, request)
    return ProviderRatingPanel(
        rating=Rating.objects.filter(request=request).first(),
        clarity=clarity.clarity,
        may_rate_clarity=clarity.may_rate,
        obligations=clarity.obligations,
        team_satisfaction=satisfaction_of_team(request.provider_team),
    )
