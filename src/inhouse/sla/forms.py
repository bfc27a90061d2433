"""Web forms for a business calendar's page: weekly hours, holidays, closed days.

The forms only parse; ``sla.calendar_services`` holds the rules, and the views
attach its field errors back to the form with ``add_service_errors``.
"""

import re
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from inhouse.sla.models import Calendar

WEEKDAYS = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


def add_service_errors(form: forms.Form, fields: Mapping[str, str], message: str) -> None:
    """Show a service's field errors on the form; errors about other things go on top.

    The catalog's forms use it too: they sit above sla, so it lives here, the lower.
    """
    unplaced = []
    for name, error in fields.items():
        if name in form.fields:
            form.add_error(name, error)
        else:
            unplaced.append(error)
    if unplaced or not fields:
        form.add_error(None, " ".join(unplaced) or message)


_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")


def parse_day_hours(text: str) -> list[list[str]]:
    """ "09:00-12:30, 13:30-17:30" → [["09:00", "12:30"], ["13:30", "17:30"]]; blank is closed."""
    intervals: list[list[str]] = []
    for part in (piece.strip() for piece in text.split(",")):
        if not part:
            continue
        match = _INTERVAL.match(part)
        if match is None:
            raise forms.ValidationError(
                _("Write opening hours as 09:00-17:00; separate several with commas."),
            )
        start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
        start, end = f"{start_h:02d}:{start_m:02d}", f"{end_h:02d}:{end_m:02d}"
        if start_h > 23 or start_m > 59 or end_m > 59 or (end_h, end_m) > (24, 0):
            raise forms.ValidationError(
                _("%(interval)s is not a time of day."), params={"interval": part}
            )
        if start >= end:
            raise forms.ValidationError(
                _("%(interval)s ends before it starts."), params={"interval": part}
            )
        if intervals and start < intervals[-1][1]:
            raise forms.ValidationError(
                _("List the hours in order, without overlaps (%(interval)s)."),
                params={"interval": part},
            )
        intervals.append([start, end])
    return intervals


def day_hours_as_text(intervals: Iterable[Iterable[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in intervals)


class CalendarForm(forms.Form):
    timezone = forms.ChoiceField(label=_("Timezone"))
    holiday_country = forms.CharField(
        label=_("Public holidays of country"),
        max_length=2,
        required=False,
        help_text=_("Two-letter code, e.g. DE, FR, US. Empty: no public holidays."),
    )
    holiday_subdivision = forms.CharField(
        label=_("Region"),
        max_length=10,
        required=False,
        help_text=_("State or region code, e.g. BY for Bavaria. Empty: the whole country."),
    )

    def __init__(self, *args: Any, calendar: Calendar, **kwargs: Any) -> None:
        if "initial" not in kwargs:
            initial: dict[str, Any] = {
                "timezone": calendar.timezone,
                "holiday_country": calendar.holiday_country,
                "holiday_subdivision": calendar.holiday_subdivision,
            }
            for day in range(7):
                initial[f"hours_{day}"] = day_hours_as_text(calendar.weekly_hours.get(str(day), []))
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        zones = sorted(zoneinfo.available_timezones() | {calendar.timezone})
        cast(forms.ChoiceField, self.fields["timezone"]).choices = [(zone, zone) for zone in zones]
        for day, name in enumerate(WEEKDAYS):
            self.fields[f"hours_{day}"] = forms.CharField(
                label=name, required=False, max_length=200
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for day in range(7):
            name = f"hours_{day}"
            if name in data:
                try:
                    data[name] = parse_day_hours(data[name])
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data

    def weekday_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{day}"] for day in range(7)]

    def weekly_hours(self) -> dict[str, list[list[str]]]:
        return {str(day): self.cleaned_data[f"hours_{day}"] for day in range(7)}


class ClosedDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Reason"), max_length=200)
