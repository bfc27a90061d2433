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
which a parameter does not appear exactly once.
"""

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from threading import Lock
from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]  # not in django-stubs
    get_related_populators,  # how QuerySet itself fills in select_related rows
)
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=Model)

# Stand-ins for the parameters while the ORM compiles: values no caller sends, so each
# one can be found again among the statement's parameters.
_marker_numbers = itertools.count(1)


def _marker_of(kind: type[str] | type[int]) -> str | int:
    number = next(_marker_numbers)
    if kind is str:
        return f"\x1fprepared-parameter-{number}\x1f"
    return -(2**62) - number


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    positions: dict[str, int]
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
        self, build: Callable[..., QuerySet[M, Any]], **parameters: type[str] | type[int]
    ) -> None:
        self._build = build
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

    def _run(self, values: dict[str, str | int]) -> tuple[_Compiled, list[Any]]:
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
        compiled = self._compiled_for(alias, connection.vendor)
        params = list(compiled.params)
        for name, position in compiled.positions.items():
            params[position] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return compiled, cursor.fetchall()

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
            sql, params = compiler.as_sql()
            positions: dict[str, int] = {}
            for name, marker in shape.markers.items():
                found = [
                    index
                    for index, param in enumerate(params)
                    if type(param) is type(marker) and param == marker
                ]
                if len(found) != 1:
                    raise ValueError(
                        f"The parameter {name!r} appears {len(found)} times in the statement."
                    )
                positions[name] = found[0]
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
