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
from inhouse.search.registry import KINDS_THAT_GROW, MARK_END, MARK_START, RECENT_MATCHES


@dataclass(frozen=True)
class Where:
    """The permission filter as SQL on ``search_document``, and the kinds it lets through:
    those searched whole, and those that grow with the work (``SearchKind.grows_with_work``),
    searched among the query's ``RECENT_MATCHES`` most recent matches."""

    sql: str
    params: list[Any]
    whole_kinds: tuple[str, ...]
    recent_kinds: tuple[str, ...]


@dataclass(frozen=True)
class RawHit:
    kind: str
    object_id: int
    url: str
    team_id: int | None
    title: str
    snippet: str


@dataclass(frozen=True)
class Found:
    """How many of one kind match and pass the filter; ``cut`` when the kind was searched
    among the query's most recent matches only (there may be more)."""

    total: int
    cut: bool = False


@dataclass(frozen=True)
class KindBest:
    """One kind's share of the matches the filter lets through: how many, and the best."""

    found: Found
    hits: list[RawHit]


class Engine(Protocol):
    def hits(self, query: ParsedQuery, where: Where, *, limit: int, offset: int) -> list[RawHit]:
        """The best matches the filter lets through, best first."""

    def counts(self, query: ParsedQuery, where: Where) -> dict[str, Found]:
        """How many match and pass the filter, per kind (kinds with none left out)."""

    def best_of_each_kind(
        self, query: ParsedQuery, where: Where, *, per_kind: int
    ) -> dict[str, KindBest]:
        """Per kind with a match the filter lets through: how many, and the best
        ``per_kind`` of them, best first, with snippets."""

    def page_and_counts(
        self, query: ParsedQuery, where: Where, *, limit: int, offset: int
    ) -> tuple[list[RawHit], dict[str, Found]]:
        """``hits`` and ``counts`` together, from one pass over the matches."""


_COLUMNS = (
    "search_document.kind, search_document.object_id, search_document.url, search_document.team_id"
)


# What the permission filters read of a document besides ``_COLUMNS``.
_SCOPE = ", ".join(
    f"search_document.{column}"
    for column in (
        "customer_team_id", "person_id", "request_id", "confidential", "internal",
    )
)  # fmt: skip


# Written out, not bound: the planner picks the GIN index of the other kinds
# (``search_document_vector_small``, whose condition this is) only for a condition it can
# read when planning. The names are lowercase letters (``registry.register``).
_GROWING_LITERALS = ", ".join(f"'{kind}'" for kind in KINDS_THAT_GROW)


def _placeholders(values: tuple[str, ...]) -> str:
    return ", ".join(["%s"] * len(values))


class SqliteFts5:
    """FTS5 first: ``CROSS JOIN`` keeps SQLite from driving the join from the documents
    (every one of a kind) and running the MATCH once per row; the matches come from the
    full-text index and each is looked up by primary key and filtered.

    The words are matched in the title and body only; the ``kind`` column lets the index
    itself hand over the matches of the small kinds (the kinds that grow with the work
    are picked by their rows instead: naming them in the MATCH would make ``bm25()``
    weigh the kind's million-row word list on every search)."""

    # bm25 weights per column: a word in the title counts ten times one in the body; the
    # kind not at all.
    RANK = "bm25(search_fts, 10.0, 1.0, 0.0)"

    def hits(self, query: ParsedQuery, where: Where, *, limit: int, offset: int) -> list[RawHit]:
        matched, params = self._matched(query, where)
        sql = f"""
            SELECT best.kind, best.object_id, best.url, best.team_id,
                   highlight(shown.search_fts, 0, %s, %s),
                   snippet(shown.search_fts, 1, %s, %s, '…', 24)
            FROM (
                SELECT matched.* FROM ({matched}) AS matched
                ORDER BY matched.rank, matched.id DESC LIMIT %s OFFSET %s
            ) AS best
            CROSS JOIN search_fts AS shown ON shown.rowid = best.id
            WHERE shown.search_fts MATCH %s
            ORDER BY best.rank, best.id DESC"""  # noqa: S608 (the filter is SQL the ORM compiled)
        marks = [MARK_START, MARK_END, MARK_START, MARK_END]
        return _fetch(sql, [*marks, *params, limit, offset, _words(query)])

    def counts(self, query: ParsedQuery, where: Where) -> dict[str, Found]:
        matched, params = self._matched(query, where, ranked=False)
        sql = f"""
            SELECT matched.kind, COUNT(*), MAX(matched.cut) FROM ({matched}) AS matched
            GROUP BY matched.kind"""  # noqa: S608
        return _counted(sql, params)

    def best_of_each_kind(
        self, query: ParsedQuery, where: Where, *, per_kind: int
    ) -> dict[str, KindBest]:
        # Rank every match once, numbering them within their kind; the snippets (the
        # costly part) only for the rows shown, from a second look-up of the full-text
        # table by rowid, which FTS5 answers without reading the other matches.
        matched, params = self._matched(query, where)
        sql = f"""
            SELECT best.kind, best.object_id, best.url, best.team_id, best.total, best.cut,
                   highlight(shown.search_fts, 0, %s, %s),
                   snippet(shown.search_fts, 1, %s, %s, '…', 24)
            FROM (
                SELECT matched.*,
                       ROW_NUMBER() OVER (
                           PARTITION BY matched.kind ORDER BY matched.rank, matched.id DESC
                       ) AS place,
                       COUNT(*) OVER (PARTITION BY matched.kind) AS total
                FROM ({matched}) AS matched
            ) AS best
            CROSS JOIN search_fts AS shown ON shown.rowid = best.id
            WHERE best.place <= %s AND shown.search_fts MATCH %s
            ORDER BY best.kind, best.place"""  # noqa: S608
        marks = [MARK_START, MARK_END, MARK_START, MARK_END]
        return _best(sql, [*marks, *params, per_kind, _words(query)])

    def page_and_counts(
        self, query: ParsedQuery, where: Where, *, limit: int, offset: int
    ) -> tuple[list[RawHit], dict[str, Found]]:
        # Every match numbered once by rank and once within its kind: the page's rows,
        # and a first row of each kind for its count; snippets only for those rows.
        matched, params = self._matched(query, where)
        sql = f"""
            SELECT best.kind, best.object_id, best.url, best.team_id, best.total, best.cut,
                   best.place,
                   highlight(shown.search_fts, 0, %s, %s),
                   snippet(shown.search_fts, 1, %s, %s, '…', 24)
            FROM (
                SELECT matched.*,
                       ROW_NUMBER() OVER (ORDER BY matched.rank, matched.id DESC) AS place,
                       ROW_NUMBER() OVER (PARTITION BY matched.kind) AS in_kind,
                       COUNT(*) OVER (PARTITION BY matched.kind) AS total
                FROM ({matched}) AS matched
            ) AS best
            CROSS JOIN search_fts AS shown ON shown.rowid = best.id
            WHERE (best.place > %s AND best.place <= %s OR best.in_kind = 1)
                AND shown.search_fts MATCH %s
            ORDER BY best.place"""  # noqa: S608
        marks = [MARK_START, MARK_END, MARK_START, MARK_END]
        params = [*marks, *params, offset, offset + limit, _words(query)]
        return _page(sql, params, offset=offset, limit=limit)

    def _matched(
        self, query: ParsedQuery, where: Where, *, ranked: bool = True
    ) -> tuple[str, list[Any]]:
        """Every match the filter lets through, with its rank and whether its kind was
        cut to the query's most recent matches: a subquery and its parameters."""
        words = _words(query)
        rank = self.RANK if ranked else "0"
        parts: list[str] = []
        params: list[Any] = []
        if where.whole_kinds:
            parts.append(f"""
                SELECT search_document.id, {_COLUMNS}, {rank} AS rank, 0 AS cut
                FROM search_fts
                CROSS JOIN search_document ON search_document.id = search_fts.rowid
                WHERE search_fts MATCH %s AND ({where.sql})""")  # noqa: S608
            params += [f"{_kind_column(where.whole_kinds)} AND {words}", *where.params]
        if where.recent_kinds:
            # The rowid of the newest match left out, if any: the matches of the growing
            # kinds are read back to it only. The index walks its list of each word from
            # the end, so this costs a millisecond however common the word.
            left_out = """(SELECT rowid FROM search_fts WHERE search_fts MATCH %s
                           ORDER BY rowid DESC LIMIT 1 OFFSET %s)"""
            parts.append(f"""
                SELECT search_document.id, {_COLUMNS}, {rank} AS rank,
                       {left_out} IS NOT NULL AS cut
                FROM search_fts
                CROSS JOIN search_document ON search_document.id = search_fts.rowid
                WHERE search_fts MATCH %s AND search_fts.rowid > coalesce({left_out}, 0)
                    AND search_document.kind IN ({_placeholders(where.recent_kinds)})
                    AND ({where.sql})""")  # noqa: S608
            params += [
                words, RECENT_MATCHES, words, words, RECENT_MATCHES, *where.recent_kinds,
                *where.params,
            ]  # fmt: skip
        return " UNION ALL ".join(parts), params


def _words(query: ParsedQuery) -> str:
    """The query as an FTS5 expression on the title and the body."""
    return f"{{title body}} : ({query.fts5()})"


def _kind_column(kinds: tuple[str, ...]) -> str:
    # The kind column holds "kind" and the name as one word (migration 0002).
    return "kind : (" + " OR ".join(f'"kind{kind}"' for kind in kinds) + ")"


class PostgresFullText:
    HEADLINE = (
        f'StartSel="{MARK_START}", StopSel="{MARK_END}", MinWords=10, MaxWords=30, '
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    # A title is shown whole, its matches marked.
    WHOLE = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'

    def hits(self, query: ParsedQuery, where: Where, *, limit: int, offset: int) -> list[RawHit]:
        # Rank and cut the page first; headlines (the costly part) only for its rows.
        matched, params = self._matched(query, where)
        sql = f"""
            {matched}
            SELECT shown.kind, shown.object_id, shown.url, shown.team_id,
                   ts_headline('english', shown.title, q.query, %s),
                   ts_headline('english', shown.body, q.query, %s)
            FROM (
                SELECT matched.id, matched.rank FROM matched
                ORDER BY matched.rank DESC, matched.id DESC LIMIT %s OFFSET %s
            ) AS page
            JOIN search_document AS shown ON shown.id = page.id, q
            ORDER BY page.rank DESC, page.id DESC"""  # noqa: S608
        return _fetch(sql, [*params, self.WHOLE, self.HEADLINE, limit, offset])

    def counts(self, query: ParsedQuery, where: Where) -> dict[str, Found]:
        matched, params = self._matched(query, where, ranked=False)
        sql = f"""
            {matched}
            SELECT matched.kind, COUNT(*), bool_or(matched.cut) FROM matched
            GROUP BY matched.kind"""  # noqa: S608
        return _counted(sql, params)

    def best_of_each_kind(
        self, query: ParsedQuery, where: Where, *, per_kind: int
    ) -> dict[str, KindBest]:
        # Rank and number every match within its kind over ids alone; the texts and
        # their headlines only for the rows shown.
        matched, params = self._matched(query, where)
        sql = f"""
            {matched},
            ranked AS (
                SELECT matched.id, matched.cut,
                       ROW_NUMBER() OVER (
                           PARTITION BY matched.kind
                           ORDER BY matched.rank DESC, matched.id DESC) AS place,
                       COUNT(*) OVER (PARTITION BY matched.kind) AS total
                FROM matched
            )
            SELECT shown.kind, shown.object_id, shown.url, shown.team_id, ranked.total,
                   ranked.cut,
                   ts_headline('english', shown.title, q.query, %s),
                   ts_headline('english', shown.body, q.query, %s)
            FROM ranked JOIN search_document AS shown ON shown.id = ranked.id, q
            WHERE ranked.place <= %s
            ORDER BY shown.kind, ranked.place"""  # noqa: S608
        return _best(sql, [*params, self.WHOLE, self.HEADLINE, per_kind])

    def page_and_counts(
        self, query: ParsedQuery, where: Where, *, limit: int, offset: int
    ) -> tuple[list[RawHit], dict[str, Found]]:
        # Every match numbered by rank and within its kind over ids alone: the page's
        # rows, and a first row of each kind for its count; headlines for the page only.
        matched, params = self._matched(query, where)
        page = "ranked.place > %s AND ranked.place <= %s"
        sql = f"""
            {matched},
            ranked AS (
                SELECT matched.id, matched.cut,
                       ROW_NUMBER() OVER (
                           ORDER BY matched.rank DESC, matched.id DESC) AS place,
                       ROW_NUMBER() OVER (PARTITION BY matched.kind) AS in_kind,
                       COUNT(*) OVER (PARTITION BY matched.kind) AS total
                FROM matched
            )
            SELECT shown.kind, shown.object_id, shown.url, shown.team_id, ranked.total,
                   ranked.cut, ranked.place,
                   CASE WHEN {page} THEN ts_headline('english', shown.title, q.query, %s) END,
                   CASE WHEN {page} THEN ts_headline('english', shown.body, q.query, %s) END
            FROM ranked JOIN search_document AS shown ON shown.id = ranked.id, q
            WHERE {page} OR ranked.in_kind = 1
            ORDER BY ranked.place"""  # noqa: S608
        end = offset + limit
        params = [*params, offset, end, self.WHOLE, offset, end, self.HEADLINE, offset, end]
        return _page(sql, params, offset=offset, limit=limit)

    def _matched(
        self, query: ParsedQuery, where: Where, *, ranked: bool = True
    ) -> tuple[str, list[Any]]:
        """``WITH`` the query (``q``, for the headlines) and every match the filter lets
        through (``matched``: its rank and whether its kind was cut to the query's most
        recent matches), and the parameters.

        The matching conditions name the query itself rather than ``q``, so the planner
        sees the words and estimates from the column's statistics how many rows hold
        them: a common word is then read newest first along the primary key until enough
        match, a rare one from the GIN index."""
        tsquery = query.tsquery()
        words = "to_tsquery('english', %s)"
        rank = f"ts_rank(search_document.search_vector, {words})" if ranked else "0"
        rank_params = [tsquery] if ranked else []
        ctes = ["q AS (SELECT to_tsquery('english', %s) AS query)"]
        cte_params: list[Any] = [tsquery]
        parts: list[str] = []
        part_params: list[Any] = []
        if where.whole_kinds:
            parts.append(f"""
                SELECT search_document.id, {_COLUMNS}, {rank} AS rank, false AS cut
                FROM search_document
                WHERE search_document.kind NOT IN ({_GROWING_LITERALS})
                    AND search_document.kind IN ({_placeholders(where.whole_kinds)})
                    AND search_document.search_vector @@ {words} AND ({where.sql})""")  # noqa: S608
            part_params += [*rank_params, *where.whole_kinds, tsquery, *where.params]
        if where.recent_kinds:
            # One more than the window tells whether any were left out. The rows carry
            # what the filter reads, so it runs on them under the table's own name.
            ctes.append(f"""
                recent AS MATERIALIZED (
                    SELECT search_document.id, {_COLUMNS}, {_SCOPE}, {rank} AS rank
                    FROM search_document
                    WHERE search_document.search_vector @@ {words}
                    ORDER BY search_document.id DESC LIMIT %s
                ),
                recent_cut AS MATERIALIZED (
                    SELECT COUNT(*) > %s AS cut, MIN(recent.id) AS left_out FROM recent
                )""")  # noqa: S608
            cte_params += [*rank_params, tsquery, RECENT_MATCHES + 1, RECENT_MATCHES]
            parts.append(f"""
                SELECT search_document.id, {_COLUMNS}, search_document.rank, recent_cut.cut
                FROM recent AS search_document, recent_cut
                WHERE (NOT recent_cut.cut OR search_document.id > recent_cut.left_out)
                    AND search_document.kind IN ({_placeholders(where.recent_kinds)})
                    AND ({where.sql})""")  # noqa: S608
            part_params += [*where.recent_kinds, *where.params]
        ctes.append("matched AS (" + " UNION ALL ".join(parts) + ")")
        return "WITH " + ",\n".join(ctes), [*cte_params, *part_params]


def _fetch(sql: str, params: list[Any]) -> list[RawHit]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            RawHit(kind=kind, object_id=object_id, url=url, team_id=team_id, title=title,
                   snippet=snippet or "")
            for kind, object_id, url, team_id, title, snippet in cursor.fetchall()
        ]  # fmt: skip


def _counted(sql: str, params: list[Any]) -> dict[str, Found]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            kind: Found(total=int(count), cut=bool(cut)) for kind, count, cut in cursor.fetchall()
        }


def _best(sql: str, params: list[Any]) -> dict[str, KindBest]:
    best: dict[str, KindBest] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, object_id, url, team_id, total, cut, title, snippet in cursor.fetchall():
            share = best.setdefault(
                kind, KindBest(found=Found(total=int(total), cut=bool(cut)), hits=[])
            )
            share.hits.append(
                RawHit(kind=kind, object_id=object_id, url=url, team_id=team_id, title=title,
                       snippet=snippet or "")
            )  # fmt: skip
    return best


def _page(
    sql: str, params: list[Any], *, offset: int, limit: int
) -> tuple[list[RawHit], dict[str, Found]]:
    hits: list[RawHit] = []
    totals: dict[str, Found] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, object_id, url, team_id, total, cut, place, title, snippet in rows:
        totals[kind] = Found(total=int(total), cut=bool(cut))
        if offset < place <= offset + limit:
            hits.append(
                RawHit(kind=kind, object_id=object_id, url=url, team_id=team_id,
                       title=title or "", snippet=snippet or "")
            )  # fmt: skip
    return hits, totals


def engine() -> Engine:
    """The engine of the database in use, chosen when asked (never at import time)."""
    return PostgresFullText() if connection.vendor == "postgresql" else SqliteFts5()
