"""The kinds that grow with the work (requests, comments) and the others, indexed apart.

A search ranks every match of the small kinds (articles, services, people, teams,
ideas) and only the most recent matches of the growing ones; the index hands over the
small kinds' matches without reading the growing kinds' (``search.registry``,
``KINDS_THAT_GROW``, names the same two kinds as ``GROWING`` here):

- SQLite: the FTS5 table gains the document's kind as a column, so a MATCH can ask for
  some kinds only. The table is built again from ``search_document`` (about 15 s at a
  million requests).
- PostgreSQL: a second GIN index holds the other kinds' documents only.
"""

from django.db import migrations

GROWING = ("comment", "request")
_TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"


def _fts(columns):
    names = [column.strip() for column in columns.split(",")]
    new = ", ".join(f"new.{name}" for name in names)
    old = ", ".join(f"old.{name}" for name in names)
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
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ]


_GROWING_SQL = ", ".join(f"'{kind}'" for kind in GROWING)
FORWARD = {
    "sqlite": _fts("title, body, kind"),
    "postgresql": [
        f"""CREATE INDEX search_document_vector_small ON search_document
            USING gin (search_vector) WHERE kind NOT IN ({_GROWING_SQL})"""
    ],
}
BACKWARD = {
    "sqlite": _fts("title, body"),
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
