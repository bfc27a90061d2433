"""Keyset pages and their cursors, for every list that is read a page at a time.

A cursor says where the previous page ended: a kind (which ordering it belongs
to) and the key of that page's last row. It is opaque to callers (URL-safe
base64 of ``kind:value|value``) so nobody builds one by hand, and reading a
forged or broken one is a 400 naming ``cursor``, never a 500. Pages are keyed on
the ordering's columns, never on an offset, so the hundredth page costs what the
first does and rows arriving meanwhile neither shift nor repeat what follows.
"""

import base64
import binascii
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from inhouse.core.errors import InvalidInput
from inhouse.core.ids import database_id

Row = TypeVar("Row", bound=Model)

ID_CURSOR = "id"


@dataclass(frozen=True)
class KeysetPage(Generic[Row]):
    items: list[Row]
    next_cursor: str | None


def encode_cursor(kind: str, *key: object) -> str:
    text = f"{kind}:{'|'.join(str(part) for part in key)}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def invalid_cursor() -> InvalidInput:
    """The one answer to a cursor that cannot be read, whatever list it was meant for."""
    return InvalidInput(
        _("Invalid page cursor."),
        fields={"cursor": _("This page link is broken; start again from the first page.")},
    )


def decode_cursor(cursor: str) -> tuple[str, list[str]]:
    """The kind and the key parts of a cursor; ``InvalidInput`` naming ``cursor`` if unreadable."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise invalid_cursor() from exc
    kind, colon, rest = text.partition(":")
    if not colon:
        raise invalid_cursor()
    return kind, rest.split("|")


def decode_id_cursor(cursor: str) -> int:
    """The id a page ordered by id ended at."""
    kind, key = decode_cursor(cursor)
    after = database_id(key[0]) if kind == ID_CURSOR and len(key) == 1 else None
    if after is None:
        raise invalid_cursor()
    return after


def page_by_id(
    rows: QuerySet[Row], *, cursor: str | None, limit: int, newest_first: bool
) -> KeysetPage[Row]:
    """One page of ``rows`` ordered by id (descending when ``newest_first``), keyed on id."""
    if cursor:
        after = decode_id_cursor(cursor)
        rows = rows.filter(pk__lt=after) if newest_first else rows.filter(pk__gt=after)
    found = list(rows.order_by("-pk" if newest_first else "pk")[: limit + 1])
    items = found[:limit]
    has_more = len(found) > limit
    return KeysetPage(
        items=items,
        next_cursor=encode_cursor(ID_CURSOR, items[-1].pk) if has_more and items else None,
    )
