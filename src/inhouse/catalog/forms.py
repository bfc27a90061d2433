"""Web forms for a lead's catalog pages: parse what a browser posts into service input.

The forms only parse; the rules (unique slugs, choices, targets, obligations)
live in ``catalog.services``, whose field errors the views attach back to these
forms with ``sla.forms.add_service_errors``. The calendar forms are in ``sla.forms``.
"""

import re
from typing import Any, cast

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from inhouse.catalog.models import (
    MAX_RETENTION_DAYS,
    TWO_TWO_TWO,
    Agreement,
    FieldKind,
    FormField,
    Priority,
    PriorityFrom,
    ProcessCategory,
    Service,
    StandardField,
    Visibility,
    default_standard_fields,
)
from inhouse.catalog.selectors import obligation_fields, services_by_name
from inhouse.catalog.services import AgreementDetails, FormFieldDetails, ServiceDetails, Target
from inhouse.org.models import PersonKind, Team
from inhouse.org.selectors import active_teams
from inhouse.sla.models import Calendar

# Slugs the catalog's own addresses use below /catalog/.
RESERVED_SLUGS = {"manage"}


# --- services --------------------------------------------------------------------------


class ServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.CharField(
        label=_("Address"),
        max_length=100,
        help_text=_(
            "Lowercase letters, digits and dashes; the service lives at /catalog/<address>/."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the service delivers and when to ask for it."),
    )
    keywords = forms.CharField(label=_("Search keywords"), required=False, max_length=1000, help_text=_("Other words people use for it, which the search finds."))  # fmt: skip  # noqa: E501
    process_category = forms.ChoiceField(
        label=_("Process category"), choices=ProcessCategory.choices
    )
    default_priority = forms.ChoiceField(label=_("Default priority"), choices=Priority.choices)
    priority_from = forms.ChoiceField(
        label=_("Priority of a new request"),
        choices=PriorityFrom.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Impact and urgency give the priority by the ITIL matrix (high and high is "
            "urgent). Your agents can always change it."
        ),
    )
    standard_fields = forms.MultipleChoiceField(
        label=_("Also ask the requester"),
        choices=StandardField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Subject and description are always asked; the form's questions follow."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may request it"), choices=Visibility.choices, widget=forms.RadioSelect
    )
    visible_to_teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for listed teams and person kinds: members of these teams."),
    )
    visible_to_kinds = forms.MultipleChoiceField(
        label=_("Person kinds"),
        choices=PersonKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confidential = forms.BooleanField(
        label=_("Confidential"),
        required=False,
        help_text=_("Only the requester, your team's agents and approvers see its requests."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("Inactive services leave the catalog; existing requests stay."),
    )
    retention_days = forms.IntegerField(
        label=_("Keep closed cases (days)"),
        required=False,
        min_value=1,
        max_value=MAX_RETENTION_DAYS,
        help_text=_(
            "Confidential services only: closed or cancelled requests are removed after "
            "this many days, unless on legal hold. Leave empty to keep them."
        ),
    )

    follow_up_cadence = forms.CharField(
        label=_("Follow-ups after delivery"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"placeholder": ", ".join(TWO_TWO_TWO)}),
        help_text=_(
            "Check in with the requester this long after resolution: d days, w weeks, "
            "m months, e.g. %(cadence)s. Leave empty to ask none."
        )
        % {"cadence": ", ".join(TWO_TWO_TWO)},
    )

    def __init__(self, *args: Any, service: Service | None = None, **kwargs: Any) -> None:
        if service is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": service.name,
                "slug": service.slug,
                "description": service.description,
                "keywords": service.keywords,
                "process_category": service.process_category,
                "default_priority": service.default_priority,
                "priority_from": service.priority_from,
                "standard_fields": service.standard_fields,
                "visibility": service.visibility,
                "visible_to_teams": list(service.visible_to_teams.all()),
                "visible_to_kinds": service.visible_to_kinds,
                "confidential": service.confidential,
                "is_active": service.is_active,
                "retention_days": service.retention_days,
                "follow_up_cadence": ", ".join(service.follow_up_cadence),
            }
        super().__init__(*args, **kwargs)
        teams = cast(forms.ModelMultipleChoiceField, self.fields["visible_to_teams"])
        teams.queryset = active_teams()
        self.fields["process_category"].initial = ProcessCategory.SUPPORT
        self.fields["default_priority"].initial = Priority.NORMAL
        self.fields["priority_from"].initial = PriorityFrom.DEFAULT
        self.fields["standard_fields"].initial = default_standard_fields()
        self.fields["visibility"].initial = Visibility.EVERYONE

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This address is taken by the catalog itself."))
        return slug

    def clean_follow_up_cadence(self) -> list[str]:
        """ "2d, 2w, 2m" → ["2d", "2w", "2m"]; the service judges the steps."""
        text = self.cleaned_data["follow_up_cadence"].lower()
        return [step for step in re.split(r"[\s,;]+", text) if step]

    def details(self) -> ServiceDetails:
        data = self.cleaned_data
        return ServiceDetails(
            name=data["name"],
            slug=data["slug"],
            description=data["description"],
            keywords=data["keywords"],
            process_category=data["process_category"],
            visibility=data["visibility"],
            visible_to_teams=list(data["visible_to_teams"]),
            visible_to_kinds=data["visible_to_kinds"],
            confidential=data["confidential"],
            default_priority=data["default_priority"],
            priority_from=data["priority_from"],
            standard_fields=data["standard_fields"],
            is_active=data["is_active"],
            retention_days=data["retention_days"],
            follow_up_cadence=data["follow_up_cadence"],
        )


# --- request form fields ---------------------------------------------------------------


def key_from_label(label: str) -> str:
    """ "Cost center" → "cost_center"; a label without letters gives a key the service refuses."""
    key = slugify(label).replace("-", "_")[:60].strip("_")
    return key if key[:1].isalpha() else f"field_{key}"[:60]


def _limit_text(limit: float | None) -> str | None:
    """A limit as the lead wrote it: 0, not 0.0."""
    return None if limit is None else str(int(limit)) if limit.is_integer() else str(limit)


class FormFieldForm(forms.Form):
    """One question of a request form. The key is set once, when the field is added."""

    label = forms.CharField(label=_("Label"), max_length=200)
    key = forms.CharField(
        label=_("Key"),
        max_length=60,
        required=False,
        help_text=_(
            "How the API and agreements name the answer, e.g. cost_center; made from the label "
            "if left empty. Fixed once set."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=FieldKind.choices)
    required = forms.BooleanField(label=_("Required"), required=False)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For choice kinds only: one choice a line."),
    )
    help_text = forms.CharField(
        label=_("Help text"),
        max_length=300,
        required=False,
        help_text=_("Shown under the field to the requester."),
    )
    min_value = forms.FloatField(
        label=_("Smallest number allowed"),
        required=False,
        help_text=_("For numbers only; empty for no limit."),
    )
    max_value = forms.FloatField(
        label=_("Largest number allowed"),
        required=False,
        help_text=_("For numbers only; empty for no limit."),
    )

    def __init__(self, *args: Any, form_field: FormField | None = None, **kwargs: Any) -> None:
        if form_field is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "label": form_field.label,
                "kind": form_field.kind,
                "required": form_field.required,
                "choices": "\n".join(form_field.choices),
                "help_text": form_field.help_text,
                "min_value": _limit_text(form_field.min_value),
                "max_value": _limit_text(form_field.max_value),
            }
        super().__init__(*args, **kwargs)
        if form_field is not None:
            del self.fields["key"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "key" in self.fields and not data.get("key") and data.get("label"):
            data["key"] = key_from_label(data["label"])
        return data

    def details(self) -> FormFieldDetails:
        data = self.cleaned_data
        return FormFieldDetails(
            label=data["label"],
            kind=data["kind"],
            required=data["required"],
            choices=data["choices"].splitlines(),
            help_text=data["help_text"],
            min_value=data["min_value"],
            max_value=data["max_value"],
        )


# --- agreements ------------------------------------------------------------------------

_DURATION = re.compile(r"^(?:(?P<hours>\d+)\s*h)?\s*(?:(?P<minutes>\d+)\s*m(?:in)?)?$")


def minutes_as_text(minutes: int) -> str:
    """90 → "1h 30m": how the pages show and accept business-time targets."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours}h {rest}m"
    return f"{hours}h" if hours else f"{rest}m"


def parse_minutes(text: str) -> int:
    """ "45m", "4h", "1h 30m" or a bare number of minutes."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    match = _DURATION.match(text)
    if not text or match is None:
        raise forms.ValidationError(_("Write a duration like 45m, 4h or 1h 30m."))
    return int(match["hours"] or 0) * 60 + int(match["minutes"] or 0)


class DurationField(forms.Field):
    """A business-time target typed as text; empty means no target."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: str | None) -> int | None:
        text = (value or "").strip()
        if len(text) > 20:
            raise forms.ValidationError(_("Write a duration like 45m, 4h or 1h 30m."))
        return parse_minutes(text) if text else None


def target_field_names(priority: str) -> tuple[str, str]:
    return f"first_response_{priority}", f"resolution_{priority}"


class AgreementForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("All of the team's services"),
    )
    customer_team = forms.ModelChoiceField(
        label=_("Customer team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Everyone"),
        help_text=_("A department's agreement also covers its teams."),
    )
    calendar = forms.ModelChoiceField(
        label=_("Business calendar"), queryset=Calendar.objects.all(), empty_label=None
    )
    customer_obligations = forms.MultipleChoiceField(
        label=_("The customer must answer"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    obligations_note = forms.CharField(
        label=_("What else the customer owes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        team: Team,
        agreement: Agreement | None = None,
        service: Service | None = None,
        **kwargs: Any,
    ) -> None:
        if agreement is not None and "initial" not in kwargs:
            initial: dict[str, Any] = {
                "name": agreement.name,
                "service": agreement.service,
                "customer_team": agreement.customer_team,
                "calendar": agreement.calendar,
                "customer_obligations": agreement.customer_obligations,
                "obligations_note": agreement.obligations_note,
                "is_active": agreement.is_active,
            }
            for target in agreement.targets.all():
                first, resolution = target_field_names(target.priority)
                initial[first] = minutes_as_text(target.first_response_minutes)
                initial[resolution] = minutes_as_text(target.resolution_minutes)
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.team = team
        cast(forms.ModelChoiceField, self.fields["service"]).queryset = services_by_name(team)
        cast(forms.ModelChoiceField, self.fields["customer_team"]).queryset = active_teams()
        for priority, label in Priority.choices:
            first, resolution = target_field_names(priority)
            self.fields[first] = DurationField(label=_("%s: first response") % label)
            self.fields[resolution] = DurationField(label=_("%s: resolution") % label)
        if self.is_bound:
            service = self._posted_service()
        elif service is None and agreement is not None:
            service = agreement.service
        self.obligation_choices = obligation_choices(team, service)
        cast(
            forms.MultipleChoiceField, self.fields["customer_obligations"]
        ).choices = self.obligation_choices

    def _posted_service(self) -> Service | None:
        """The service the posted form names, so its obligations offer that service's keys."""
        try:
            return self.fields["service"].clean(self.data.get(self.add_prefix("service")))
        except forms.ValidationError:
            return None

    def target_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """(priority label, first response field, resolution field) for each priority."""
        rows = []
        for priority, label in Priority.choices:
            first, resolution = target_field_names(priority)
            rows.append((str(label), self[first], self[resolution]))
        return rows

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for priority, _label in Priority.choices:
            first, resolution = target_field_names(priority)
            if (data.get(first) is None) != (data.get(resolution) is None) and not (
                first in self.errors or resolution in self.errors
            ):
                missing = first if data.get(first) is None else resolution
                self.add_error(missing, _("Set both targets for this priority, or neither."))
        return data

    def details(self) -> AgreementDetails:
        data = self.cleaned_data
        targets = {}
        for priority, _label in Priority.choices:
            first, resolution = target_field_names(priority)
            if data[first] is not None and data[resolution] is not None:
                targets[priority] = Target(data[first], data[resolution])
        return AgreementDetails(
            name=data["name"],
            calendar=data["calendar"],
            targets=targets,
            service=data["service"],
            customer_team=data["customer_team"],
            customer_obligations=data["customer_obligations"],
            obligations_note=data["obligations_note"],
            is_active=data["is_active"],
        )


def obligation_choices(team: Team, service: Service | None) -> list[tuple[str, str]]:
    """The form keys an agreement may oblige: its service's, or any of the team's services'."""
    choices: dict[str, str] = {}
    for form_field in obligation_fields(team, service):
        if form_field.key not in choices:
            suffix = "" if service is not None else f" — {form_field.service.name}"
            choices[form_field.key] = f"{form_field.label} ({form_field.key}){suffix}"
    return list(choices.items())
