"""The two full-text engines behind one interface: FTS5 on SQLite, tsvector on PostgreSQL.

Each takes the parsed query and the permission filter as SQL on ``search_document``
(compiled from the kinds' conditions by the ORM, so the policy stays in Python) and
matches, filters, ranks and cuts a page in one statement; the per-kind counts and the
best few of every kind (a results page's sections) are one statement each too, a single
pass over the matches whatever the number of kinds. Snippets mark matches with
``registry.MARK_START``/``MARK_END``, which the presenter turns into ``<mark>`` after
escaping the text.
"""

from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection

from inhouse.search.query import ParsedQuery
from inhouse.search.registry import MARK_END, MARK_START


@dataclass(frozen=True)
class Where:
    sql: str
    params: list[Any]


@dataclass(frozen=True)
class RawHit:
    kind: str
    object_id: int
    url: str
    team_id: int | None
    title: str
    snippet: str


@dataclass(frozen=True)
class KindBest:
    """One kind's share of the matches the filter lets through: how many, and the best."""

    total: int
    hits: list[RawHit]


class Engine(Protocol):
    def hits(self, query: ParsedQuery, where: Where, *, limit: int, offset: int) -> list[RawHit]:
        """The best matches the filter lets through, best first."""

    def counts(self, query: ParsedQuery, where: Where) -> dict[str, int]:
        """How many match and pass the filter, per kind (kinds with none left out)."""

    def best_of_each_kind(
        self, query: ParsedQuery, where: Where, *, per_kind: int
    ) -> dict[str, KindBest]:
        """Per kind with a match the filter lets through: how many, and the best
        ``per_kind`` of them, best first, with snippets."""

    def page_and_counts(
        self, query: ParsedQuery, where: Where, *, limit: int, offset: int
    ) -> tuple[list[RawHit], dict[str, int]]:
        """``hits`` and ``counts`` together, from one pass over the matches."""


_COLUMNS = (
    "search_document.kind, search_document.object_id, search_document.url, search_document.team_id"
)


class SqliteFts5:
    """FTS5 first: ``CROSS JOIN`` keeps SQLite from driving the join from the documents
    (every one of a kind) and running the MATCH once per row; the matches come from the
    full-text index and each is looked up by primary key and filtered."""

    # bm25 weights per column: a word in the title counts ten times one in the body.
    RANK = "bm25(search_fts, 10.0, 1.0)"

    def hits(self, query: ParsedQuery, where: Where, *, limit: int, offset: int) -> list[RawHit]:
        sql = f"""
            SELECT {_COLUMNS},
                   highlight(search_fts, 0, %s, %s),
                   snippet(search_fts, 1, %s, %s, '…', 24)
            FROM search_fts CROSS JOIN search_document ON search_document.id = search_fts.rowid
            WHERE search_fts MATCH %s AND ({where.sql})
            ORDER BY {self.RANK}, search_document.id DESC
            LIMIT %s OFFSET %s"""  # noqa: S608 (the filter is SQL the ORM compiled)
        params = [MARK_START, MARK_END, MARK_START, MARK_END, query.fts5(), *where.params]
        return _fetch(sql, [*params, limit, offset])

    def counts(self, query: ParsedQuery, where: Where) -> dict[str, int]:
        sql = f"""
            SELECT search_document.kind, COUNT(*)
            FROM search_fts CROSS JOIN search_document ON search_document.id = search_fts.rowid
            WHERE search_fts MATCH %s AND ({where.sql})
            GROUP BY search_document.kind"""  # noqa: S608
        return _counted(sql, [query.fts5(), *where.params])

    def best_of_each_kind(
        self, query: ParsedQuery, where: Where, *, per_kind: int
    ) -> dict[str, KindBest]:
        # Rank every match once, numbering them within their kind; the snippets (the
        # costly part) only for the rows shown, from a second look-up of the full-text
        # table by rowid, which FTS5 answers without reading the other matches.
        sql = f"""
            SELECT best.kind, best.object_id, best.url, best.team_id, best.total,
                   highlight(shown.search_fts, 0, %s, %s),
                   snippet(shown.search_fts, 1, %s, %s, '…', 24)
            FROM (
                SELECT matched.*,
                       ROW_NUMBER() OVER (
                           PARTITION BY matched.kind ORDER BY matched.rank, matched.id DESC
                       ) AS place,
                       COUNT(*) OVER (PARTITION BY matched.kind) AS total
                FROM ({self._matched(where)}) AS matched
            ) AS best
            CROSS JOIN search_fts AS shown ON shown.rowid = best.id
            WHERE best.place <= %s AND shown.search_fts MATCH %s
            ORDER BY best.kind, best.place"""  # noqa: S608
        params = [
            MARK_START, MARK_END, MARK_START, MARK_END, query.fts5(), *where.params,
            per_kind, query.fts5(),
        ]  # fmt: skip
        return _best(sql, params)

    def page_and_counts(
        self, query: ParsedQuery, where: Where, *, limit: int, offset: int
    ) -> tuple[list[RawHit], dict[str, int]]:
        # Every match numbered once by rank and once within its kind: the page's rows,
        # and a first row of each kind for its count; snippets only for those rows.
        sql = f"""
            SELECT best.kind, best.object_id, best.url, best.team_id, best.total, best.place,
                   highlight(shown.search_fts, 0, %s, %s),
                   snippet(shown.search_fts, 1, %s, %s, '…', 24)
            FROM (
                SELECT matched.*,
                       ROW_NUMBER() OVER (ORDER BY matched.rank, matched.id DESC) AS place,
                       ROW_NUMBER() OVER (PARTITION BY matched.kind) AS in_kind,
                       COUNT(*) OVER (PARTITION BY matched.kind) AS total
                FROM ({self._matched(where)}) AS matched
            ) AS best
            CROSS JOIN search_fts AS shown ON shown.rowid = best.id
            WHERE (best.place > %s AND best.place <= %s OR best.in_kind = 1)
                AND shown.search_fts MATCH %s
            ORDER BY best.place"""  # noqa: S608
        params = [
            MARK_START, MARK_END, MARK_START, MARK_END, query.fts5(), *where.params,
            offset, offset + limit, query.fts5(),
        ]  # fmt: skip
        return _page(sql, params, offset=offset, limit=limit)

    def _matched(self, where: Where) -> str:
        """Every match the filter lets through, with its rank (one parameter: the
        query, then the filter's)."""
        return f"""
            SELECT search_document.id, {_COLUMNS}, {self.RANK} AS rank
            FROM search_fts
            CROSS JOIN search_document ON search_document.id = search_fts.rowid
            WHERE search_fts MATCH %s AND ({where.sql})"""  # noqa: S608


class PostgresFullText:
    HEADLINE = (
        f'StartSel="{MARK_START}", StopSel="{MARK_END}", MinWords=10, MaxWords=30, '
        'MaxFragments=2, FragmentDelimiter=" … "'
    )

    def hits(self, query: ParsedQuery, where: Where, *, limit: int, offset: int) -> list[RawHit]:
        # Rank and cut the page first; headlines (the costly part) only for its rows.
        sql = f"""
            WITH q AS (SELECT to_tsquery('english', %s) AS query)
            SELECT page.kind, page.object_id, page.url, page.team_id,
                   ts_headline('english', page.title, q.query, %s),
                   ts_headline('english', page.body, q.query, %s)
            FROM (
                SELECT {_COLUMNS}, search_document.id, search_document.title,
                       search_document.body,
                       ts_rank(search_document.search_vector, q.query) AS rank
                FROM search_document, q
                WHERE search_document.search_vector @@ q.query AND ({where.sql})
                ORDER BY rank DESC, search_document.id DESC
                LIMIT %s OFFSET %s
            ) AS page, q
            ORDER BY page.rank DESC, page.id DESC"""  # noqa: S608
        # A title is shown whole, its matches marked.
        whole = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'
        params = [query.tsquery(), whole, self.HEADLINE, *where.params, limit, offset]
        return _fetch(sql, params)

    def counts(self, query: ParsedQuery, where: Where) -> dict[str, int]:
        sql = f"""
            SELECT search_document.kind, COUNT(*) FROM search_document
            WHERE search_document.search_vector @@ to_tsquery('english', %s)
            AND ({where.sql})
            GROUP BY search_document.kind"""  # noqa: S608
        return _counted(sql, [query.tsquery(), *where.params])

    def best_of_each_kind(
        self, query: ParsedQuery, where: Where, *, per_kind: int
    ) -> dict[str, KindBest]:
        # Rank and number every match within its kind over ids alone; the texts and
        # their headlines only for the rows shown.
        sql = f"""
            WITH q AS (SELECT to_tsquery('english', %s) AS query),
            ranked AS (
                SELECT search_document.id,
                       ROW_NUMBER() OVER (
                           PARTITION BY search_document.kind
                           ORDER BY ts_rank(search_document.search_vector, q.query) DESC,
                                    search_document.id DESC) AS place,
                       COUNT(*) OVER (PARTITION BY search_document.kind) AS total
                FROM search_document, q
                WHERE search_document.search_vector @@ q.query AND ({where.sql})
            )
            SELECT shown.kind, shown.object_id, shown.url, shown.team_id, ranked.total,
                   ts_headline('english', shown.title, q.query, %s),
                   ts_headline('english', shown.body, q.query, %s)
            FROM ranked JOIN search_document AS shown ON shown.id = ranked.id, q
            WHERE ranked.place <= %s
            ORDER BY shown.kind, ranked.place"""  # noqa: S608
        whole = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'
        params = [query.tsquery(), *where.params, whole, self.HEADLINE, per_kind]
        return _best(sql, params)

    def page_and_counts(
        self, query: ParsedQuery, where: Where, *, limit: int, offset: int
    ) -> tuple[list[RawHit], dict[str, int]]:
        # Every match numbered by rank and within its kind over ids alone: the page's
        # rows, and a first row of each kind for its count; headlines for the page only.
        page = "ranked.place > %s AND ranked.place <= %s"
        sql = f"""
            WITH q AS (SELECT to_tsquery('english', %s) AS query),
            ranked AS (
                SELECT search_document.id,
                       ROW_NUMBER() OVER (
                           ORDER BY ts_rank(search_document.search_vector, q.query) DESC,
                                    search_document.id DESC) AS place,
                       ROW_NUMBER() OVER (PARTITION BY search_document.kind) AS in_kind,
                       COUNT(*) OVER (PARTITION BY search_document.kind) AS total
                FROM search_document, q
                WHERE search_document.search_vector @@ q.query AND ({where.sql})
            )
            SELECT shown.kind, shown.object_id, shown.url, shown.team_id, ranked.total,
                   ranked.place,
                   CASE WHEN {page} THEN ts_headline('english', shown.title, q.query, %s) END,
                   CASE WHEN {page} THEN ts_headline('english', shown.body, q.query, %s) END
            FROM ranked JOIN search_document AS shown ON shown.id = ranked.id, q
            WHERE {page} OR ranked.in_kind = 1
            ORDER BY ranked.place"""  # noqa: S608
        whole = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'
        end = offset + limit
        params = [
            query.tsquery(), *where.params, offset, end, whole, offset, end, self.HEADLINE,
            offset, end,
        ]  # fmt: skip
        return _page(sql, params, offset=offset, limit=limit)


def _fetch(sql: str, params: list[Any]) -> list[RawHit]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            RawHit(kind=kind, object_id=object_id, url=url, team_id=team_id, title=title,
                   snippet=snippet or "")
            for kind, object_id, url, team_id, title, snippet in cursor.fetchall()
        ]  # fmt: skip


def _counted(sql: str, params: list[Any]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {kind: int(count) for kind, count in cursor.fetchall()}


def _best(sql: str, params: list[Any]) -> dict[str, KindBest]:
    best: dict[str, KindBest] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, object_id, url, team_id, total, title, snippet in cursor.fetchall():
            share = best.setdefault(kind, KindBest(total=int(total), hits=[]))
            share.hits.append(
                RawHit(kind=kind, object_id=object_id, url=url, team_id=team_id, title=title,
                       snippet=snippet or "")
            )  # fmt: skip
    return best


def _page(
    sql: str, params: list[Any], *, offset: int, limit: int
) -> tuple[list[RawHit], dict[str, int]]:
    hits: list[RawHit] = []
    totals: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, object_id, url, team_id, total, place, title, snippet in cursor.fetchall():
            totals[kind] = int(total)
            if offset < place <= offset + limit:
                hits.append(
                    RawHit(kind=kind, object_id=object_id, url=url, team_id=team_id,
                           title=title or "", snippet=snippet or "")
                )  # fmt: skip
    return hits, totals


def engine() -> Engine:
    """The engine of the database in use, chosen when asked (never at import time)."""
    return PostgresFullText() if connection.vendor == "postgresql" else SqliteFts5()
