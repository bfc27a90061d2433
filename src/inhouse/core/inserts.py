"""Writing rows straight from a query: one ``INSERT … SELECT … RETURNING``.

A fan-out (one notice per person of an audience) would otherwise read the audience
into Python and send the rows back; here the database does both in one statement,
and the ORM still builds the ``SELECT`` (its joins, subqueries and value adaptation
for the database in use). SQLite has ``RETURNING`` from 3.35, PostgreSQL always.
"""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Field, Model, QuerySet


def insert_selected(
    model: type[Model],
    columns: Sequence[str],
    rows: QuerySet[Any, Any],
    *,
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Insert one ``model`` row per row of ``rows`` (a ``values_list`` whose columns
    fill ``columns``, field names of ``model``, in order); returns the ``returning``
    fields of each row written, in no particular order."""
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    try:
        select_sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        # The ORM saw that no row can match (e.g. ``pk__in=[]``): nothing to write.
        return []

    def column_list(names: Sequence[str]) -> str:
        return ", ".join(quote(_column_of(model, name)) for name in names)

    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({column_list(columns)}) {select_sql} "
        f"RETURNING {column_list(returning)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall())


def _column_of(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return field.column
