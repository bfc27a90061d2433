"""SELECTs every request runs, compiled by the ORM once per process instead of per call.

Authenticating a token, working out the viewer and checking a cache's version row are
the same statement on every request with one value changed, yet the ORM builds the
statement again each time (its query compiler costs more than SQLite spends running
it). A ``PreparedQuery`` is a queryset written as usual with its varying values as
named parameters: it is compiled on first use for each database, the positions of the
parameters among the statement's own are noted, and later calls send the same text
with the new values. The rows still go through the ORM's converters, and model rows
become instances (with their ``select_related`` relations) as ``QuerySet`` makes them,
so callers get exactly what the queryset would have given.

Only values that are plain ``str`` or ``int`` parameters can vary (an ``IN`` list
changes the statement's shape, so it cannot be one); compiling refuses a queryset in
which a parameter does not appear exactly once, unless it is built with
``each_once=False``: then a parameter may appear several times (each place gets the
value) or not at all (a shape that leaves it out), and what is refused instead is a
stand-in the ORM changed on the way (it would be sent as it is, not as the value).

A queryset the ORM sees can match nothing (``pk__in=[]``) compiles to no statement:
it answers no rows without asking the database, as the queryset does.
"""

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from threading import Lock
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in django-stubs
    get_related_populators,  # how QuerySet itself fills in select_related rows
)
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

from inhouse.core.inserts import Selection
from inhouse.core.statements import statement_cursor

M = TypeVar("M", bound=Model)

# Stand-ins for the parameters while the ORM compiles: values no caller sends, so each
# one can be found again among the statement's parameters.
_marker_numbers = itertools.count(1)


_STRING_MARKER = "\x1fprepared-parameter-"
_SMALLEST_INT_MARKER = -(2**62)


def _marker_of(kind: type[str] | type[int]) -> str | int:
    number = next(_marker_numbers)
    if kind is str:
        return f"{_STRING_MARKER}{number}\x1f"
    return _SMALLEST_INT_MARKER - number


def _looks_like_a_marker(param: Any) -> bool:
    if isinstance(param, str):
        return _STRING_MARKER in param
    return type(param) is int and param <= _SMALLEST_INT_MARKER


@dataclass(frozen=True)
class _Compiled:
    # None: the ORM saw that no row can match, so there is nothing to run.
    sql: str | None
    params: tuple[Any, ...]
    positions: dict[str, tuple[int, ...]]
    compiler: SQLCompiler
    # The ORM's converters of the selected columns (what ``results_iter`` works out
    # on every call), by column position.
    converters: dict[int, tuple[list[Any], Any]]

    def converted(self, rows: list[Any]) -> Iterable[Any]:
        if not self.converters:
            return rows
        return self.compiler.apply_converters(rows, self.converters)


@dataclass(frozen=True)
class _Shape:
    """The queryset built once with markers for its parameters."""

    queryset: QuerySet[Any, Any]
    markers: dict[str, str | int]


class PreparedQuery(Generic[M]):
    """``build`` makes the queryset from its parameters, passed by name; ``parameters``
    names each one with its type (``str`` or ``int``)."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M, Any]],
        /,
        *,
        each_once: bool = True,
        **parameters: type[str] | type[int],
    ) -> None:
        self._build = build
        self._each_once = each_once
        self._parameters = parameters
        self._shape: _Shape | None = None
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = Lock()

    def rows(self, **values: str | int) -> list[tuple[Any, ...]]:
        """The rows of a ``values_list`` queryset, converted as the ORM converts them."""
        compiled, rows = self._run(values)
        return [tuple(row) for row in compiled.converted(rows)]

    def instances(self, **values: str | int) -> list[M]:
        """The model instances of a queryset, with their ``select_related`` relations."""
        compiled, rows = self._run(values)
        return list(_instances(compiled.compiler, compiled.converted(rows)))

    def selection(self, **values: str | int) -> Selection:
        """The statement of a ``values_list`` queryset with these values, to be read by
        ``core.inserts.insert_selected`` (as ``compile_selection`` gives, uncompiled)."""
        alias, compiled = self._prepare(values)
        if compiled.sql is None:
            return Selection(sql=None, params=(), db=alias)
        return Selection(sql=compiled.sql, params=tuple(self._params(compiled, values)), db=alias)

    def _run(self, values: dict[str, str | int]) -> tuple[_Compiled, list[Any]]:
        alias, compiled = self._prepare(values)
        if compiled.sql is None:
            return compiled, []
        with statement_cursor(connections[alias]) as cursor:
            cursor.execute(compiled.sql, self._params(compiled, values))
            return compiled, cursor.fetchall()

    @staticmethod
    def _params(compiled: _Compiled, values: dict[str, str | int]) -> list[Any]:
        params = list(compiled.params)
        for name, positions in compiled.positions.items():
            for position in positions:
                params[position] = values[name]
        return params

    def _prepare(self, values: dict[str, str | int]) -> tuple[str, _Compiled]:
        if values.keys() != self._parameters.keys():
            raise TypeError(f"Expected the parameters {sorted(self._parameters)}.")
        queryset = self._shaped().queryset
        # The database the queryset itself would use, for reading or (FOR UPDATE) writing.
        alias = queryset.db
        connection = connections[alias]
        if (
            queryset.query.select_for_update
            and connection.features.has_select_for_update
            and connection.get_autocommit()
        ):
            # The check the ORM makes while compiling, which a prepared query skips.
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        return alias, self._compiled_for(alias, connection.vendor)

    def _shaped(self) -> _Shape:
        if self._shape is None:
            markers = {name: _marker_of(kind) for name, kind in self._parameters.items()}
            self._shape = _Shape(queryset=self._build(**markers), markers=markers)
        return self._shape

    def _compiled_for(self, alias: str, vendor: str) -> _Compiled:
        # Keyed by engine too: one process may talk to both (the tests do).
        key = (alias, vendor)
        compiled = self._compiled.get(key)
        if compiled is not None:
            return compiled
        with self._lock:
            shape = self._shaped()
            compiler = shape.queryset.query.get_compiler(using=alias)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:
                compiled = _Compiled(
                    sql=None, params=(), positions={}, compiler=compiler, converters={}
                )
                self._compiled[key] = compiled
                return compiled
            positions = self._positions(shape.markers, sql, params)
            columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
            if compiler.has_composite_fields(columns):
                raise ValueError("A composite primary key is not supported here.")
            compiled = _Compiled(
                sql=sql,
                params=tuple(params),
                positions=positions,
                compiler=compiler,
                converters=compiler.get_converters(columns),
            )
            self._compiled[key] = compiled
            return compiled

    def _positions(
        self, markers: dict[str, str | int], sql: str, params: Iterable[Any]
    ) -> dict[str, tuple[int, ...]]:
        """Where each parameter's stand-in sits among the statement's parameters."""
        params = list(params)
        positions: dict[str, tuple[int, ...]] = {}
        for name, marker in markers.items():
            found = tuple(
                index
                for index, param in enumerate(params)
                if type(param) is type(marker) and param == marker
            )
            if self._each_once and len(found) != 1:
                raise ValueError(
                    f"The parameter {name!r} appears {len(found)} times in the statement."
                )
            if found:
                positions[name] = found
        placed = {index for found in positions.values() for index in found}
        changed = [
            param
            for index, param in enumerate(params)
            if index not in placed and _looks_like_a_marker(param)
        ]
        written = _STRING_MARKER in sql or any(
            str(marker) in sql for marker in markers.values() if isinstance(marker, int)
        )
        if changed or written:
            raise ValueError("A parameter was changed or written into the statement's text.")
        return positions


def _instances(compiler: SQLCompiler, rows: Iterable[Any]) -> Iterator[Any]:
    """What ``ModelIterable`` makes of a compiled query's rows (no annotations)."""
    select, klass_info = compiler.select, compiler.klass_info
    if klass_info is None or compiler.annotation_col_map:
        raise ValueError("Only a plain model queryset can give instances.")
    db = compiler.using
    model = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    attribute_names = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, db)
    for row in rows:
        instance = model.from_db(db, attribute_names, row[start:end])
        for populator in populators:
            populator.populate(row, instance)
        yield instance
