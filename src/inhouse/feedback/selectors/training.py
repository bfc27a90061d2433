"""Reads of training sessions: who may attend which, the upcoming list, a session's
page, and which customer teams are suggested a provider's next session.

A session is for its audience teams (everyone when it names none) and for its own
provider team; org admins see every session. Anyone else is told it does not exist.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from inhouse import policy
from inhouse.core.errors import NotFound
from inhouse.feedback.models import TrainingSession, TrainingSignup
from inhouse.feedback.models.ratings import ClarityRating
from inhouse.knowledge.models import Article
from inhouse.knowledge.selectors.for_services import published_articles_for_services
from inhouse.org.models import Person, Team

# A suggestion lists this many articles on the services whose requests were unclear.
SUGGESTED_ARTICLES = 3


def _attendable_q(viewer: policy.Viewer) -> Q:
    if viewer.is_admin:
        return Q()
    audience = TrainingSession.audience_teams.through.objects.filter(
        trainingsession_id=OuterRef("pk")
    )
    return (
        ~Q(Exists(audience))
        | Q(Exists(audience.filter(team_id__in=viewer.team_ids)))
        | Q(provider_team_id__in=viewer.team_ids)
    )


def may_attend(viewer: policy.Viewer, session: TrainingSession) -> bool:
    """Whether the session is for the viewer (see the module's rule)."""
    return TrainingSession.objects.filter(_attendable_q(viewer), pk=session.pk).exists()


def sessions_for(viewer: policy.Viewer) -> QuerySet[TrainingSession]:
    """Every session the viewer may attend, with whether they signed up (``signed_up``)."""
    return (
        TrainingSession.objects.filter(_attendable_q(viewer))
        .select_related("provider_team")
        .prefetch_related("audience_teams")
        .annotate(
            signed_up=Exists(
                TrainingSignup.objects.filter(session_id=OuterRef("pk"), person=viewer.person)
            )
        )
    )


def upcoming_sessions_for(
    viewer: policy.Viewer, *, now: datetime | None = None, provider_team: Team | None = None
) -> list[TrainingSession]:
    """The sessions still to start that the viewer may attend, soonest first."""
    sessions = sessions_for(viewer).filter(starts_at__gt=now or timezone.now())
    if provider_team is not None:
        sessions = sessions.filter(provider_team=provider_team)
    return list(sessions.order_by("starts_at", "id"))


def get_session_for(viewer: policy.Viewer, session_id: int) -> TrainingSession:
    session = sessions_for(viewer).filter(pk=session_id).first()
    if session is None:
        raise NotFound("No such training session.")
    return session


@dataclass(frozen=True)
class SessionPage:
    session: TrainingSession
    my_signup: TrainingSignup | None
    # Who signed up, for the provider team's leads; empty for everyone else.
    attendees: list[Person]
    can_manage: bool
    has_started: bool
    has_ended: bool
    # The mean rating, shown only from FEEDBACK_MIN_GROUP_SIZE ratings up.
    rating_mean: float | None
    rating_count: int


def session_page(viewer: policy.Viewer, session: TrainingSession) -> SessionPage:
    now = timezone.now()
    can_manage = policy.can_manage_team(viewer, session.provider_team)
    signups = TrainingSignup.objects.filter(session=session)
    ratings = signups.filter(rating__isnull=False).aggregate(mean=Avg("rating"), count=Count("pk"))
    enough = ratings["count"] >= settings.FEEDBACK_MIN_GROUP_SIZE
    return SessionPage(
        session=session,
        my_signup=signups.filter(person=viewer.person).first(),
        attendees=[
            signup.person
            for signup in signups.select_related("person").order_by("person__full_name")
        ]
        if can_manage
        else [],
        can_manage=can_manage,
        has_started=session.starts_at <= now,
        has_ended=session.ends_at <= now,
        rating_mean=round(ratings["mean"], 1) if enough else None,
        rating_count=ratings["count"],
    )


def clarity_by_customer_team(provider_team: Team) -> dict[int, tuple[float, int]]:
    """How clear ``provider_team``'s agents rated each customer team's requests:
    ``{customer_team_id: (mean score, number of ratings)}``, over every rating."""
    rows = (
        ClarityRating.objects.filter(
            request__provider_team=provider_team, request__customer_team__isnull=False
        )
        .values("request__customer_team_id")
        .annotate(mean=Avg("score"), count=Count("pk"))
        .order_by()
    )
    return {row["request__customer_team_id"]: (float(row["mean"]), row["count"]) for row in rows}


@dataclass(frozen=True)
class TrainingSuggestion:
    """A provider's next session, suggested to the lead of a customer team whose requests
    the provider rates unclear."""

    session: TrainingSession
    customer_team: Team
    clarity_mean: float
    clarity_count: int
    # Published articles on the services of the requests rated unclear, most helpful first.
    articles: list[Article] = field(default_factory=list)


def suggested_sessions_for(
    viewer: policy.Viewer, *, now: datetime | None = None
) -> list[TrainingSuggestion]:
    """For each team the viewer leads: the next upcoming session of every provider whose
    agents rated that team's requests unclear, from FEEDBACK_MIN_GROUP_SIZE ratings up
    with a mean below TRAINING_UNCLEAR_BELOW."""
    if not viewer.lead_team_ids:
        return []
    led_teams = Team.objects.in_bulk(list(viewer.lead_team_ids))
    next_by_provider: dict[int, TrainingSession] = {}
    for session in upcoming_sessions_for(viewer, now=now):
        next_by_provider.setdefault(session.provider_team_id, session)
    suggestions = []
    for provider_id, session in sorted(next_by_provider.items()):
        clarity = clarity_by_customer_team(session.provider_team)
        for team_id in sorted(viewer.lead_team_ids - {provider_id}):
            mean, count = clarity.get(team_id, (0.0, 0))
            if count >= settings.FEEDBACK_MIN_GROUP_SIZE and mean < settings.TRAINING_UNCLEAR_BELOW:
                suggestions.append(
                    TrainingSuggestion(session, led_teams[team_id], round(mean, 1), count)
                )
    return _with_articles(viewer, suggestions)


def _unclear_services(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], set[int]]:
    """The services of the requests each provider rated unclear, per (provider, customer
    team). Confidential requests stay out: naming their service to the customer team's
    lead would hint at a colleague's HR case. One query."""
    providers = {provider for provider, _team in pairs}
    teams = {team for _provider, team in pairs}
    rows = (
        ClarityRating.objects.filter(
            request__provider_team_id__in=providers,
            request__customer_team_id__in=teams,
            request__confidential=False,
            score__lt=settings.TRAINING_UNCLEAR_BELOW,
        )
        .values_list(
            "request__provider_team_id", "request__customer_team_id", "request__service_id"
        )
        .distinct()
        .order_by()
    )
    services: dict[tuple[int, int], set[int]] = {}
    for provider, team, service in rows:
        if (provider, team) in pairs:
            services.setdefault((provider, team), set()).add(service)
    return services


def _with_articles(
    viewer: policy.Viewer, suggestions: list[TrainingSuggestion]
) -> list[TrainingSuggestion]:
    """Each suggestion with a few articles the viewer may read on the services concerned,
    in a constant number of queries however many suggestions there are."""
    if not suggestions:
        return suggestions
    services = _unclear_services(
        {(s.session.provider_team_id, s.customer_team.pk) for s in suggestions}
    )
    by_service = published_articles_for_services(
        viewer, {pk for ids in services.values() for pk in ids}, limit=SUGGESTED_ARTICLES
    )
    found = []
    for suggestion in suggestions:
        concerned = services.get((suggestion.session.provider_team_id, suggestion.customer_team.pk))
        articles = {
            article.pk: article
            for service_id in sorted(concerned or ())
            for article in by_service.get(service_id, [])
        }
        ranked = sorted(
            articles.values(), key=lambda a: (-getattr(a, "helpful_yes", 0), a.title, a.pk)
        )
        found.append(replace(suggestion, articles=ranked[:SUGGESTED_ARTICLES]))
    return found
