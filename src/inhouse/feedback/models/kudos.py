"""Kudos: a short thanks from one person to a colleague or a team, optionally for a
request the sender was served by; and each person's choice whether their manager hears
of the kudos they receive."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inhouse.desk.models import Request
from inhouse.org.models import Person, Team

KUDOS_MESSAGE_MAX_LENGTH = 500


class Kudos(models.Model):
    """One thanks, to exactly one person or one team, never from the person to themselves."""

    sender = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="kudos_sent")
    recipient_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="kudos_received"
    )
    recipient_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="kudos_received"
    )
    # The request it thanks for; shown only to readers who may see that request.
    request = models.ForeignKey(
        Request, null=True, blank=True, on_delete=models.SET_NULL, related_name="kudos"
    )
    # Markdown as written; shown through the sanitiser.
    message = models.TextField(max_length=KUDOS_MESSAGE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "kudos"
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient_person__isnull=False) & Q(recipient_team__isnull=True))
                | (Q(recipient_person__isnull=True) & Q(recipient_team__isnull=False)),
                name="kudos_exactly_one_recipient",
            ),
            models.CheckConstraint(
                condition=~Q(recipient_person=models.F("sender")),
                name="kudos_not_to_oneself",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient_person", "-created_at"], name="kudos_person_wall"),
            models.Index(fields=["recipient_team", "-created_at"], name="kudos_team_wall"),
            # The daily cap counts a sender's recent kudos.
            models.Index(fields=["sender", "created_at"], name="kudos_sender_recent"),
        ]

    def __str__(self) -> str:
        recipient = self.recipient_person_id or f"team {self.recipient_team_id}"
        return f"kudos from {self.sender_id} to {recipient}"


class KudosSetting(models.Model):
    """A person's choice about the kudos they receive; without a row, the defaults hold
    (their manager hears nothing: sharing is the recipient's decision)."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="kudos_setting"
    )
    share_with_manager = models.BooleanField(
        default=False, verbose_name=_("Tell my manager about kudos I receive (weekly)")
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"kudos setting of {self.person_id}"


class TeamKudosSetting(models.Model):
    """A team's choice, made by its leads, whether its manager hears of the kudos to the
    team; without a row nobody above the team hears of them, as for a person."""

    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, primary_key=True, related_name="kudos_setting"
    )
    share_with_manager = models.BooleanField(
        default=False, verbose_name=_("Tell the team's manager about kudos to the team (weekly)")
    )
    updated_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"kudos setting of team {self.team_id}"


class KudosDigest(models.Model):
    """That one manager's weekly digest for one week was written: the worker claims a week
    by inserting this row, so a rerun or a second worker writes it once."""

    manager = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="kudos_digests")
    # The Monday (UTC) the digest's week starts on.
    week_start = models.DateField()
    kudos_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["manager", "week_start"], name="kudos_digest_once_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"kudos digest for {self.manager_id}, week of {self.week_start}"
