"""A request's form answers in words, for every page that shows them.

The form stores people, teams and files by id; a reader wants names. Each kind is
looked up once for the whole request, never once per answer.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from inhouse.catalog.models import FieldKind
from inhouse.desk.models import Attachment, Request
from inhouse.org.models import Person, Team


@dataclass(frozen=True)
class Answer:
    label: str
    text: str
    # A file answer the viewer may download.
    attachment: Attachment | None = None


def _ids(values: Iterable[Any]) -> list[int]:
    return [value for value in values if isinstance(value, int)]


def answers_of(request: Request, *, attachments: Iterable[Attachment]) -> list[Answer]:
    """The answers under their form's labels and in its order, blank ones left out.

    ``attachments`` are the request's files the viewer may see (as
    ``attachments_visible_to`` gives them); a file answer outside them reads
    "(file not available)". Answers to fields since removed from the form come
    last, under their key.
    """
    answers = {
        key: value
        for key, value in (request.form_answers or {}).items()
        if value not in (None, "", [])
    }
    form_fields = {f.key: f for f in request.service.form_fields.all() if f.key in answers}
    kinds = {key: form_field.kind for key, form_field in form_fields.items()}

    def answered(kind: str) -> list[int]:
        return _ids(answers[key] for key, field_kind in kinds.items() if field_kind == kind)

    people, teams = answered(FieldKind.PERSON), answered(FieldKind.TEAM)
    names: dict[str, dict[int, str]] = {
        FieldKind.PERSON: dict(Person.objects.filter(pk__in=people).values_list("pk", "full_name"))
        if people
        else {},
        FieldKind.TEAM: dict(Team.objects.filter(pk__in=teams).values_list("pk", "name"))
        if teams
        else {},
    }
    files = {attachment.pk: attachment for attachment in attachments}
    result = []
    for key in [*form_fields, *(key for key in answers if key not in form_fields)]:
        value = answers[key]
        label = form_fields[key].label if key in form_fields else key
        kind = kinds.get(key)
        if kind == FieldKind.FILE:
            attachment = files.get(value)
            text = attachment.original_name if attachment else _("(file not available)")
            result.append(Answer(label, text, attachment))
            continue
        if kind in names:
            text = names[kind].get(value, _("(unknown)"))
        elif isinstance(value, list):
            text = ", ".join(map(str, value))
        else:
            text = str(value)
        result.append(Answer(label, text))
    return result
