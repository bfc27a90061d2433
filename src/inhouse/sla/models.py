import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from inhouse.org.models import validate_timezone

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def validate_weekly_hours(value: object) -> None:
    """Weekly hours look like {"0": [["09:00", "17:00"]], ...}; weekday 0 is Monday."""
    if not isinstance(value, dict):
        raise ValidationError(_("Weekly hours must map weekdays 0-6 to lists of [start, end]."))
    for weekday, intervals in value.items():
        if str(weekday) not in {str(day) for day in range(7)}:
            raise ValidationError(
                _("Unknown weekday %(day)s; use 0 (Monday) to 6."), params={"day": weekday}
            )
        if not isinstance(intervals, list):
            raise ValidationError(
                _("Weekday %(day)s needs a list of intervals."), params={"day": weekday}
            )
        previous_end = ""
        for interval in intervals:
            if (
                not isinstance(interval, list | tuple)
                or len(interval) != 2
                or not all(isinstance(part, str) and _HHMM.match(part) for part in interval)
            ):
                raise ValidationError(
                    _('Weekday %(day)s: intervals are ["HH:MM", "HH:MM"].'), params={"day": weekday}
                )
            start, end = interval
            if start >= end or start < previous_end:
                raise ValidationError(
                    _("Weekday %(day)s: intervals must be ordered and must not overlap."),
                    params={"day": weekday},
                )
            previous_end = end


class Calendar(models.Model):
    """Business hours in one timezone, with public holidays and the own closed days."""

    name = models.CharField(max_length=200, unique=True)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    weekly_hours = models.JSONField(validators=[validate_weekly_hours])
    # Public holidays come from the `holidays` package for this country and subdivision.
    holiday_country = models.CharField(max_length=2, blank=True)
    holiday_subdivision = models.CharField(max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClosedDay(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="closed_days")
    date = models.DateField()
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="closed_day_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.name}"


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    RESOLUTION = "resolution", _("Resolution")


class Clock(models.Model):
    """One SLA target of one request, measured in its calendar's business time.

    ``paused_total`` is business time that does not count (waiting on the customer,
    or the time a request spent resolved before it was reopened), so at any moment
    the consumed time is ``elapsed(started_at, now) - paused_total`` and the due time
    is ``add(started_at, target + paused_total)``. Changing the target recomputes
    the due time from the start and keeps the paused time.
    """

    # Its look-ups use clock_unique_kind (Meta.constraints), which starts with it.
    request = models.ForeignKey(
        "desk.Request", on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    kind = models.CharField(max_length=20, choices=ClockKind.choices)
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="+")
    target = models.DurationField()
    started_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_total = models.DurationField(default=timedelta)
    stopped_at = models.DateTimeField(null=True, blank=True)
    # Null while paused: a paused clock has no due time, only remaining time. The
    # sweep finds running clocks by ``clock_sweep``, which ends in this column.
    due_at = models.DateTimeField(null=True, blank=True)
    # From here on the clock is at risk: its last SLA_AT_RISK_SHARE of business time.
    warn_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    # When the people working the request were warned that it is at risk.
    warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "kind"], name="clock_unique_kind"),
        ]
        indexes = [models.Index(fields=["breached_at", "stopped_at", "due_at"], name="clock_sweep")]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.kind}"

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None
