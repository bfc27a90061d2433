"""Follow-ups after delivery: check-ins with the requester on the service's cadence."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inhouse.desk.models import Request
from inhouse.org.models import Person


class FollowUpStatus(models.TextChoices):
    # Waiting for its due time; the worker sends it then.
    SCHEDULED = "scheduled", _("Scheduled")
    # The requester was asked and has not answered yet.
    SENT = "sent", _("Asked")
    ANSWERED = "answered", _("Answered")
    # The request was reopened or cancelled, or the requester turned its follow-ups off.
    CANCELLED = "cancelled", _("Cancelled")
    # Due, but the requester does not want follow-ups (their notification settings) or left.
    SKIPPED = "skipped", _("Skipped")


class StillWorking(models.TextChoices):
    YES = "yes", _("Yes, still working")
    PARTLY = "partly", _("Partly")
    NO = "no", _("Not working any more")


class FollowUp(models.Model):
    """One check-in with a request's requester, due a step of the service's cadence
    after the request was resolved. Each resolution schedules its own rows; a reopening
    cancels the ones still waiting."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="follow_ups")
    # The cadence step it stands for ("2d", "2w", "2m").
    step = models.CharField(max_length=4)
    # The resolution it follows, so two rounds of one request stay apart.
    resolved_at = models.DateTimeField()
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    still_working = models.CharField(max_length=8, choices=StillWorking.choices, blank=True)
    # "What did this make possible?"
    made_possible = models.TextField(blank=True)
    # What stopped working, with a "no": also the reopening's reply.
    problem = models.TextField(blank=True)
    # Whether the answer reopened the request.
    reopened = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "due_at", "id"]
        indexes = [
            # The sweep reads the due ones in time order and touches nothing else.
            models.Index(
                fields=["due_at"],
                condition=Q(status="scheduled"),
                name="follow_up_due",
            ),
            models.Index(fields=["request", "status"], name="follow_up_request"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "resolved_at", "step"], name="follow_up_once_per_round"
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False),
                name="follow_up_answer_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.step} {self.status}"


class FollowUpOptOut(models.Model):
    """The requester turned the follow-ups of one request off: no round is scheduled
    after any later resolution either."""

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, primary_key=True, related_name="follow_up_opt_out"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"follow-ups off for {self.request_id}"
