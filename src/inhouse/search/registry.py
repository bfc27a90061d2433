"""What can be found: each kind registers how to read its rows and who may see them.

Adding a kind is one ``register(SearchKind(...))`` in a module of ``inhouse.search.kinds``
(imported by its ``__init__``), plus one ``changes.changed(kind, id)`` in each service
that changes such a thing. Nothing else in the engine names a kind.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.functional import Promise

from inhouse.policy import Viewer

# Characters the snippets mark matches with; never part of indexed text (``clean``).
MARK_START = "\ue000"
MARK_END = "\ue001"
# The kinds with a document for every request or comment, which grow without bound: a
# query matching more than RECENT_MATCHES documents searches these among its most recent
# matches only ("Very common words" in docs/search.md). Every other kind is searched
# whole, from an index of its own (migration 0002 names the same kinds).
KINDS_THAT_GROW = ("comment", "request")
# Ranking every match of a word found in a third of a million requests reads all of
# them, and such a word alone tells little apart; a query of two telling words usually
# matches fewer, and so is searched through the whole history. Why not more:
# "Very common words" in docs/search.md.
RECENT_MATCHES = 2_000


@dataclass(frozen=True)
class IndexRow:
    """What the index keeps of one thing: its words, its link and its scope."""

    object_id: int
    title: str
    body: str
    url: str
    team_id: int | None = None
    customer_team_id: int | None = None
    person_id: int | None = None
    request_id: int | None = None
    confidential: bool = False
    internal: bool = False


@dataclass(frozen=True)
class SearchKind:
    """One kind of findable thing.

    - ``all_ids``: the ids of every thing of the kind to index (``inhouse reindex``).
    - ``rows``: the index rows of those of ``ids`` that are still findable; an id that
      yields no row is removed from the index (deleted, deactivated, erased).
    - ``visible``: a condition on ``search.Document`` for the documents of this kind the
      viewer may see, built from the same policy as the kind's own pages.
    - ``dependents``: other things whose rows copy this one's scope (a request's
      comments copy its team and confidentiality), indexed again with it.
    - ``url_for``: the link for this viewer, when it differs by viewer (agents open a
      request on their workspace page).
    - ``follows_version``: for a small kind whose every change already bumps a versioned
      cache (``core.versioned``: the catalog's services, forms and team tree), that
      cache's name: the whole kind is indexed again when the version moves, so its
      services need no hook of their own.
    """

    name: str
    label: str | Promise
    all_ids: Callable[[], QuerySet[Any, int]]
    rows: Callable[[Sequence[int]], Iterable[IndexRow]]
    visible: Callable[[Viewer], Q]
    dependents: Callable[[Sequence[int]], dict[str, list[int]]] | None = None
    url_for: Callable[[Viewer, "DocumentScope"], str] | None = None
    follows_version: str | None = None
    order: int = field(default=100)


@dataclass(frozen=True)
class DocumentScope:
    url: str
    team_id: int | None


KINDS: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> SearchKind:
    # The name is also a word in the full-text index (the FTS5 ``kind`` column) and a
    # literal in SQL, so it is kept to lowercase letters.
    if not kind.name.isalpha() or not kind.name.islower():
        raise ValueError(f"search kind {kind.name!r}: lowercase letters only")
    if kind.name in KINDS:
        raise ValueError(f"search kind {kind.name!r} is registered twice")
    KINDS[kind.name] = kind
    return kind


def clean(text: str) -> str:
    """Indexed text without the snippet markers, so a match mark is always ours."""
    return text.replace(MARK_START, "").replace(MARK_END, "")
