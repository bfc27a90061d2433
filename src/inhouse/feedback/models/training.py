"""Training on working together: sessions a provider team offers on how to work with
it well, the people signed up for them, and how they rated them afterwards."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from inhouse.org.models import Person, Team


class TrainingSession(models.Model):
    """A session a provider team announces; ``audience_teams`` empty means everyone."""

    provider_team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="training_sessions"
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=5000)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    link = models.URLField(blank=True)
    capacity = models.PositiveIntegerField()
    # Kept with the sign-ups so a sign-up can claim a seat with one conditional UPDATE.
    seats_taken = models.PositiveIntegerField(default=0)
    audience_teams = models.ManyToManyField(Team, blank=True, related_name="+")
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(seats_taken__lte=F("capacity")), name="training_within_capacity"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="training_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_has_a_seat"),
        ]
        indexes = [models.Index(fields=["provider_team", "starts_at"], name="training_by_team")]

    def __str__(self) -> str:
        return self.title

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)


class TrainingSignup(models.Model):
    """One person's seat in a session; rated (1–5) once the session has ended."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="training_signups")
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the worker claims the reminder, so it is sent once.
    reminded_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="training_signup_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="training_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in session {self.session_id}"
