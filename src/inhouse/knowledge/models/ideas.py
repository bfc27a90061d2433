"""The ideas forum: colleagues propose how teams could work together better, vote, talk
it over, and the owning team answers with a status and a public reason.

An idea is directed at one team, which owns it, or at everyone (``owning_team`` empty),
in which case the org admins own it. Votes are rows (one per person and idea, held by a
unique constraint) and ``vote_count`` is their number, kept exact by the services in the
same transaction as the row, so lists sort by it without counting.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inhouse.org.models import Person, Team


class IdeaStatus(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


# A finished idea takes no new votes: the owning team has given its answer.
CLOSED_IDEA_STATUSES = (IdeaStatus.DONE, IdeaStatus.DECLINED)


class Idea(models.Model):
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    proposer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="ideas_proposed")
    # The team the idea is directed at, which sets its status; empty: everyone (org admins).
    owning_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="ideas"
    )
    status = models.CharField(max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.NEW)
    # The owning team's public reason for the current status (the history keeps earlier ones).
    status_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    vote_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The three orders of the list, each ending in id so a page is one index range.
            models.Index(fields=["-vote_count", "-id"], name="idea_by_votes"),
            models.Index(fields=["status", "-id"], name="idea_by_status"),
            models.Index(fields=["owning_team", "-vote_count", "-id"], name="idea_team_votes"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(vote_count__gte=0), name="idea_votes_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def takes_votes(self) -> bool:
        return self.status not in CLOSED_IDEA_STATUSES


class IdeaVote(models.Model):
    """One person's vote for one idea; removing the vote deletes the row."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="idea_votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One vote per person, however many clicks arrive at once.
            models.UniqueConstraint(fields=["idea", "person"], name="idea_vote_once"),
        ]
        indexes = [models.Index(fields=["person", "idea"], name="idea_vote_person")]

    def __str__(self) -> str:
        return f"{self.person_id} votes for {self.idea_id}"


class IdeaComment(models.Model):
    """A colleague's word on an idea, in Markdown; shown through the comment sanitiser."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="idea_comments"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "id"], name="idea_comment_idea")]

    def __str__(self) -> str:
        return f"Comment {self.pk} on idea {self.idea_id}"


class IdeaStatusChange(models.Model):
    """The idea's history: every status the owning team set, with its public reason.
    Append-only, like a request's history."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    actor = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    from_status = models.CharField(max_length=20, choices=IdeaStatus.choices)
    to_status = models.CharField(max_length=20, choices=IdeaStatus.choices)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "id"], name="idea_status_change_idea")]

    def __str__(self) -> str:
        return f"Idea {self.idea_id}: {self.from_status} -> {self.to_status}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("An idea's history is append-only and cannot be changed.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("An idea's history is append-only and cannot be deleted.")
