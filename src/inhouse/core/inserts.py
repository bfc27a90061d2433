"""The hot paths' INSERTs, cheaper than the ORM's own.

- ``insert_rows``: new rows of one model in one statement whose text is built once
  per process. ``save()`` and ``bulk_create`` compile the same INSERT again on every
  call, which costs more than running it on the paths every request takes (submit,
  comment, transition), and those run while SQLite's write lock is held.
- ``update_columns``: the same for saving some fields of one row.
- ``insert_selected``: rows straight from a query, one ``INSERT … SELECT … RETURNING``.
  A fan-out (one notice per person of an audience) would otherwise read the audience
  into Python and send the rows back; here the database does both in one statement,
  and the ORM still builds the ``SELECT`` (its joins, subqueries and value adaptation).
  ``insert_selected_counted`` is the same without ``RETURNING``, for a caller that
  needs only how many rows went in.

SQLite has ``RETURNING`` from 3.35, PostgreSQL always; ``insert_rows`` does without
it on SQLite (it says why). Like ``bulk_create``, these
send no signals and call no ``save()``: use them for models that have neither.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, QuerySet
from django.db.models.fields import AutoFieldMixin

from inhouse.core.statements import statement_cursor

M = TypeVar("M", bound=Model)


def insert_rows(rows: Sequence[M]) -> None:
    """Insert ``rows``, new instances of one model, and give each its id, as
    ``bulk_create`` would (defaults, a UUID id among them, already applied when the
    instances were made)."""
    if not rows:
        return
    model = type(rows[0])
    connection = connections[router.db_for_write(model)]
    params = [
        _value_to_write(field, plain_type, row, connection)
        for row in rows
        for field, plain_type in _written_fields_and_plain_types(model)
    ]
    generated = _is_generated_id(model._meta.pk)
    # Not on SQLite: within a transaction it runs an INSERT … RETURNING into a table
    # with constraints as a statement it may have to undo on its own, copying every
    # page the statement changes into a statement journal first (a temporary file
    # past 64 KiB; a submit's inserts copied 36 pages). A plain INSERT keeps none.
    returning = generated and connection.vendor != "sqlite"
    with statement_cursor(connection) as cursor:
        cursor.execute(_insert_statement(model, len(rows), connection, returning=returning), params)
        if returning:
            # Rows come back in the order of VALUES, as bulk_create also relies on.
            ids: Sequence[int] = [row_id for (row_id,) in cursor.fetchall()]
        elif generated:
            # The last row's id; Django's ids on SQLite are AUTOINCREMENT, which gives
            # each new row one more than the largest id so far, in the order of
            # VALUES, while the statement holds the write lock.
            ids = range(cursor.lastrowid - len(rows) + 1, cursor.lastrowid + 1)
    for index, row in enumerate(rows):
        if generated:
            row.pk = ids[index]
        row._state.adding = False
        row._state.db = connection.alias


@cache
def _written_fields(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    """Every column of ``model`` but an id the database generates (a UUID primary key
    with a default, as the task queue's, is written like any column)."""
    return tuple(
        field for field in model._meta.local_concrete_fields if not _is_generated_id(field)
    )


def _is_generated_id(field: Field[Any, Any]) -> bool:
    return isinstance(field, AutoFieldMixin)


# Fields whose value of the given type goes to either database as it is: their
# ``pre_save`` reads the attribute and ``get_db_prep_save`` hands a value of that
# type back unchanged (an aware datetime: as ``_aware_datetime_to_write`` spells it).
# Exact classes only: a subclass may convert.
_PLAIN_TYPES: dict[type[Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.BigIntegerField: int,
    models.DateTimeField: datetime,
    # Only as the target of a foreign key: a model's own id is never written.
    models.AutoField: int,
    models.BigAutoField: int,
}


@cache
def _written_fields_and_plain_types(
    model: type[Model],
) -> tuple[tuple[Field[Any, Any], type | None], ...]:
    """Each written field with the type its values skip Django's conversions for.

    A foreign key to an integer id counts as an integer; a time the field sets itself
    (``auto_now``, ``auto_now_add``) is left to Django."""
    written = []
    for field in _written_fields(model):
        column = field
        if type(field) in (models.ForeignKey, models.OneToOneField):
            column = field.target_field  # type: ignore[attr-defined]
        sets_itself = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        written.append((field, None if sets_itself else _PLAIN_TYPES.get(type(column))))
    return tuple(written)


def _value_to_write(
    field: Field[Any, Any], plain_type: type | None, row: Model, connection: BaseDatabaseWrapper
) -> Any:
    """What ``field.get_db_prep_save(field.pre_save(row, add=True))`` gives, without
    the calls for a value the database takes as it is (a string, a number, None, an
    aware datetime)."""
    if plain_type is not None:
        value = getattr(row, field.attname)
        if value is None:
            return value
        if plain_type is not datetime:
            if type(value) is plain_type:
                return value
        elif (
            type(value) is datetime
            and value.tzinfo is not None
            and connection.vendor in _DATETIME_VENDORS
        ):
            return _aware_datetime_to_write(value, connection)
    return field.get_db_prep_save(field.pre_save(row, add=True), connection)


# The engines whose way of sending an aware datetime ``_aware_datetime_to_write``
# spells out. A submit writes 27 datetimes; Django's way (three calls and a timezone
# conversion each) was 3 % of the submit's CPU.
_DATETIME_VENDORS = ("postgresql", "sqlite")


def _aware_datetime_to_write(value: datetime, connection: BaseDatabaseWrapper) -> Any:
    """An aware datetime as Django's ``adapt_datetimefield_value`` sends it: as it is
    to PostgreSQL, as text in the connection's timezone (UTC) to SQLite."""
    if connection.vendor == "postgresql":
        return value
    return str(value.astimezone(connection.timezone).replace(tzinfo=None))


# One statement text per model, row count, database engine (one process may talk
# to both engines: the tests do) and whether it returns the ids.
_statements: dict[tuple[type[Model], int, str, bool], str] = {}


def _insert_statement(
    model: type[Model], count: int, connection: BaseDatabaseWrapper, *, returning: bool
) -> str:
    key = (model, count, connection.vendor, returning)
    if key not in _statements:
        quote = connection.ops.quote_name
        fields = _written_fields(model)
        columns = ", ".join(quote(field.column) for field in fields)
        one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        primary_key = quote(model._meta.pk.column)
        # Names from the model's metadata only; every value is a parameter.
        _statements[key] = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES {', '.join([one_row] * count)}"
            + (f" RETURNING {primary_key}" if returning else "")
        )
    return _statements[key]


def update_columns(row: Model, names: Sequence[str]) -> None:
    """Save the fields ``names`` of ``row``, an instance read or inserted before, as
    ``save(update_fields=names)`` would, with a statement text built once per process."""
    model = type(row)
    connection = connections[router.db_for_write(model)]
    fields = [model._meta.get_field(name) for name in names]
    key = (model, tuple(names), connection.vendor)
    if key not in _updates:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(_column_of(model, name))} = %s" for name in names)
        _updates[key] = (
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608
            f"WHERE {quote(model._meta.pk.column)} = %s"
        )
    params = [
        field.get_db_prep_save(field.pre_save(row, add=False), connection)  # type: ignore[union-attr]
        for field in fields
    ]
    with statement_cursor(connection) as cursor:
        cursor.execute(_updates[key], [*params, row.pk])


_updates: dict[tuple[type[Model], tuple[str, ...], str], str] = {}


@dataclass(frozen=True)
class Selection:
    """A compiled ``SELECT`` of the rows to insert: built (the costly part) before a
    write transaction begins, run inside it. ``sql`` is None when the ORM saw that no
    row can match (e.g. ``pk__in=[]``)."""

    sql: str | None
    params: tuple[Any, ...]
    db: str


def compile_selection(rows: QuerySet[Any, Any]) -> Selection:
    """``rows`` (a ``values_list``) compiled now; its rows are read when inserted."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return Selection(sql=None, params=(), db=rows.db)
    return Selection(sql=sql, params=tuple(params), db=rows.db)


def insert_selected(
    model: type[Model],
    columns: Sequence[str],
    selection: Selection,
    *,
    constants: Mapping[str, Any],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Insert one ``model`` row per row of ``selection``, whose columns fill ``columns``
    (field names of ``model``, in order), with ``constants`` (field name to value) the
    same in every row; returns the ``returning`` fields of each row written, in no
    particular order."""
    if selection.sql is None:
        return []
    statement, params = _insert_selected(model, columns, selection, constants)
    connection = connections[selection.db]
    quote = connection.ops.quote_name
    returned = ", ".join(quote(_column_of(model, name)) for name in returning)
    with statement_cursor(connection) as cursor:
        cursor.execute(f"{statement} RETURNING {returned}", params)
        return list(cursor.fetchall())


def insert_selected_counted(
    model: type[Model],
    columns: Sequence[str],
    selection: Selection,
    *,
    constants: Mapping[str, Any],
) -> int:
    """``insert_selected`` returning only how many rows it wrote: without ``RETURNING``,
    SQLite keeps no statement journal of the pages the insert changes (``insert_rows``)."""
    if selection.sql is None:
        return 0
    statement, params = _insert_selected(model, columns, selection, constants)
    with statement_cursor(connections[selection.db]) as cursor:
        cursor.execute(statement, params)
        return int(cursor.rowcount)


def _insert_selected(
    model: type[Model], columns: Sequence[str], selection: Selection, constants: Mapping[str, Any]
) -> tuple[str, list[Any]]:
    connection = connections[selection.db]
    quote = connection.ops.quote_name
    constant_fields = [_field_of(model, name) for name in constants]
    # PostgreSQL types a parameter in a SELECT list from the parameter alone: name it.
    typed = connection.vendor == "postgresql"
    placeholders = [
        f"%s::{field.db_type(connection)}" if typed else "%s" for field in constant_fields
    ]
    values = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(constant_fields, constants.values(), strict=True)
    ]
    names = [*columns, *constants]
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(_column_of(model, name)) for name in names)}) "
        f"SELECT selected.*, {', '.join(placeholders)} FROM ({selection.sql}) AS selected"
    )
    # The constants come first in the text, before the selection's own parameters.
    return statement, [*values, *selection.params]


def _field_of(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return field


def _column_of(model: type[Model], name: str) -> str:
    column = _field_of(model, name).column
    if not column:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return column
