"""The org commands: ``inhouse import-org``, ``inhouse token`` and ``inhouse createadmin``.

A ``CommandError`` is what makes ``inhouse`` print one line and exit 1 instead of
a traceback, so each failure here is asserted to be one.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from inhouse.org.auth import person_for_bearer_token
from inhouse.org.models import ApiToken, Person, Team
from inhouse.org.services import create_api_token

pytestmark = pytest.mark.django_db

TEAMS = """slug,name,kind,parent_slug,reference_prefix,serves_external_customers,email
sales,Sales,department,,SAL,yes,
"""
PEOPLE = """email,full_name,kind,job_title,manager_email,timezone,team_slug,role,username
sam@example.com,Sam Seller,employee,Account executive,,Europe/Paris,sales,lead,sam
"""
STRONG = "a-long-and-unusual-passphrase"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*arguments: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- import-org ---------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    people, teams = tmp_path / "people.csv", tmp_path / "teams.csv"
    people.write_text(PEOPLE, encoding="utf-8")
    teams.write_text(TEAMS, encoding="utf-8")
    return people, teams


def test_import_org_prints_the_report(files):
    people, teams = files

    out, _ = run("import_org", str(people), str(teams))

    assert out == ("Teams: 1 created, 0 updated. People: 1 created, 0 updated. Memberships: 1.\n")
    assert Person.objects.get(email="sam@example.com").user.username == "sam"


def test_import_org_lists_every_bad_line_on_stderr_and_imports_nothing(files):
    people, teams = files
    people.write_text(PEOPLE + "bad,,employee,,,UTC,,,\n", encoding="utf-8")
    teams.write_text(TEAMS + "x,X,team,,lower,no,\n", encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^3 problem\(s\) found; nothing was imported\.$"):
        call_command("import_org", str(people), str(teams), stderr=err)

    assert err.getvalue().splitlines() == [
        "teams.csv line 3: reference_prefix 'lower' must be 1-12 capital letters/digits",
        "people.csv line 3: email 'bad' is not valid",
        "people.csv line 3: full_name is empty",
    ]
    assert (Team.objects.count(), Person.objects.count()) == (0, 0)


def test_import_org_refuses_a_missing_file_or_one_that_is_not_utf8(files, tmp_path):
    people, teams = files

    with pytest.raises(CommandError, match="nowhere.csv: no such file"):
        run("import_org", str(tmp_path / "nowhere.csv"), str(teams))
    people.write_bytes("email\n\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match="must be UTF-8"):
        run("import_org", str(people), str(teams))
    assert Team.objects.count() == 0


def test_import_org_shows_what_it_left_alone(files, cast):
    people, teams = files
    people.write_text(
        PEOPLE.splitlines()[0] + "\nalex@example.com,Alex Tester,employee,,,UTC,sales,member,\n",
        encoding="utf-8",
    )

    out, _ = run("import_org", str(people), str(teams))

    assert out.splitlines()[0] == (
        "people.csv line 2: alex@example.com also stays in it-service-desk; "
        "remove memberships in the app"
    )


# --- token --------------------------------------------------------------------------------


def test_token_create_prints_only_a_token_that_authenticates(cast):
    out, err = run("token", "create", "rita", "--name", "laptop")

    raw = out.strip()
    assert out == raw + "\n"
    assert err == ""
    assert person_for_bearer_token(raw) == cast.rita
    assert ApiToken.objects.get(person=cast.rita).name == "laptop"


def test_token_list_shows_tokens_without_their_secret(cast):
    raw = create_api_token(person=cast.rita, name="laptop")
    token = ApiToken.objects.get(person=cast.rita)

    out, _ = run("token", "list", "rita")

    assert out == f"{token.pk}\t{raw[:10]}…\tlaptop\tactive\tused never\n"
    assert raw not in out


def test_token_revoke_stops_the_token(cast):
    raw = create_api_token(person=cast.rita)
    token = ApiToken.objects.get(person=cast.rita)

    out, _ = run("token", "revoke", "rita", str(token.pk))

    assert out == f"Token {token.pk} revoked.\n"
    assert person_for_bearer_token(raw) is None


def test_token_revoke_of_someone_elses_token_fails_and_changes_nothing(cast):
    raw = create_api_token(person=cast.rita)
    token = ApiToken.objects.get(person=cast.rita)

    with pytest.raises(CommandError, match="No such active token"):
        run("token", "revoke", "carl", str(token.pk))
    assert person_for_bearer_token(raw) == cast.rita


def test_token_for_an_unknown_user_is_a_clear_error(cast):
    with pytest.raises(CommandError, match="No person with the username 'ghost'"):
        run("token", "create", "ghost")
    assert not ApiToken.objects.exists()


# --- createadmin --------------------------------------------------------------------------

ADMIN = ("createadmin", "--username", "boss", "--email", "boss@example.com", "--full-name", "Bo")


def test_createadmin_creates_an_org_admin_with_the_password_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("INHOUSE_ADMIN_PASSWORD", STRONG)

    out, _ = run(*ADMIN)

    assert out == "Org admin Bo (boss) created.\n"
    boss = Person.objects.get(email="boss@example.com")
    assert boss.is_org_admin and boss.user.is_superuser
    assert boss.user.check_password(STRONG)


def test_createadmin_refuses_a_weak_password_with_the_validators_messages(db, monkeypatch):
    monkeypatch.delenv("INHOUSE_ADMIN_PASSWORD", raising=False)

    with pytest.raises(CommandError) as caught:
        run(*ADMIN, "--password", "123")

    assert str(caught.value).startswith("The admin could not be created. password: ")
    assert "This password is too short." in str(caught.value)
    assert not get_user_model().objects.exists()


def test_createadmin_without_a_password_or_a_terminal_says_how_to_give_one(db, monkeypatch):
    monkeypatch.delenv("INHOUSE_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    with pytest.raises(CommandError, match="INHOUSE_ADMIN_PASSWORD or --password"):
        run(*ADMIN)
    assert not Person.objects.exists()


def test_createadmin_prompts_twice_on_a_terminal(db, monkeypatch):
    monkeypatch.delenv("INHOUSE_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", Terminal())
    answers = iter([STRONG, "something else"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match="The passwords differ"):
        run(*ADMIN)
    assert not Person.objects.exists()


def test_createadmin_takes_the_password_typed_twice_on_a_terminal(db, monkeypatch):
    monkeypatch.delenv("INHOUSE_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", lambda prompt: STRONG)

    run(*ADMIN)

    assert Person.objects.get(email="boss@example.com").user.check_password(STRONG)
