"""Searching: what a viewer may find for what they typed, ranked, with snippets.

Every kind's documents are filtered by the kind's permission condition (``registry``),
compiled into the same statement that matches, so a hidden thing is never read out,
counted or suggested. The counts are the same filter's, every kind in one statement
(one pass over the matches), capped.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.core.errors import InvalidInput
from inhouse.knowledge.models import Article
from inhouse.org.models import Person
from inhouse.search.backends import Found, RawHit, Where, engine
from inhouse.search.index import apply_pending
from inhouse.search.models import Document
from inhouse.search.query import ParsedQuery, parse, parse_any_word
from inhouse.search.registry import (
    KINDS,
    KINDS_THAT_GROW,
    MARK_END,
    MARK_START,
    DocumentScope,
    SearchKind,
)

MAX_QUERY = 200
MAX_LIMIT = 50
# Counts are shown up to here ("1000+"): past it the figure only says "very many";
# narrower words help more than a larger number.
COUNT_CAP = 1000
# Articles suggested next to the services on the home page, and on a request form.
ARTICLE_SUGGESTIONS = 5


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    url: str
    title: str
    snippet: str
    title_html: SafeString
    snippet_html: SafeString


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int
    capped: bool


@dataclass(frozen=True)
class KindSection:
    """One kind's part of a results page: its count and its best hits."""

    count: KindCount
    hits: list[Hit]


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[Hit]
    # The offset of the next page, if there is one.
    next_offset: int | None


def kinds_named(names: Sequence[str] | None) -> list[SearchKind]:
    """The kinds asked for (all when none is named), in their sections' order; an unknown
    name is a 400 naming it."""
    if not names:
        return sorted(KINDS.values(), key=lambda kind: kind.order)
    unknown = sorted(set(names) - set(KINDS))
    if unknown:
        raise InvalidInput(
            f"Unknown kinds: {', '.join(unknown)}. Known: {', '.join(sorted(KINDS))}.",
            fields={"kind": "Not a kind of search result."},
        )
    return sorted({KINDS[name] for name in names}, key=lambda kind: kind.order)


def _where(
    viewer: policy.Viewer, kinds: Sequence[SearchKind], *, narrowed: Q | None = None
) -> Where | None:
    """The permission filter of these kinds as SQL on ``search_document`` (and
    ``narrowed``, a further condition on it); None when the viewer may see nothing."""
    condition = reduce(or_, [Q(kind=kind.name) & kind.visible(viewer) for kind in kinds])
    if narrowed is not None:
        condition &= narrowed
    query = Document.objects.filter(condition).query
    compiler = query.get_compiler(connection=connection)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        sql, params = "", []
    return Where(
        sql=sql or "1=1",
        params=list(params),
        whole_kinds=tuple(kind.name for kind in kinds if kind.name not in KINDS_THAT_GROW),
        recent_kinds=tuple(kind.name for kind in kinds if kind.name in KINDS_THAT_GROW),
    )


def _marked(text: str) -> SafeString:
    """The text escaped, then the engine's match marks made ``<mark>``: the marks are the
    only markup, whatever the text holds."""
    return mark_safe(  # noqa: S308 (escaped first)
        escape(text).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


def _plain(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def _hit(viewer: policy.Viewer, raw: RawHit) -> Hit:
    kind = KINDS[raw.kind]
    url = raw.url
    if kind.url_for is not None:
        url = kind.url_for(viewer, DocumentScope(url=raw.url, team_id=raw.team_id))
    return Hit(
        kind=raw.kind,
        object_id=raw.object_id,
        url=url,
        title=_plain(raw.title),
        snippet=_plain(raw.snippet),
        title_html=_marked(raw.title),
        snippet_html=_marked(raw.snippet),
    )


def _parsed(text: str) -> ParsedQuery:
    if len(text) > MAX_QUERY:
        raise InvalidInput(f"Search for at most {MAX_QUERY} characters.", fields={"q": "Too long."})
    return parse(text)


def search(
    person: Person | policy.Viewer,
    text: str,
    *,
    kinds: Sequence[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """The best matches of ``text`` the person may see, best first."""
    return _search(
        policy.as_viewer(person), text, _parsed(text), kinds_named(kinds), limit=limit,
        offset=offset,
    )  # fmt: skip


def _search(
    viewer: policy.Viewer,
    text: str,
    query: ParsedQuery,
    chosen: Sequence[SearchKind],
    *,
    limit: int,
    offset: int = 0,
    narrowed: Q | None = None,
) -> SearchResults:
    limit = max(1, min(limit, MAX_LIMIT))
    if not query:
        return SearchResults(query=text, hits=[], next_offset=None)
    apply_pending()
    where = _where(viewer, chosen, narrowed=narrowed)
    if where is None:
        return SearchResults(query=text, hits=[], next_offset=None)
    # One more than the page tells whether another page follows.
    raw = engine().hits(query, where, limit=limit + 1, offset=max(0, offset))
    hits = [_hit(viewer, row) for row in raw[:limit]]
    return SearchResults(
        query=text, hits=hits, next_offset=offset + limit if len(raw) > limit else None
    )


def _kind_count(kind: SearchKind, found: Found) -> KindCount:
    # A kind searched among the most recent matches only may have more than it counts.
    return KindCount(
        kind=kind.name, label=str(kind.label), count=min(found.total, COUNT_CAP),
        capped=found.total > COUNT_CAP or found.cut,
    )  # fmt: skip


def counts(
    person: Person | policy.Viewer, text: str, *, kinds: Sequence[str] | None = None
) -> list[KindCount]:
    """How many matches of each kind the person may see, shown up to ``COUNT_CAP``;
    kinds with none are left out. One statement over all the kinds: the same
    permission filter as the search's, grouped by kind."""
    viewer = policy.as_viewer(person)
    chosen = kinds_named(kinds)
    query = _parsed(text)
    if not query:
        return []
    apply_pending()
    where = _where(viewer, chosen)
    if where is None:
        return []
    totals = engine().counts(query, where)
    return [_kind_count(kind, totals[kind.name]) for kind in chosen if totals.get(kind.name)]


def sections(
    person: Person | policy.Viewer, text: str, *, kinds: Sequence[str] | None = None,
    per_kind: int,
) -> list[KindSection]:  # fmt: skip
    """A results page: for each kind with a match the person may see, in the kinds'
    order, its count (as ``counts``) and its best ``per_kind`` hits, all from one
    statement under the same permission filter as the search's."""
    viewer = policy.as_viewer(person)
    chosen = kinds_named(kinds)
    query = _parsed(text)
    if not query:
        return []
    apply_pending()
    where = _where(viewer, chosen)
    if where is None:
        return []
    best = engine().best_of_each_kind(query, where, per_kind=max(1, min(per_kind, MAX_LIMIT)))
    return [
        KindSection(
            count=_kind_count(kind, best[kind.name].found),
            hits=[_hit(viewer, raw) for raw in best[kind.name].hits],
        )
        for kind in chosen
        if kind.name in best
    ]


def search_and_count(
    person: Person | policy.Viewer,
    text: str,
    *,
    kinds: Sequence[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> tuple[SearchResults, list[KindCount]]:
    """``search`` and ``counts`` of the same words (the API's answer), from one
    statement: one pass over the matches under the same permission filter."""
    viewer = policy.as_viewer(person)
    chosen = kinds_named(kinds)
    query = _parsed(text)
    limit = max(1, min(limit, MAX_LIMIT))
    nothing = SearchResults(query=text, hits=[], next_offset=None)
    if not query:
        return nothing, []
    apply_pending()
    where = _where(viewer, chosen)
    if where is None:
        return nothing, []
    offset = max(0, offset)
    # One more than the page tells whether another page follows.
    raw, totals = engine().page_and_counts(query, where, limit=limit + 1, offset=offset)
    results = SearchResults(
        query=text,
        hits=[_hit(viewer, row) for row in raw[:limit]],
        next_offset=offset + limit if len(raw) > limit else None,
    )
    return results, [_kind_count(kind, totals[kind.name]) for kind in chosen if kind.name in totals]


def ranked_service_ids(person: Person | policy.Viewer, text: str, *, limit: int) -> list[int]:
    """The services matching ``text`` the person may see, best first (the home page)."""
    results = search(person, text, kinds=["service"], limit=limit)
    return [hit.object_id for hit in results.hits]


def suggested_articles(
    person: Person | policy.Viewer, text: str, *, limit: int = ARTICLE_SUGGESTIONS
) -> list[Hit]:
    """The articles matching ``text`` the person may read, best first (the home page
    suggests them next to the services as one types)."""
    return search(person, text, kinds=["article"], limit=limit).hits


def articles_suggested_for_service(
    person: Person | policy.Viewer, service: Service, text: str, *,
    limit: int = ARTICLE_SUGGESTIONS,
) -> list[Hit]:  # fmt: skip
    """What a request form suggests while its subject is typed: the published articles
    of the service's provider team (the only team its articles can come from) holding
    any telling word of ``text``, those linked to this service first, then by rank.

    The caller must already be allowed to see ``service``; the article filter is the
    search's own, so nothing the person may not read is offered. A subject longer than
    a search is read up to the search's limit."""
    viewer = policy.as_viewer(person)
    query = parse_any_word(text[:MAX_QUERY])
    # A few times the page, so the service's own articles can move up from further down.
    ranked = _search(
        viewer, text, query, kinds_named(["article"]), limit=limit * 4,
        narrowed=Q(team_id=service.provider_team_id),
    ).hits  # fmt: skip
    of_service = set(
        Article.services.through.objects.filter(
            service_id=service.pk, article_id__in=[hit.object_id for hit in ranked]
        ).values_list("article_id", flat=True)
    )
    return sorted(ranked, key=lambda hit: hit.object_id not in of_service)[:limit]
