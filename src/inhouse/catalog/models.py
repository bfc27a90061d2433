import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from inhouse.org.models import PersonKind, Team


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class ProcessCategory(models.TextChoices):
    PRIMARY = "primary", _("Primary process")
    SUPPORT = "support", _("Support process")
    MANAGEMENT = "management", _("Management process")


class Visibility(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    RESTRICTED = "restricted", _("Listed teams and person kinds")


# About a hundred years: a longer retention is surely a typo.
MAX_RETENTION_DAYS = 36_600
RETENTION_NEEDS_CONFIDENTIAL = _(
    "Only confidential requests are removed after a retention period: "
    "mark the service confidential or leave the retention empty."
)


class PriorityFrom(models.TextChoices):
    """Where a new request's priority comes from; agents may change it afterwards."""

    DEFAULT = "default", _("The service's default priority")
    REQUESTER = "requester", _("The requester chooses it")
    IMPACT_URGENCY = "impact_urgency", _("The requester's impact and urgency (ITIL matrix)")


class StandardField(models.TextChoices):
    """The questions besides subject, description and the service's own form that a
    service may put to its requesters; each is also a field of ``POST /requests``."""

    CUSTOMER_TEAM = "customer_team", _("On behalf of team")
    REQUESTER = "requester", _("For whom (the provider's agents filing for someone)")
    EXTERNAL_REF = "external_ref", _("External reference")


def default_standard_fields() -> list[str]:
    """What a service asks unless its lead says otherwise: for which team, and (for the
    provider's agents) for whom; not the priority or an external reference."""
    return [StandardField.CUSTOMER_TEAM, StandardField.REQUESTER]


# One follow-up step: how long after resolution, in days, weeks or months ("2w").
FOLLOW_UP_STEP = re.compile(r"^([1-9][0-9]?)([dwm])$")
FOLLOW_UP_UNIT_DAYS = {"d": 1, "w": 7, "m": 30}
MAX_FOLLOW_UPS = 5
# The 2-2-2 cadence a lead is offered: 2 days, 2 weeks and 2 months after resolution.
TWO_TWO_TWO = ("2d", "2w", "2m")


def follow_up_step_text(step: str) -> str:
    """ "2w" → "2 weeks": a cadence step in words; anything else as it is."""
    match = FOLLOW_UP_STEP.match(step)
    if match is None:
        return step
    count = int(match[1])
    words = {
        "d": ngettext("%(count)d day", "%(count)d days", count),
        "w": ngettext("%(count)d week", "%(count)d weeks", count),
        "m": ngettext("%(count)d month", "%(count)d months", count),
    }
    return words[match[2]] % {"count": count}


def follow_up_cadence_problem(steps: list[str]) -> str | None:
    """Why ``steps`` is no cadence (each a step, at most five, each later than the one
    before, none beyond a year), or ``None`` when it is one; empty asks no follow-ups."""
    if len(steps) > MAX_FOLLOW_UPS:
        return f"Ask at most {MAX_FOLLOW_UPS} follow-ups."
    approximate_days = []
    for step in steps:
        match = FOLLOW_UP_STEP.match(step)
        if match is None:
            return f"'{step}' is no step: write a number and d, w or m, like 2d, 2w, 2m."
        approximate_days.append(int(match[1]) * FOLLOW_UP_UNIT_DAYS[match[2]])
    if any(
        later <= earlier
        for earlier, later in zip(approximate_days, approximate_days[1:], strict=False)
    ):
        return "List the steps from the earliest to the latest, each later than the one before."
    if approximate_days and approximate_days[-1] > 366:
        return "Ask the last follow-up within a year of the resolution."
    return None


class Service(models.Model):
    """Something a provider team offers to the rest of the organization."""

    provider_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="services")
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Words a requester might use that the name and description do not (search finds them).
    keywords = models.TextField(blank=True)
    process_category = models.CharField(
        max_length=12, choices=ProcessCategory.choices, default=ProcessCategory.SUPPORT
    )
    visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.EVERYONE
    )
    visible_to_teams = models.ManyToManyField(Team, blank=True, related_name="+")
    # Person kinds (PersonKind values) that may request a restricted service.
    visible_to_kinds = models.JSONField(default=list, blank=True)
    confidential = models.BooleanField(
        default=False,
        help_text=_("Only the requester, the provider's agents and approvers see its requests."),
    )
    # Days after a confidential case is closed or cancelled until it is removed; null keeps it.
    retention_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=_(
            "Confidential requests are removed this many days after they are closed or "
            "cancelled, unless on legal hold. Empty keeps them."
        ),
    )
    default_priority = models.CharField(
        max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    priority_from = models.CharField(
        max_length=20, choices=PriorityFrom.choices, default=PriorityFrom.DEFAULT
    )
    # StandardField values the request form offers, besides the priority's questions.
    standard_fields = models.JSONField(default=default_standard_fields, blank=True)
    # Check-ins with the requester after delivery, as steps after resolution ("2d", "2w",
    # "2m"; ``follow_up_cadence_problem``); empty asks none.
    follow_up_cadence = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider_team__name", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = set(self.visible_to_kinds) - set(PersonKind.values)
        if unknown:
            raise ValidationError(
                {"visible_to_kinds": _("Unknown person kinds: %s") % ", ".join(sorted(unknown))}
            )
        if self.retention_days is not None and not self.confidential:
            raise ValidationError({"retention_days": RETENTION_NEEDS_CONFIDENTIAL})
        unknown = set(self.standard_fields) - set(StandardField.values)
        if unknown:
            raise ValidationError(
                {"standard_fields": _("Unknown standard fields: %s") % ", ".join(sorted(unknown))}
            )
        problem = follow_up_cadence_problem(list(self.follow_up_cadence))
        if problem:
            raise ValidationError({"follow_up_cadence": problem})

    @property
    def offered_fields(self) -> list[str]:
        """The names of the standard questions this service's requesters may answer, as
        ``POST /requests`` and the portal form call them, in the form's order."""
        asked = {
            PriorityFrom.REQUESTER: ["priority"],
            PriorityFrom.IMPACT_URGENCY: ["impact", "urgency"],
        }.get(PriorityFrom(self.priority_from), [])
        return asked + [name for name in StandardField.values if name in self.standard_fields]


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    PERSON = "person", _("Person")
    TEAM = "team", _("Team")
    FILE = "file", _("File")


class FormField(models.Model):
    """One typed question of a service's request form."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="form_fields")
    key = models.SlugField(max_length=60)
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True)
    help_text = models.CharField(max_length=300, blank=True)
    # Limits of a number field's answer, both included; None means no limit.
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["service", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="form_field_unique_key"),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(min_value__lte=F("max_value")),
                name="form_field_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.label}"

    def clean(self) -> None:
        needs_choices = self.kind in (FieldKind.CHOICE, FieldKind.MULTI_CHOICE)
        if needs_choices and not self.choices:
            raise ValidationError({"choices": _("A choice field needs at least one choice.")})
        if not needs_choices and self.choices:
            raise ValidationError({"choices": _("Only choice fields have choices.")})
        limited = self.min_value is not None or self.max_value is not None
        if limited and self.kind != FieldKind.NUMBER:
            raise ValidationError({"min_value": _("Only number fields have limits.")})
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValidationError(
                {"max_value": _("The largest number allowed cannot be below the smallest.")}
            )

    def limits_text(self) -> str:
        """A number field's limits in words ("between 0 and 10", "at least 0"); "" for none."""
        low, high = self.min_value, self.max_value
        if low is not None and high is not None:
            return f"between {_number_text(low)} and {_number_text(high)}"
        if low is not None:
            return f"at least {_number_text(low)}"
        if high is not None:
            return f"at most {_number_text(high)}"
        return ""


def _number_text(number: float) -> str:
    """0.0 → "0", 2.5 → "2.5": a limit as a person would write it."""
    return str(int(number)) if float(number).is_integer() else str(number)


class Agreement(models.Model):
    """An internal SLA between a provider (service or whole team) and a customer team or everyone.

    The most specific agreement applies; see ``catalog.selectors.applicable_agreement``.
    """

    name = models.CharField(max_length=200)
    provider_team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="agreements_provided"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="agreements"
    )
    customer_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="agreements_received",
        help_text=_("Empty means everyone."),
    )
    calendar = models.ForeignKey(
        "sla.Calendar", on_delete=models.PROTECT, related_name="agreements"
    )
    # Form field keys the customer must fill in, whatever the form itself requires.
    customer_obligations = models.JSONField(default=list, blank=True)
    obligations_note = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["provider_team__name", "name"]
        # One agreement per scope. Spelled as four constraints because SQLite cannot
        # treat NULLs as equal in a unique constraint.
        constraints = [
            models.UniqueConstraint(
                fields=["provider_team", "service", "customer_team"],
                name="agreement_unique_scope",
            ),
            models.UniqueConstraint(
                fields=["provider_team", "customer_team"],
                condition=Q(service__isnull=True),
                name="agreement_unique_team_scope",
            ),
            models.UniqueConstraint(
                fields=["provider_team", "service"],
                condition=Q(customer_team__isnull=True),
                name="agreement_unique_service_for_everyone",
            ),
            models.UniqueConstraint(
                fields=["provider_team"],
                condition=Q(service__isnull=True, customer_team__isnull=True),
                name="agreement_unique_team_for_everyone",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.service is not None and self.service.provider_team_id != self.provider_team_id:
            raise ValidationError({"service": _("The service must belong to the provider team.")})


class AgreementTarget(models.Model):
    """Business-time targets for one priority under an agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["agreement", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "priority"], name="target_unique_priority"
            ),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0) & Q(resolution_minutes__gt=0),
                name="target_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} / {self.priority}"
