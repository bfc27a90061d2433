"""How clear a provider's agent rated a request (placeholder shape for the kudos branch)."""

from django.db import models
from django.utils import timezone

from inhouse.desk.models import Request


class ClarityRating(models.Model):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="clarity_ratings")
    score = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"clarity {self.score} of request {self.request_id}"
