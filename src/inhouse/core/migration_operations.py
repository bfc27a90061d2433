"""Migration operations Django lacks.

``DropFieldIndex``: drop the index of one column that ``db_index`` gave it. A
foreign key gets one by default, which is redundant where a composite index starts
with that column (``DropCoveredForeignKeyIndex``: the database searches the composite
one by its first column just as well), or where the key is indexed only where it
is set; another column's may serve no query. Each such index is one more B-tree
every insert writes, on the hot write paths. Turning ``db_index`` off with
``AlterField`` would rebuild the whole table on SQLite (its ``ALTER TABLE`` cannot
drop an index in place through Django's editor); this drops only the index, found
by the database's own description of the table; going back creates it as Django
would have.
"""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState


class DropFieldIndex(migrations.operations.base.Operation):
    """Drop the single-column index of ``model_name.field_name``; the state change
    (``db_index=False``) is an ``AlterField`` beside it in
    ``SeparateDatabaseAndState``."""

    reduces_to_sql = False
    reversible = True

    def __init__(self, model_name: str, field_name: str) -> None:
        self.model_name = model_name
        self.field_name = field_name

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "field_name": self.field_name},
        )

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        """The state is the ``AlterField``'s to change."""

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        column = model._meta.get_field(self.field_name).column
        table = model._meta.db_table
        with schema_editor.connection.cursor() as cursor:
            constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
        for name, described in constraints.items():
            if (
                described["index"]
                and not described["unique"]
                and not described["primary_key"]
                and described["columns"] == [column]
            ):
                schema_editor.execute(
                    schema_editor.sql_delete_index
                    % {
                        "table": schema_editor.quote_name(table),
                        "name": schema_editor.quote_name(name),
                    }
                )

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        # The index as Django creates a field's, under Django's name; the
        # statement is the one Django's own AlterField runs for db_index turned on.
        model = to_state.apps.get_model(app_label, self.model_name)
        field = model._meta.get_field(self.field_name)
        schema_editor.execute(
            schema_editor._create_index_sql(model, fields=[field])  # type: ignore[attr-defined]
        )

    def describe(self) -> str:
        return f"Drop the index of {self.model_name}.{self.field_name}"


class DropCoveredForeignKeyIndex(DropFieldIndex):
    """``DropFieldIndex`` of a foreign key that leads a composite index."""

    def describe(self) -> str:
        return f"Drop the index of {self.model_name}.{self.field_name} a composite one covers"
