"""Database ids read from text a caller typed: a query parameter, a form field, a path.

Ids are 64-bit signed integers in every database Inhouse runs on. A longer run of
digits is not an id of anything, and handing it to a query makes SQLite raise
``OverflowError`` (a server error), so it is refused here, where text becomes an id.
"""

from typing import Annotated

from pydantic import Field

MAX_DATABASE_ID = 2**63 - 1
# Enough digits for any id; a longer run is refused before it is turned into an int.
_MAX_DIGITS = len(str(MAX_DATABASE_ID))


def database_id(text: str) -> int | None:
    """The id ``text`` spells, or ``None`` when it is not a whole number an id can be."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_DIGITS:
        return None
    value = int(text)
    return value if value <= MAX_DATABASE_ID else None


def looks_like_id(text: str) -> bool:
    """Whether ``text`` is all digits, so a caller meant an id (perhaps one too big)."""
    text = text.strip()
    return text.isascii() and text.isdigit()


class DatabaseIdConverter:
    """The ``<id:…>`` path converter: digits that can be an id; anything past one is a 404."""

    regex = f"[0-9]{{1,{_MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        found = database_id(value)
        if found is None:
            # Django treats ValueError as "this pattern does not match": a 404.
            raise ValueError(f"{value} is past the largest database id")
        return found

    def to_url(self, value: int) -> str:
        return str(value)


# An id in an API path or schema: ninja answers a larger number with a 400 naming it.
DatabaseId = Annotated[int, Field(le=MAX_DATABASE_ID)]
