"""Erasure, second half: every other row that names the person.

Each text and JSON column of every model is searched for the person's name and
addresses (``mention_rewrites``) and rewritten to the pseudonym (``apply_rewrites``);
a history event whose data quoted them is rewritten and its chain sealed again, but
only if that chain was whole before. ``inhouse.desk.services.erasure`` runs it.
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, Q

from inhouse.catalog.models import FieldKind
from inhouse.desk import history_chain
from inhouse.desk.models import (
    Request,
    RequestEvent,
)
from inhouse.org.models import Person
from inhouse.org.services.erasure import (
    Identity,
    pseudonym_for,
)

ERASED_TEXT = "(erased)"
# Answers of these kinds are the requester's own words; choices, numbers, dates and
# ids are the form's vocabulary or numbers, and stay.
_TEXT_KINDS = (FieldKind.TEXT, FieldKind.LONG_TEXT)
_TEXT_COLUMNS = (models.CharField, models.TextField)


@dataclass(frozen=True)
class Rewrite:
    model: type[models.Model]
    pk: Any
    values: dict[str, Any]


def _matcher(identity: Identity, *, full_name: str, email: str) -> Callable[[str], str]:
    """Replace each address (not inside a longer one) and the name.

    A name of two or more words is replaced wherever it stands as whole words. A
    one-word name ("Will") is also an ordinary word, so it is replaced only where
    it is a whole value, as the copies of a name are (a notice's ``actor``, a label).
    """
    words = identity.full_name.split()
    name = " ".join(words)
    parts = [
        rf"(?P<email{number}>(?<![\w.+-]){re.escape(address)}(?![\w-]|\.\w))"
        for number, address in enumerate(identity.emails)
    ]
    if len(words) > 1:
        spaced = r"\s+".join(map(re.escape, words))
        parts.append(rf"(?P<name>(?<!\w){spaced}(?!\w))")
    pattern = re.compile("|".join(parts), re.IGNORECASE)

    def replace(text: str) -> str:
        if name and " ".join(text.split()).casefold() == name.casefold():
            return full_name
        return pattern.sub(lambda match: full_name if match.lastgroup == "name" else email, text)

    return replace


def _scrubbed(value: Any, replace: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [_scrubbed(item, replace) for item in value]
    if isinstance(value, dict):
        return {key: _scrubbed(item, replace) for key, item in value.items()}
    return value


def _candidates(identity: Identity, column: models.Field[Any, Any]) -> Q:
    """Rows whose ``column`` may quote the person: it holds an address, or every word of
    the name (however spaced; ``_matcher`` decides). A case-insensitive substring test."""

    def spelled(word: str) -> list[str]:
        # SQLite stores JSON with non-ASCII escaped ("Zo\u00eb"); PostgreSQL as written.
        if isinstance(column, models.JSONField) and json.dumps(word) != f'"{word}"':
            return [word, json.dumps(word)[1:-1]]
        return [word]

    def contains(word: str) -> Q:
        condition = Q()
        for spelling in spelled(word):
            condition |= Q(**{f"{column.attname}__icontains": spelling})
        return condition

    condition = Q()
    for address in identity.emails:
        condition |= contains(address)
    words = identity.full_name.split()
    if words:
        every_word = Q()
        for word in words:
            every_word &= contains(word)
        condition |= every_word
    return condition


def searched_models() -> Iterator[type[models.Model]]:
    """Every table but the person's and the login's, which ``erase_identity`` rewrites
    by id (another person may well have the same name)."""
    skipped = {Person, get_user_model()}
    for model in apps.get_models():
        if model in skipped or model._meta.proxy or not model._meta.managed:
            continue
        yield model


def mention_rewrites(identity: Identity, *, pseudonym_of: Person) -> Iterator[Rewrite]:
    """Each row of any table whose text or JSON quotes the name or an address, rewritten.

    One query per table finds the candidates (a case-insensitive substring match on
    each of its text columns); the exact, whole-word replacement is done here.
    """
    pseudonym = pseudonym_for(pseudonym_of)
    replace = _matcher(identity, full_name=pseudonym.full_name, email=pseudonym.email)
    for model in searched_models():
        columns = [
            column
            for column in model._meta.concrete_fields
            if isinstance(column, (*_TEXT_COLUMNS, models.JSONField)) and not column.primary_key
        ]
        condition = Q()
        for column in columns:
            condition |= _candidates(identity, column)
        if not condition:
            continue
        names = [column.attname for column in columns]
        pk_name = model._meta.pk.attname
        for row in model._base_manager.filter(condition).values(pk_name, *names).iterator():
            changed = {
                name: new for name in names if (new := _scrubbed(row[name], replace)) != row[name]
            }
            if changed:
                yield Rewrite(model=model, pk=row[pk_name], values=changed)


def apply_rewrites(rewrites: Iterable[Rewrite]) -> tuple[int, ...]:
    """Write the rewrites; returns the ids of the history events among them."""
    pending = list(rewrites)
    events = [rewrite.pk for rewrite in pending if rewrite.model is RequestEvent]
    sealable = _whole_histories_of(events)
    requests: list[int] = []
    for rewrite in pending:
        if rewrite.model is RequestEvent:
            _rewrite_event_data(rewrite.pk, rewrite.values)
            continue
        rewrite.model._base_manager.filter(pk=rewrite.pk).update(**rewrite.values)
        if rewrite.model is Request:
            requests.append(rewrite.pk)
    Request.objects.filter(pk__in=requests).update(version=F("version") + 1)
    history_chain.reseal_histories(Request, RequestEvent, sealable)
    return tuple(events)


def _whole_histories_of(event_ids: list[int]) -> list[int]:
    """The requests of ``event_ids`` whose chains are whole before the erasure rewrites
    them: only those are sealed again afterwards, so ``verify-history`` stays clean after
    a lawful change while a chain tampered with before stays broken, never laundered."""
    if not event_ids:
        return []
    request_ids = RequestEvent.objects.filter(pk__in=event_ids).values_list("request_id")
    return [
        checked.request_id
        for checked in history_chain.check_histories(Request.objects.filter(pk__in=request_ids))
        if checked.first_break is None
    ]


def _rewrite_event_data(event_id: int, values: dict[str, Any]) -> None:
    """The one place an erasure changes a history event: only the words that named the
    person, never its kind, actor, time or numbers. The event's hash no longer matches
    what it covers until ``_apply`` seals its chain again."""
    RequestEvent.objects.filter(pk=event_id).update(**values)
