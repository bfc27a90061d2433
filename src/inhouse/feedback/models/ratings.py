"""Ratings on a request from both sides of the relationship.

The requester rates how the request was served (``Rating``, CSAT); an agent of the
provider team rates how clear and complete the request was as a customer's request
(``ClarityRating``). Each request has at most one of each: a change updates the row,
and every score it ever held stays in the request's history (``rated`` and
``clarity_rated`` events), which is what the aggregates could be recomputed from.

Both rows copy the teams and the service the request had when it was rated, so the
aggregates read one table through one index instead of joining every request; a later
transfer does not move a rating to a team that did not do the work.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from inhouse.catalog.models import Service
from inhouse.desk.models import Request
from inhouse.org.models import Person, Team

LOWEST_SCORE = 1
HIGHEST_SCORE = 5
# CSAT counts a rating of 4 or 5 as satisfied; clarity counts the same scores as clear.
SATISFIED_FROM = 4

_SCORE_IN_RANGE = Q(score__gte=LOWEST_SCORE) & Q(score__lte=HIGHEST_SCORE)


class Rating(models.Model):
    """The requester's rating of how their request was served: 1–5 and a comment.

    ``given_at`` starts the window in which the requester may change it. When the
    request is reopened and resolved again, the next rating replaces this one and
    starts a new window: the row always holds the latest resolution's rating.
    """

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="rating")
    rated_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="ratings_given")
    # The team and service that served the request when it was rated.
    provider_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="ratings")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    given_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The CSAT of a team or a service over a period reads one index range.
            models.Index(fields=["provider_team", "given_at"], name="rating_team_time"),
            models.Index(fields=["service", "given_at"], name="rating_service_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=_SCORE_IN_RANGE, name="rating_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} rated {self.score}"


class ClarityRating(models.Model):
    """An agent's rating of how clear and complete a request was: 1–5, and which of the
    agreement's customer obligations (form field keys) were missing or not usable."""

    request = models.OneToOneField(Request, on_delete=models.CASCADE, related_name="clarity_rating")
    rated_by = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="clarity_ratings_given"
    )
    # The team that rated it, and the team on whose behalf the request was made.
    provider_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="clarity_ratings_given"
    )
    customer_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clarity_ratings_received",
    )
    score = models.PositiveSmallIntegerField()
    missing_obligations = models.JSONField(default=list, blank=True)
    rated_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["customer_team", "rated_at"], name="clarity_customer_time"),
            models.Index(fields=["provider_team", "rated_at"], name="clarity_provider_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=_SCORE_IN_RANGE, name="clarity_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} clarity {self.score}"
