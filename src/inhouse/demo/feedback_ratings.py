"""A year of ratings from both sides over the demo's resolved requests.

Written after the history, in bulk and deterministic by seed: about half of the
requesters rate what they got (a missed agreement costs a point more often than
not), and the resolving agent rates how clear most requests were. The story is
``feedback_story``'s: its loved provider is rated high, its struggling one low, its
unclear customer files the least clear requests and its clear one the clearest.
Each rating also lands in its request's history as the services write it (``rated``,
``clarity_rated``), chained after the request's last event.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.db import connection
from django.db.models import Max

from inhouse.catalog.models import Agreement
from inhouse.demo.feedback_story import (
    CLEAR_CUSTOMER,
    LOVED_PROVIDER,
    STRUGGLING_PROVIDER,
    UNCLEAR_CUSTOMER,
)
from inhouse.desk import events, history_chain
from inhouse.desk.models import Request, RequestEvent, Status
from inhouse.feedback.models import ClarityRating, Rating
from inhouse.org.models import Team

# The share of requesters who rate, and the mean score they give each team.
RATING_RESPONSE_RATE = 0.45
DEFAULT_SATISFACTION = 4.1
SATISFACTION_BY_TEAM = {LOVED_PROVIDER: 4.75, STRUGGLING_PROVIDER: 2.4}
# The share of requests an agent rates for clarity, and how clear each customer team is.
CLARITY_RESPONSE_RATE = 0.7
DEFAULT_CLARITY = 3.9
CLARITY_BY_CUSTOMER_TEAM = {UNCLEAR_CUSTOMER: 2.5, CLEAR_CUSTOMER: 4.6}
BATCH = 2_000

COMMENTS = {
    1: ("Nobody told me what was going on.", "Took weeks and it still doesn't work."),
    2: ("Slow, and I had to chase it twice.", "Solved in the end, but painful."),
    3: ("Fine, nothing special.", "OK, a bit slow."),
    4: ("Good, thanks!", "Sorted quickly."),
    5: ("Brilliant, thank you so much!", "Faster than I expected. Great work."),
}


@dataclass(frozen=True)
class RatingTotals:
    ratings: int
    clarity_ratings: int

    @property
    def events(self) -> int:
        """Each rating wrote one history event."""
        return self.ratings + self.clarity_ratings


def _score(rng: random.Random, mean: float, *, spread: float = 0.9) -> int:
    return max(1, min(5, round(rng.gauss(mean, spread))))


def write_demo_ratings(*, seed: int, now: datetime) -> RatingTotals:
    """Rate the resolved requests already written; a handful of queries per batch."""
    rng = random.Random(f"ratings-{seed}")
    slugs = dict(Team.objects.values_list("pk", "slug"))
    obligations = dict(Agreement.objects.values_list("pk", "customer_obligations"))
    rateable = (
        Request.objects.filter(
            status__in=(Status.RESOLVED, Status.CLOSED), resolved_at__isnull=False
        )
        .order_by("pk")
        .values_list(
            "pk", "requester_id", "provider_team_id", "service_id", "customer_team_id",
            "assignee_id", "agreement_id", "resolved_at", "sla_breached",
            "history_length", "history_digest",
        )
    )  # fmt: skip
    ratings = clarity_ratings = 0
    last_pk = 0
    # A batch at a time by id, so memory stays flat however large the demo grows.
    while batch := list(rateable.filter(pk__gt=last_pk)[:BATCH]):
        last_pk = batch[-1][0]
        last_events = dict(
            RequestEvent.objects.filter(request_id__in=[row[0] for row in batch])
            .values("request_id")
            .annotate(last=Max("created_at"))
            .values_list("request_id", "last")
        )
        rating_rows: list[Rating] = []
        clarity_rows: list[ClarityRating] = []
        event_rows: list[RequestEvent] = []
        heads: list[tuple[int, str, int]] = []
        for (
            pk, requester_id, team_id, service_id, customer_team_id, assignee_id, agreement_id,
            resolved_at, breached, length, digest,
        ) in batch:  # fmt: skip
            # Ratings follow everything already in the request's history; the query
            # asked only for resolved requests.
            resolved = cast(datetime, resolved_at)
            after: datetime = max(resolved, last_events.get(pk, resolved))
            built: list[RequestEvent] = []
            if assignee_id is not None and rng.random() < CLARITY_RESPONSE_RATE:
                at = after + timedelta(minutes=rng.randint(2, 90))
                customer = slugs.get(customer_team_id or 0, "")
                score = _score(rng, CLARITY_BY_CUSTOMER_TEAM.get(customer, DEFAULT_CLARITY))
                asked = list(obligations.get(agreement_id or 0) or [])
                missing = sorted(rng.sample(asked, 1)) if asked and score <= 2 else []
                if at <= now:
                    clarity_rows.append(
                        ClarityRating(
                            request_id=pk, rated_by_id=assignee_id, provider_team_id=team_id,
                            customer_team_id=customer_team_id, score=score,
                            missing_obligations=missing, rated_at=at, updated_at=at,
                        )
                    )  # fmt: skip
                    built.append(
                        events.clarity_rated(
                            request_id=pk, actor_id=assignee_id, at=at, before=None,
                            after=score, missing=missing,
                        )
                    )  # fmt: skip
                    after = at
            if rng.random() < RATING_RESPONSE_RATE:
                at = after + timedelta(hours=rng.uniform(0.5, 72))
                mean = SATISFACTION_BY_TEAM.get(slugs.get(team_id, ""), DEFAULT_SATISFACTION)
                if breached and rng.random() < 0.6:
                    mean -= 1
                score = _score(rng, mean)
                comment = rng.choice(COMMENTS[score]) if rng.random() < 0.3 else ""
                if at <= now:
                    rating_rows.append(
                        Rating(
                            request_id=pk, rated_by_id=requester_id, provider_team_id=team_id,
                            service_id=service_id, score=score, comment=comment, given_at=at,
                            updated_at=at,
                        )
                    )  # fmt: skip
                    built.append(
                        events.rated(
                            request_id=pk, actor_id=requester_id, at=at, before=None,
                            after=score, with_comment=bool(comment),
                        )
                    )  # fmt: skip
            if built:
                length, digest = history_chain.chain(built, length=length, digest=digest)
                heads.append((length, digest, pk))
                event_rows.extend(built)
        Rating.objects.bulk_create(rating_rows, batch_size=BATCH)
        ClarityRating.objects.bulk_create(clarity_rows, batch_size=BATCH)
        RequestEvent.objects.bulk_create(event_rows, batch_size=BATCH)
        _update_chain_heads(heads)
        ratings += len(rating_rows)
        clarity_ratings += len(clarity_rows)
    return RatingTotals(ratings=ratings, clarity_ratings=clarity_ratings)


def _update_chain_heads(heads: list[tuple[int, str, int]]) -> None:
    """The new chain head (length, digest) of each rated request, in one statement."""
    if not heads:
        return
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(Request._meta.db_table)} SET {quote('history_length')} = %s, "  # noqa: S608 - names come from the models
        f"{quote('history_digest')} = %s WHERE {quote('id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, heads)
