"""Demo kudos over the year and training sessions with sign-ups and ratings.

Deterministic for a seed and fast: a few reads of what the history writer left, then
bulk inserts. Most kudos thank the people and teams who resolved a requester's request;
the loved provider of ``feedback_story`` (Workplace) is thanked far more often than
others and the struggling one (Identity & Access) rarely, and their training sessions
are received the same way, so the team pages differ at a glance.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from inhouse.demo.feedback_story import LOVED_PROVIDER, STRUGGLING_PROVIDER
from inhouse.desk.models import Request, Status
from inhouse.feedback.models import Kudos, KudosSetting, TrainingSession, TrainingSignup
from inhouse.org.models import Membership, MembershipRole, Person, Team

LOVED_TEAM = LOVED_PROVIDER
STRUGGLING_TEAM = STRUGGLING_PROVIDER
# How much more (or less) often each is thanked than an ordinary team.
TEAM_WEIGHT = {LOVED_TEAM: 6.0, STRUGGLING_TEAM: 0.15}
# At most this many kudos, whatever the size of the history.
KUDOS_MAX = 4000
SHARE_WITH_MANAGER_SHARE = 0.4

MESSAGES = (
    "Thank you for sorting this out so quickly!",
    "You went **well beyond** what I asked for.",
    "Patient, clear and kind. Thank you.",
    "That saved our launch, thanks a lot.",
    "Really appreciate the follow-up.",
    "Fast, friendly and it just works now.",
    "Thanks for explaining the process so clearly.",
    "You made a stressful week much easier.",
)

SESSIONS = (
    # provider team, title, place, link
    ("it-service-desk", "Asking IT well: what a good request carries", "Berlin, room 4.12", ""),
    (
        "workplace",
        "Booking rooms and moves without the back-and-forth",
        "",
        "https://meet.example.com/workplace",
    ),
    (
        STRUGGLING_PROVIDER,
        "Asking for access: what Identity & Access needs from you",
        "Berlin, room 2.03",
        "",
    ),
    (
        "controlling",
        "Budget requests that pass the first time",
        "",
        "https://meet.example.com/controlling",
    ),
)


@dataclass(frozen=True)
class FeedbackKudosTotals:
    kudos: int
    sessions: int
    signups: int


def populate_kudos_and_training(*, seed: int, now: datetime) -> FeedbackKudosTotals:
    rng = random.Random(f"kudos-{seed}")
    teams = {slug: pk for pk, slug in Team.objects.values_list("pk", "slug")}
    slug_of = {pk: slug for slug, pk in teams.items()}
    members: dict[int, list[int]] = defaultdict(list)
    leads: dict[int, int] = {}
    for person_id, team_id, role in Membership.objects.order_by("pk").values_list(
        "person_id", "team_id", "role"
    ):
        members[team_id].append(person_id)
        if role == MembershipRole.LEAD:
            leads.setdefault(team_id, person_id)
    people = list(Person.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    if len(people) < 2:
        return FeedbackKudosTotals(0, 0, 0)
    kudos = _kudos(rng, now, people, members, slug_of)
    Kudos.objects.bulk_create(kudos, batch_size=1000)
    KudosSetting.objects.bulk_create(
        [
            KudosSetting(person_id=pk, share_with_manager=True, updated_at=now)
            for pk in people
            if rng.random() < SHARE_WITH_MANAGER_SHARE
        ],
        batch_size=1000,
    )
    sessions, signups = _training(rng, now, teams, members, leads, people)
    return FeedbackKudosTotals(len(kudos), sessions, signups)


def _weight(team_id: int, slug_of: dict[int, str]) -> float:
    return TEAM_WEIGHT.get(slug_of.get(team_id, ""), 1.0)


def _kudos(
    rng: random.Random,
    now: datetime,
    people: list[int],
    members: dict[int, list[int]],
    slug_of: dict[int, str],
) -> list[Kudos]:
    served = list(
        Request.objects.filter(
            status__in=[Status.RESOLVED, Status.CLOSED],
            confidential=False,
            resolved_at__gt=now - timedelta(days=365),
        )
        .order_by("pk")
        .values_list("pk", "requester_id", "provider_team_id", "assignee_id", "resolved_at")
    )
    rows: list[Kudos] = []
    target = min(KUDOS_MAX, len(served) // 5 + 150)
    for request_id, requester_id, team_id, assignee_id, resolved_at in served:
        if len(rows) >= target * 0.7:
            break
        # An ordinary resolved request is thanked now and then; the loved team's far more.
        if resolved_at is None or rng.random() > 0.2 * _weight(team_id, slug_of):
            continue
        at = min(resolved_at + timedelta(hours=rng.uniform(0.5, 48)), now)
        thank_assignee = bool(assignee_id) and assignee_id != requester_id and rng.random() < 0.7
        rows.append(
            Kudos(
                sender_id=requester_id,
                recipient_person_id=assignee_id if thank_assignee else None,
                recipient_team_id=None if thank_assignee else team_id,
                request_id=request_id,
                message=rng.choice(MESSAGES),
                created_at=at,
            )
        )
    team_ids = [team_id for team_id in members if members[team_id]]
    weights = [_weight(team_id, slug_of) for team_id in team_ids]
    while len(rows) < target and team_ids:
        sender = rng.choice(people)
        team_id = rng.choices(team_ids, weights)[0]
        colleagues = [pk for pk in members[team_id] if pk != sender]
        to_team = rng.random() < 0.3 or not colleagues
        rows.append(
            Kudos(
                sender_id=sender,
                recipient_person_id=None if to_team else rng.choice(colleagues),
                recipient_team_id=team_id if to_team else None,
                message=rng.choice(MESSAGES),
                created_at=now - timedelta(minutes=rng.randint(30, 365 * 24 * 60)),
            )
        )
    return rows


def _training(
    rng: random.Random,
    now: datetime,
    teams: dict[str, int],
    members: dict[int, list[int]],
    leads: dict[int, int],
    people: list[int],
) -> tuple[int, int]:
    """Per provider: three past sessions (attended and rated) and two to come."""
    customer_teams = [pk for pk, ids in members.items() if ids]
    sessions: list[tuple[TrainingSession, list[int], float]] = []
    for slug, title, place, link in SESSIONS:
        provider_id = teams.get(slug)
        if provider_id is None or provider_id not in leads:
            continue
        # How the provider's sessions are received follows how its work is.
        liking = {LOVED_TEAM: 4.6, STRUGGLING_TEAM: 2.6}.get(slug, 3.8)
        for number, days in enumerate((-250, -140, -40, 9, 30)):
            starts = (now + timedelta(days=days + rng.uniform(-3, 3))).replace(
                minute=0, second=0, microsecond=0
            )
            audience = (
                rng.sample(customer_teams, k=min(3, len(customer_teams))) if number % 2 else []
            )
            session = TrainingSession(
                provider_team_id=provider_id,
                title=title if number < 3 else f"{title} ({'next' if days < 20 else 'later'})",
                description="What we need from you, how we work, and your questions.",
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                place=place,
                link=link,
                capacity=rng.choice((12, 20, 30)),
                created_by_id=leads[provider_id],
                created_at=starts - timedelta(days=21),
            )
            sessions.append((session, audience, liking))
    TrainingSession.objects.bulk_create([session for session, _a, _l in sessions])
    Through = TrainingSession.audience_teams.through
    Through.objects.bulk_create(
        Through(trainingsession_id=session.pk, team_id=team_id)
        for session, audience, _liking in sessions
        for team_id in audience
    )
    signups: list[TrainingSignup] = []
    seats: list[TrainingSession] = []
    for session, audience, liking in sessions:
        pool = sorted({pk for team_id in audience for pk in members[team_id]}) or people
        taken = rng.sample(
            pool, k=min(len(pool), rng.randint(session.capacity // 2, session.capacity))
        )
        ended = session.ends_at <= now
        for person_id in taken:
            rating = round(min(5, max(1, rng.gauss(liking, 0.8)))) if ended else None
            signups.append(
                TrainingSignup(
                    session_id=session.pk,
                    person_id=person_id,
                    created_at=session.created_at + timedelta(days=rng.uniform(0, 14)),
                    reminded_at=session.starts_at - timedelta(hours=20) if ended else None,
                    rating=rating if ended and rng.random() < 0.7 else None,
                    rated_at=session.ends_at + timedelta(hours=2) if ended else None,
                )
            )
        session.seats_taken = len(taken)
        seats.append(session)
    TrainingSignup.objects.bulk_create(signups, batch_size=1000)
    TrainingSession.objects.bulk_update(seats, ["seats_taken"])
    return len(sessions), len(signups)
