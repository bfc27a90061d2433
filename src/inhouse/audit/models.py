from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inhouse.org.models import Person


class AuditAction(models.TextChoices):
    # Not the column's ``choices``: a new action is a code change, never a migration.
    REFUSED_CHANGE = "refused_change", _("Refused change")
    CONFIDENTIAL_VIEW = "confidential_view", _("Viewed a confidential request")
    PERSON_ERASED = "person_erased", _("Person erased")
    RETENTION_REMOVED = "retention_removed", _("Removed after retention")
    LEGAL_HOLD_CHANGED = "legal_hold_changed", _("Legal hold changed")


class AuditDoor(models.TextChoices):
    """The way in through which the audited act came."""

    API = "api", _("API")
    WEB = "web", _("Web page")
    CLI = "cli", _("Command line")


class AuditRecord(models.Model):
    """One audited act; written outside the transaction it is about, so a refusal is kept.

    The target is named by kind and id rather than a foreign key: the record must
    outlive the object (a case removed after its retention period is still audited).
    """

    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    target_kind = models.CharField(max_length=40)
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    detail = models.TextField(blank=True)
    door = models.CharField(max_length=20, blank=True)
    correlation_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["-occurred_at", "-id"], name="audit_recent"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor"),
            models.Index(fields=["target_kind", "target_id"], name="audit_target"),
            models.Index(fields=["action", "-occurred_at"], name="audit_action"),
            # An admin follows one HTTP request from its error page or log line to here.
            models.Index(fields=["correlation_id"], name="audit_correlation"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.target_kind} {self.target_id}"
        )

    def action_label(self) -> str:
        """The action in words; one a later version no longer knows keeps its code."""
        known = dict(AuditAction.choices)
        return str(known.get(self.action, self.action))

    def door_label(self) -> str:
        known = dict(AuditDoor.choices)
        return str(known.get(self.door, self.door))
