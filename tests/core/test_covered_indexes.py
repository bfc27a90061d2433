"""The foreign keys without an index of their own lead an index that serves them.

``DropCoveredForeignKeyIndex`` and ``DropFieldIndex`` dropped their single-column
indexes; the database must still find a request's events, a person's notices and the
rest by an index range, so a composite index or unique constraint starting with the
column remains (for a key most rows leave empty, one holding only the rows where it
is set).
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from inhouse.desk.models import Comment, Notification, Request, RequestEvent
from inhouse.sla.models import Clock

pytestmark = pytest.mark.django_db

COVERED = [
    (Request, "provider_team"),
    (Request, "requester"),
    (Request, "assignee"),
    (Request, "parent"),
    (Request, "legal_hold_by"),
    (RequestEvent, "request"),
    (Notification, "recipient"),
    (Comment, "request"),
    (Clock, "request"),
]


@pytest.mark.parametrize(("model", "field_name"), COVERED)
def test_a_covered_key_has_no_index_of_its_own_but_leads_another(model, field_name):
    column = model._meta.get_field(field_name).column
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    indexed = [
        described["columns"]
        for described in constraints.values()
        if described["index"] or described["unique"]
    ]

    assert [column] not in indexed
    assert any(len(columns) > 1 and columns[0] == column for columns in indexed), indexed


def test_every_foreign_key_without_an_index_is_one_of_the_covered():
    covered = {(model, name) for model, name in COVERED}
    for model in (Request, RequestEvent, Notification, Comment, Clock):
        for field in model._meta.concrete_fields:
            if field.is_relation and not field.db_index and not field.unique:
                assert (model, field.name) in covered, f"{model.__name__}.{field.name}"


@pytest.mark.django_db(transaction=True)
def test_going_back_gives_each_key_its_index_again_and_forward_drops_it():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([("desk", "0011_rating_kinds"), ("sla", "0001_initial")])
        for model, field_name in COVERED:
            assert [_column(model, field_name)] in _indexed(model)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
    for model, field_name in COVERED:
        assert [_column(model, field_name)] not in _indexed(model)


def _column(model, field_name):
    return model._meta.get_field(field_name).column


def _indexed(model):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [described["columns"] for described in constraints.values() if described["index"]]
