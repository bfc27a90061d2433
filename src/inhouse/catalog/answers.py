"""Validating a request's form answers against its service's form.

Answers are JSON-friendly: text as str, number as int or float, date as an ISO
date string, choice as one of the choices, multi-choice as a list of them,
person and team as their ids. File fields are filled by uploads, not answers.
Every error names the field it is about: by its key, and a limit also by its
label.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from inhouse.catalog.models import FieldKind, FormField
from inhouse.core.ids import MAX_DATABASE_ID, database_id, looks_like_id
from inhouse.org.models import Person, Team

MAX_TEXT = 500
MAX_LONG_TEXT = 20_000


@dataclass
class CheckedAnswers:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    file_fields: list[str] = field(default_factory=list)


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == []


def _out_of_limits(form_field: FormField, value: float) -> str | None:
    """The error for a number outside the field's limits, naming the field."""
    low, high = form_field.min_value, form_field.max_value
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    return f"{form_field.label} must be {form_field.limits_text()}."


def _check_one(form_field: FormField, value: Any) -> tuple[Any, str | None]:
    kind = form_field.kind
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        if not isinstance(value, str):
            return None, "Enter text."
        limit = MAX_TEXT if kind == FieldKind.TEXT else MAX_LONG_TEXT
        if len(value) > limit:
            return None, f"Keep it under {limit} characters."
        return value.strip(), None
    if kind == FieldKind.NUMBER:
        if isinstance(value, str):
            try:
                value = float(value) if any(c in value for c in ".eE") else int(value)
            except ValueError:
                return None, "Enter a number."
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, "Enter a number."
        if isinstance(value, float) and not math.isfinite(value):
            return None, "Enter a finite number."
        error = _out_of_limits(form_field, value)
        return (None, error) if error else (value, None)
    if kind == FieldKind.DATE:
        if not isinstance(value, str):
            return None, "Enter a date as YYYY-MM-DD."
        try:
            return date.fromisoformat(value).isoformat(), None
        except ValueError:
            return None, "Enter a date as YYYY-MM-DD."
    if kind == FieldKind.CHOICE:
        if value not in form_field.choices:
            return None, f"Choose one of: {', '.join(map(str, form_field.choices))}."
        return value, None
    if kind == FieldKind.MULTI_CHOICE:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or any(item not in form_field.choices for item in value):
            return None, f"Choose from: {', '.join(map(str, form_field.choices))}."
        return list(dict.fromkeys(value)), None
    if kind in (FieldKind.PERSON, FieldKind.TEAM):
        model = Person if kind == FieldKind.PERSON else Team
        # Only whole numbers name an id: int(1.9) or int(True) would name someone else.
        if isinstance(value, str) and looks_like_id(value):
            value = database_id(value)
            if value is None:
                return None, f"No active {kind} with that id."
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"Choose a {kind} by id."
        if not 0 < value <= MAX_DATABASE_ID:
            return None, f"No active {kind} with id {value}."
        if not model.objects.filter(pk=value, is_active=True).exists():
            return None, f"No active {kind} with id {value}."
        return value, None
    return None, "Unsupported field."


def check_answers(
    form_fields: Iterable[FormField],
    answers: Mapping[str, Any],
    *,
    uploaded_file_keys: Iterable[str] = (),
    also_required: Iterable[str] = (),
) -> CheckedAnswers:
    """Validate ``answers`` (and which file fields got uploads) against a form.

    ``also_required`` are keys the applicable agreement obliges the customer to supply.
    """
    result = CheckedAnswers()
    fields_by_key = {form_field.key: form_field for form_field in form_fields}
    uploaded = set(uploaded_file_keys)
    obliged = set(also_required)
    if not isinstance(answers, Mapping):
        result.errors["form_answers"] = "Form answers must be an object of field keys to values."
        return result
    for key in answers:
        if key not in fields_by_key:
            result.errors[str(key)] = "This service's form has no such field."
    for key in uploaded - {k for k, f in fields_by_key.items() if f.kind == FieldKind.FILE}:
        result.errors[key] = "This field does not take a file."
    for key, form_field in fields_by_key.items():
        if key in result.errors:
            continue
        required = form_field.required or key in obliged
        if form_field.kind == FieldKind.FILE:
            if key in answers:
                result.errors[key] = "Attach a file to this field; it takes no typed value."
            elif required and key not in uploaded:
                result.errors[key] = "Attach a file."
            elif key in uploaded:
                result.file_fields.append(key)
            continue
        value = answers.get(key)
        if _is_blank(value):
            if required:
                result.errors[key] = "This field is required."
            continue
        checked, error = _check_one(form_field, value)
        if error:
            result.errors[key] = error
        elif required and _is_blank(checked):
            result.errors[key] = "This field is required."
        elif not _is_blank(checked):
            result.values[key] = checked
    return result
