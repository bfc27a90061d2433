"""The kinds that grow with the work (requests, comments) and the others, indexed apart.

A search ranks every match of the small kinds (articles, services, people, teams,
ideas) and only the most recent matches of the growing ones; the index hands over the
small kinds' matches without reading the growing kinds' (``search.registry``,
``KINDS_THAT_GROW``, names the same two kinds as ``GROWING`` here):

- SQLite: the FTS5 table gains a column holding the document's kind as one word of
  its own, ``kind`` and the kind's name ("kindarticle"), so a MATCH can ask for some
  kinds only. Not the bare name: "team" or "service" fill the other columns' word lists
  too, and a column filter on them reads all of those. The triggers write that word,
  so the table is filled by the INSERT below, never by FTS5's 'rebuild' (which would
  read the bare name from ``search_document``). About 20 s at a million requests.
- PostgreSQL: a second GIN index holds the other kinds' documents only.
"""

from django.db import migrations

GROWING = ("comment", "request")
_TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"


def _fts(columns, values):
    """The FTS5 table of ``columns``, kept in step by triggers that write ``values``
    (expressions of a ``search_document`` row as ``{row}``), and filled from the table."""
    new = ", ".join(value.format(row="new") for value in values)
    old = ", ".join(value.format(row="old") for value in values)
    rows = ", ".join(value.format(row="search_document") for value in values)
    return [
        "DROP TRIGGER IF EXISTS search_fts_update",
        "DROP TRIGGER IF EXISTS search_fts_delete",
        "DROP TRIGGER IF EXISTS search_fts_insert",
        "DROP TABLE IF EXISTS search_fts",
        f"""CREATE VIRTUAL TABLE search_fts USING fts5({columns},
            content='search_document', content_rowid='id', {_TOKENIZE})""",
        f"""CREATE TRIGGER search_fts_insert AFTER INSERT ON search_document BEGIN
            INSERT INTO search_fts(rowid, {columns}) VALUES (new.id, {new});
        END""",
        f"""CREATE TRIGGER search_fts_delete AFTER DELETE ON search_document BEGIN
            INSERT INTO search_fts(search_fts, rowid, {columns}) VALUES ('delete', old.id, {old});
        END""",
        f"""CREATE TRIGGER search_fts_update AFTER UPDATE OF {columns} ON search_document
        BEGIN
            INSERT INTO search_fts(search_fts, rowid, {columns}) VALUES ('delete', old.id, {old});
            INSERT INTO search_fts(rowid, {columns}) VALUES (new.id, {new});
        END""",
        f"INSERT INTO search_fts(rowid, {columns}) SELECT id, {rows} FROM search_document",
    ]


_GROWING_SQL = ", ".join(f"'{kind}'" for kind in GROWING)
FORWARD = {
    "sqlite": _fts("title, body, kind", ["{row}.title", "{row}.body", "'kind' || {row}.kind"]),
    "postgresql": [
        f"""CREATE INDEX search_document_vector_small ON search_document
            USING gin (search_vector) WHERE kind NOT IN ({_GROWING_SQL})"""
    ],
}
BACKWARD = {
    "sqlite": _fts("title, body", ["{row}.title", "{row}.body"]),
    "postgresql": ["DROP INDEX search_document_vector_small"],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_index")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
