"""Two closed rounds of relationship surveys for a few provider teams, deterministic by seed.

The loved provider of ``feedback_story`` (Workplace) has promoters all round, the
struggling one (Identity & Access) more detractors than promoters, a little better in
the second round; the IT Service
Desk sits in between. The customer teams asked are the ones that filed the most
requests to each team in the demo's history; their people answer at a believable
rate, so some small teams fall under the minimum group size and show pooled or not
at all, as they would for real. Everything is written in bulk: a handful of queries
whatever the demo's size.
"""

import random
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count

from inhouse.demo.feedback_story import LOVED_PROVIDER, STRUGGLING_PROVIDER
from inhouse.desk.models import Request
from inhouse.feedback.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion
from inhouse.org.models import Membership, Team, TeamKind

LOVED_TEAM = LOVED_PROVIDER
STRUGGLING_TEAM = STRUGGLING_PROVIDER
CUSTOMER_TEAMS_ASKED = 6
OPEN_DAYS = 14


@dataclass(frozen=True)
class Mood:
    """How a team's customers answer: likelihood to recommend (mean, spread), the mean
    driver score, the share of invitees who answer, and what they write."""

    recommend: tuple[float, float]
    drivers: float
    response_rate: float
    comments: tuple[str, ...]


MOODS: dict[str, tuple[Mood, Mood]] = {
    LOVED_TEAM: (
        Mood(
            (9.0, 1.1),
            4.5,
            0.72,
            (
                "Desks and rooms are always ready when we arrive.",
                "They fixed the meeting room screen within the hour.",
                "Friendly, fast, and they tell you when it is done.",
            ),
        ),
        Mood(
            (9.2, 0.9),
            4.6,
            0.75,
            (
                "The new booking form is much easier.",
                "Always a pleasure to ask them for anything.",
                "The office move went without a hitch thanks to them.",
            ),
        ),
    ),
    STRUGGLING_TEAM: (
        Mood(
            (4.2, 2.2),
            2.3,
            0.48,
            (
                "Access requests take weeks and nobody says why.",
                "I never know which form to use for which system.",
                "We lost two days of onboarding waiting for accounts.",
                "Replies are short and unclear.",
            ),
        ),
        Mood(
            (5.4, 2.1),
            2.8,
            0.55,
            (
                "Better than last time, but still slow for new starters.",
                "The status updates help; the waiting does not.",
                "Please explain what you need from us up front.",
            ),
        ),
    ),
    "it-service-desk": (
        Mood(
            (7.4, 1.8),
            3.7,
            0.6,
            (
                "Good once someone picks it up; the first reply can take a while.",
                "Laptop swaps are smooth.",
            ),
        ),
        Mood(
            (7.8, 1.6),
            3.9,
            0.62,
            (
                "Quicker first replies this quarter.",
                "The self-service articles saved me a ticket.",
            ),
        ),
    ),
}
OWN_QUESTION = "How useful are our self-service articles?"


def _score(rng: random.Random, mean: float, spread: float, low: int, high: int) -> int:
    return max(low, min(high, round(rng.gauss(mean, spread))))


def write_survey_rounds(*, seed: int, now: datetime) -> int:
    """Write two closed survey rounds per team in ``MOODS``; returns how many answers."""
    rng = random.Random(f"surveys-{seed}")
    teams = {team.slug: team for team in Team.objects.filter(slug__in=list(MOODS))}
    year_ago = now - timedelta(days=365)
    filed = (
        Request.objects.filter(provider_team__in=teams.values(), created_at__gte=year_ago)
        .exclude(customer_team=None)
        .values("provider_team_id", "customer_team_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    volumes: dict[int, Counter[int]] = {}
    for row in filed:
        if row["customer_team_id"] != row["provider_team_id"]:
            volumes.setdefault(row["provider_team_id"], Counter())[row["customer_team_id"]] = row[
                "count"
            ]
    # Departments file few requests of their own; their teams are the customers asked.
    departments = set(Team.objects.filter(kind=TeamKind.DEPARTMENT).values_list("pk", flat=True))
    asked = {
        team.pk: [
            pk for pk, _ in volumes.get(team.pk, Counter()).most_common() if pk not in departments
        ][:CUSTOMER_TEAMS_ASKED]
        for team in teams.values()
    }
    members: dict[int, list[int]] = {}
    team_of_person: dict[int, set[int]] = {}
    for person_id, team_id in (
        Membership.objects.filter(person__is_active=True)
        .order_by("team_id", "person_id")
        .values_list("person_id", "team_id")
    ):
        members.setdefault(team_id, []).append(person_id)
        team_of_person.setdefault(person_id, set()).add(team_id)

    # Round one half a year ago, round two closed three weeks ago.
    starts = (now - timedelta(days=200), now - timedelta(days=35))
    surveys: list[Survey] = []
    for team in sorted(teams.values(), key=lambda team: team.slug):
        if not asked[team.pk]:
            continue
        for opens_at in starts:
            closes_at = opens_at + timedelta(days=OPEN_DAYS)
            surveys.append(
                Survey(
                    provider_team=team,
                    title=f"Relationship survey, {opens_at:%B %Y}",
                    created_at=opens_at - timedelta(days=3),
                    opens_at=opens_at,
                    remind_at=opens_at + timedelta(days=OPEN_DAYS / 2),
                    closes_at=closes_at,
                    audience_from=(opens_at - timedelta(days=180)).date(),
                    audience_to=opens_at.date(),
                    invitations_sent_at=opens_at,
                    reminder_sent_at=opens_at + timedelta(days=OPEN_DAYS / 2),
                )
            )
    Survey.objects.bulk_create(surveys)
    Survey.customer_teams.through.objects.bulk_create(
        Survey.customer_teams.through(survey_id=survey.pk, team_id=team_id)
        for survey in surveys
        for team_id in asked[survey.provider_team_id]
    )
    second_rounds = surveys[1::2]
    questions = SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, position=1, prompt=OWN_QUESTION, kind="score")
        for survey in second_rounds
    )
    question_of = {question.survey_id: question for question in questions}

    invitations: list[SurveyInvitation] = []
    answers: list[SurveyAnswer] = []
    slug_of = {team.pk: slug for slug, team in teams.items()}
    for index, survey in enumerate(surveys):
        mood = MOODS[slug_of[survey.provider_team_id]][index % 2]
        invited: set[int] = set()
        for customer_team_id in asked[survey.provider_team_id]:
            for person_id in members.get(customer_team_id, []):
                if person_id in invited or survey.provider_team_id in team_of_person[person_id]:
                    continue
                invited.add(person_id)
                used = rng.random() < mood.response_rate
                invitations.append(
                    SurveyInvitation(
                        survey=survey,
                        person_id=person_id,
                        customer_team_id=customer_team_id,
                        used=used,
                    )
                )
                if used:
                    answers.append(_answer(rng, survey, customer_team_id, mood, question_of))
    SurveyInvitation.objects.bulk_create(invitations, batch_size=2000)
    # Shuffled, as the keys are random: nothing lines an answer up with an invitation.
    rng.shuffle(answers)
    SurveyAnswer.objects.bulk_create(answers, batch_size=2000)
    return len(answers)


def _answer(
    rng: random.Random,
    survey: Survey,
    customer_team_id: int,
    mood: Mood,
    question_of: dict[int, SurveyQuestion],
) -> SurveyAnswer:
    recommend = _score(rng, *mood.recommend, 0, 10)
    # A customer who would recommend the team also scores it higher on each driver.
    lean = (recommend - 7) / 4

    def driver() -> int:
        return _score(rng, mood.drivers + lean, 0.7, 1, 5)

    question = question_of.get(survey.pk)
    return SurveyAnswer(
        id=uuid.UUID(int=rng.getrandbits(128), version=4),
        survey=survey,
        customer_team_id=customer_team_id,
        recommend=recommend,
        timeliness=driver(),
        quality=driver(),
        communication=driver(),
        ease_of_asking=driver(),
        comment=rng.choice(mood.comments) if rng.random() < 0.35 else "",
        own_answers={str(question.pk): driver()} if question is not None else {},
    )
