"""The two full-text engines behind one interface: FTS5 on SQLite, tsvector on PostgreSQL.

Each takes the parsed query and the permission filter as SQL on ``search_document``
(compiled from the kinds' conditions by the ORM, so the policy stays in Python) and
matches, filters, ranks and cuts a page in one statement. Snippets mark matches with
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


class Engine(Protocol):
    def hits(self, query: ParsedQuery, where: Where, *, limit: int, offset: int) -> list[RawHit]:
        """The best matches the filter lets through, best first."""

    def count(self, query: ParsedQuery, where: Where, *, cap: int) -> int:
        """How many match and pass the filter, counted up to ``cap``."""


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

    def count(self, query: ParsedQuery, where: Where, *, cap: int) -> int:
        sql = f"""
            SELECT COUNT(*) FROM (
                SELECT 1 FROM search_fts
                CROSS JOIN search_document ON search_document.id = search_fts.rowid
                WHERE search_fts MATCH %s AND ({where.sql}) LIMIT %s)"""  # noqa: S608
        return _scalar(sql, [query.fts5(), *where.params, cap])


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

    def count(self, query: ParsedQuery, where: Where, *, cap: int) -> int:
        sql = f"""
            SELECT COUNT(*) FROM (
                SELECT 1 FROM search_document
                WHERE search_document.search_vector @@ to_tsquery('english', %s)
                AND ({where.sql}) LIMIT %s) AS capped"""  # noqa: S608
        return _scalar(sql, [query.tsquery(), *where.params, cap])


def _fetch(sql: str, params: list[Any]) -> list[RawHit]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            RawHit(kind=kind, object_id=object_id, url=url, team_id=team_id, title=title,
                   snippet=snippet or "")
            for kind, object_id, url, team_id, title, snippet in cursor.fetchall()
        ]  # fmt: skip


def _scalar(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def engine() -> Engine:
    """The engine of the database in use, chosen when asked (never at import time)."""
    return PostgresFullText() if connection.vendor == "postgresql" else SqliteFts5()
