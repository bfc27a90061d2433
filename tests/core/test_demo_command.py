"""`inhouse demo` loads the demo organization into an empty database only."""

import sys
import types
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from tests.factories import make_person

from inhouse.org.models import Person


@pytest.fixture
def generator(monkeypatch):
    """Stands in for the demo generator, which has its own tests: records its calls."""
    calls: list[dict[str, int]] = []

    def generate_demo(*, seed, request_count, progress):
        calls.append({"seed": seed, "request_count": request_count})
        for done in range(3):
            progress("People", done + 1, 3)
        make_person(f"demo{len(calls)}")
        return SimpleNamespace(people=1, teams=2, services=3, requests=request_count)

    module = types.ModuleType("inhouse.demo.generator")
    module.generate_demo = generate_demo
    module.DEMO_LOGINS = [("rita", "demo-password", "the portal: catalog and her requests")]
    monkeypatch.setitem(sys.modules, "inhouse.demo.generator", module)
    return calls


@pytest.mark.django_db
def test_demo_generates_into_an_empty_database_and_lists_the_logins(generator, capsys):
    call_command("demo", "--no-serve", "--seed", "3", "--requests", "40")

    assert generator == [{"seed": 3, "request_count": 40}]
    output = capsys.readouterr().out
    assert "Demo organization ready: 1 people in 2 teams, 3 services, 40 requests." in output
    assert "http://127.0.0.1:8000/api/v1/docs" in output
    assert "rita" in output
    assert "demo-password" in output


@pytest.mark.django_db
def test_demo_keeps_an_existing_organization(generator, capsys):
    make_person("someone")

    call_command("demo", "--no-serve")

    assert generator == []
    assert "already has an organization: keeping it" in capsys.readouterr().out
    assert list(Person.objects.values_list("user__username", flat=True)) == ["someone"]


# PostgreSQL cannot TRUNCATE rows written earlier in the same transaction, as flush does.
@pytest.mark.django_db(transaction=True)
def test_demo_reset_deletes_everything_and_generates_again(generator):
    make_person("someone")

    call_command("demo", "--no-serve", "--reset", "--requests", "5")

    assert generator == [{"seed": 7, "request_count": 5}]
    assert list(Person.objects.values_list("user__username", flat=True)) == ["demo1"]


def test_demo_refuses_a_negative_request_count(generator):
    with pytest.raises(CommandError, match="cannot be negative"):
        call_command("demo", "--no-serve", "--requests", "-1")
    assert generator == []
