"""A service's request form: adding, changing, removing and ordering its questions."""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max

from inhouse.catalog.models import Agreement, FieldKind, FormField, Service
from inhouse.catalog.services._common import FIELD_KEY, require_service_manager
from inhouse.catalog.snapshot import catalog_changed
from inhouse.core.errors import InvalidInput
from inhouse.org.models import Person

MAX_CHOICES = 100
CHOICE_KINDS = (FieldKind.CHOICE, FieldKind.MULTI_CHOICE)


@dataclass(frozen=True)
class FormFieldDetails:
    """One question of a request form. ``choices`` only for choice kinds, limits
    (both included, None for none) only for numbers."""

    label: str
    kind: str = FieldKind.TEXT
    required: bool = False
    choices: Sequence[str] = ()
    help_text: str = ""
    min_value: float | None = None
    max_value: float | None = None


def _clean_choices(choices: Iterable[str]) -> list[str]:
    return [choice.strip() for choice in choices if choice.strip()]


def _check_form_field(details: FormFieldDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not details.label.strip():
        errors["label"] = "Give the field a label."
    elif len(details.label.strip()) > 200:
        errors["label"] = "Keep the label under 200 characters."
    if details.kind not in FieldKind.values:
        errors["kind"] = "Choose a field kind."
    choices = _clean_choices(details.choices)
    if details.kind in CHOICE_KINDS:
        if not choices:
            errors["choices"] = "A choice field needs at least one choice, one a line."
        elif len(set(choices)) != len(choices):
            errors["choices"] = "Each choice may appear only once."
        elif len(choices) > MAX_CHOICES:
            errors["choices"] = f"Offer at most {MAX_CHOICES} choices."
        elif any(len(choice) > 200 for choice in choices):
            errors["choices"] = "Keep each choice under 200 characters."
    elif choices:
        errors["choices"] = "Only choice fields have choices; clear them or pick a choice kind."
    if len(details.help_text.strip()) > 300:
        errors["help_text"] = "Keep the help text under 300 characters."
    errors.update(_check_limits(details))
    return errors


def _check_limits(details: FormFieldDetails) -> dict[str, str]:
    """A number field's limits: finite, the smallest not above the largest."""
    limits = {"min_value": details.min_value, "max_value": details.max_value}
    if details.kind != FieldKind.NUMBER:
        return {
            name: "Only number fields have limits; clear it or pick the number kind."
            for name, limit in limits.items()
            if limit is not None
        }
    errors = {
        name: "Enter a finite number."
        for name, limit in limits.items()
        if limit is not None and (isinstance(limit, bool) or not math.isfinite(limit))
    }
    low, high = details.min_value, details.max_value
    if not errors and low is not None and high is not None and low > high:
        errors["max_value"] = "The largest number allowed cannot be below the smallest."
    return errors


def _apply_form_field(form_field: FormField, details: FormFieldDetails) -> None:
    form_field.label = details.label.strip()
    form_field.kind = details.kind
    form_field.required = details.required
    form_field.choices = _clean_choices(details.choices)
    form_field.help_text = details.help_text.strip()
    form_field.min_value = details.min_value
    form_field.max_value = details.max_value


def add_form_field(
    *, actor: Person, service: Service, key: str, details: FormFieldDetails
) -> FormField:
    """Add a question at the end of the service's form."""
    require_service_manager(actor, service)
    errors = _check_form_field(details)
    if not FIELD_KEY.match(key) or len(key) > 60:
        errors["key"] = (
            "Start with a lowercase letter; then lowercase letters, digits and underscores "
            "(at most 60 characters)."
        )
    elif service.form_fields.filter(key=key).exists():
        errors["key"] = f"This form already has a field with the key '{key}'."
    if errors:
        raise InvalidInput("The field could not be added.", fields=errors)
    try:
        with transaction.atomic():
            last = service.form_fields.aggregate(last=Max("position"))["last"]
            form_field = FormField(
                service=service, key=key, position=0 if last is None else last + 1
            )
            _apply_form_field(form_field, details)
            form_field.save()
            catalog_changed()
    except IntegrityError as exc:
        raise InvalidInput(
            "The field could not be added.",
            fields={"key": f"This form already has a field with the key '{key}'."},
        ) from exc
    return form_field


def update_form_field(
    *, actor: Person, form_field: FormField, details: FormFieldDetails
) -> FormField:
    """Change a question. Its key stays: answers already given and agreements use it."""
    require_service_manager(actor, form_field.service)
    errors = _check_form_field(details)
    if errors:
        raise InvalidInput("The field could not be saved.", fields=errors)
    _apply_form_field(form_field, details)
    with transaction.atomic():
        form_field.save(
            update_fields=[
                "label", "kind", "required", "choices", "help_text", "min_value", "max_value",
            ]
        )  # fmt: skip
        catalog_changed()
    return form_field


def remove_form_field(*, actor: Person, form_field: FormField) -> None:
    """Remove a question; agreements of the service stop obliging customers to answer it."""
    service = form_field.service
    require_service_manager(actor, service)
    with transaction.atomic():
        for agreement in Agreement.objects.select_for_update().filter(service=service):
            if form_field.key in agreement.customer_obligations:
                agreement.customer_obligations = [
                    key for key in agreement.customer_obligations if key != form_field.key
                ]
                agreement.save(update_fields=["customer_obligations"])
        form_field.delete()
        catalog_changed()


def reorder_form_fields(*, actor: Person, service: Service, keys_in_order: Sequence[str]) -> None:
    """Put the form's questions in this order; every key must appear exactly once."""
    require_service_manager(actor, service)
    with transaction.atomic():
        fields = {f.key: f for f in service.form_fields.select_for_update()}
        if len(keys_in_order) != len(set(keys_in_order)) or set(keys_in_order) != set(fields):
            raise InvalidInput(
                "The form changed since you loaded it; reload and try again.",
                fields={"keys_in_order": "Name every field of the form exactly once."},
            )
        moved = []
        for position, key in enumerate(keys_in_order):
            if fields[key].position != position:
                fields[key].position = position
                moved.append(fields[key])
        FormField.objects.bulk_update(moved, ["position"])
        catalog_changed()
