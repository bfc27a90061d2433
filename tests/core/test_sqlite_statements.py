"""SQLite's cursor turns each statement's ``%s`` into ``?`` once per process.

Django rewrites the placeholders with a regular expression on every call; the
cursor of ``inhouse.core.sqlite`` remembers the rewritten text of each statement.
What reaches SQLite must be what Django's own rewriting gives, for every text.
"""

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import SQLiteCursorWrapper
from hypothesis import given
from hypothesis import strategies as st

from inhouse.core.sqlite import base
from inhouse.org.models import Team

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's placeholders"),
]

statement_parts = st.lists(
    st.sampled_from(["SELECT ", "%s", "%%s", "%%", "'50%'", " = ", "x", ", ", "%d"]), max_size=12
)


def _django_text(query: str) -> str:
    with connection.cursor() as cursor:
        return SQLiteCursorWrapper.convert_query(cursor.cursor, query)


@given(parts=statement_parts)
def test_a_statement_is_rewritten_as_django_rewrites_it(parts):
    query = "".join(parts)
    with connection.cursor() as cursor:
        first = cursor.cursor.convert_query(query)
        again = cursor.cursor.convert_query(query)

    assert first == again == _django_text(query)


def test_the_rewritten_text_is_remembered_and_named_parameters_are_left_to_django():
    query = "SELECT name FROM org_team WHERE slug = %s AND 1 = %s"
    with connection.cursor() as cursor:
        cursor.cursor.convert_query(query)
        assert base._CursorWrapper._converted[query] == (
            "SELECT name FROM org_team WHERE slug = ? AND 1 = ?"
        )
        named = "SELECT %(slug)s"
        assert cursor.cursor.convert_query(named, param_names=["slug"]) == "SELECT :slug"
        assert named not in base._CursorWrapper._converted


def test_queries_with_positional_and_named_parameters_run(cast):
    with connection.cursor() as cursor:
        cursor.execute("SELECT slug FROM org_team WHERE slug = %s", [cast.service_desk.slug])
        assert cursor.fetchone() == (cast.service_desk.slug,)
        cursor.execute("SELECT slug FROM org_team WHERE slug = %(slug)s", {"slug": "it"})
        assert cursor.fetchall() == list(Team.objects.filter(slug="it").values_list("slug"))
        cursor.execute("SELECT '100%%' || %s", ["!"])
        assert cursor.fetchone() == ("100%!",)


def test_the_memory_starts_afresh_once_full(monkeypatch):
    monkeypatch.setattr(base, "CONVERTED_STATEMENTS", 3)
    monkeypatch.setattr(base._CursorWrapper, "_converted", {})
    with connection.cursor() as cursor:
        for number in range(5):
            assert cursor.cursor.convert_query(f"SELECT {number}, %s") == f"SELECT {number}, ?"

    assert len(base._CursorWrapper._converted) <= 3
