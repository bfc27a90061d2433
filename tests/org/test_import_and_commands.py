"""Importing the organization and the org commands of the CLI."""

import io

import pytest
from django.core.management import CommandError, call_command

from inhouse.org.auth import person_for_bearer_token
from inhouse.org.models import ApiToken, Membership, Person, Team
from inhouse.org.services import ImportErrors, create_api_token, import_org, revoke_api_token

pytestmark = pytest.mark.django_db

TEAMS = """slug,name,kind,parent_slug,reference_prefix,serves_external_customers,email
payroll,Payroll,team,hr,PAY,no,payroll@example.com
hr,HR,department,,HRX,no,
sales,Sales,department,,SAL,yes,
"""
PEOPLE = """email,full_name,kind,job_title,manager_email,timezone,team_slug,role,username
pia@example.com,Pia Payroll,employee,Payroll clerk,hugo@example.com,Europe/Berlin,payroll,agent,pia
hugo@example.com,Hugo Head,employee,Head of HR,,Europe/Berlin,hr,lead,
cora@example.com,Cora Contractor,contractor,,,America/New_York,sales,member,
"""


def run_import(people: str = PEOPLE, teams: str = TEAMS):
    return import_org(people_csv=io.StringIO(people), teams_csv=io.StringIO(teams))


def test_good_files_import_with_parents_and_managers_defined_later():
    report = run_import()
    assert (report.teams_created, report.people_created, report.memberships) == (3, 3, 3)
    assert Team.objects.get(slug="payroll").parent.slug == "hr"
    pia = Person.objects.get(email="pia@example.com")
    assert pia.manager.email == "hugo@example.com"
    assert pia.user.username == "pia"
    assert not pia.user.has_usable_password()
    assert Membership.objects.get(person=pia).role == "agent"


def test_reimport_updates_instead_of_duplicating():
    run_import()
    report = run_import(PEOPLE.replace("Pia Payroll", "Pia Paulsen"))
    assert (report.people_created, report.people_updated) == (0, 3)
    assert Person.objects.get(email="pia@example.com").full_name == "Pia Paulsen"
    assert Person.objects.count() == 3


def test_every_bad_line_is_reported_and_nothing_is_imported():
    bad_people = PEOPLE + (
        "not-an-email,X,employee,,,UTC,,,\npia@example.com,Again,alien,,,Mars/Base,nowhere,boss,\n"
    )
    bad_teams = TEAMS + "hr,Dup,division,,hrx,maybe,\n"
    with pytest.raises(ImportErrors) as caught:
        run_import(bad_people, bad_teams)
    lines = caught.value.lines
    expected = [
        "teams.csv line 5: slug 'hr' repeats line 3",
        "teams.csv line 5: kind 'division' must be one of department, team",
        "teams.csv line 5: reference_prefix 'hrx' must be 1-12 capital letters/digits",
        "teams.csv line 5: serves_external_customers must be yes or no",
        "people.csv line 5: email 'not-an-email' is not valid",
        "people.csv line 6: email 'pia@example.com' repeats line 2",
        "people.csv line 6: timezone 'Mars/Base' is not a known timezone",
        "people.csv line 6: team_slug 'nowhere' is not in the file or the database",
        "people.csv line 6: role 'boss' must be one of member, agent, lead",
    ]
    for line in expected:
        assert line in lines
    assert any(line.startswith("people.csv line 6: kind 'alien'") for line in lines)
    assert Team.objects.count() == 0
    assert Person.objects.count() == 0


def test_cycles_and_headers_are_refused():
    cyclic = TEAMS.replace("hr,HR,department,,HRX", "hr,HR,department,payroll,HRX")
    with pytest.raises(ImportErrors) as caught:
        run_import(teams=cyclic)
    assert any("parent cycle" in line for line in caught.value.lines)
    with pytest.raises(ImportErrors) as caught:
        run_import(people="email,name\nx@example.com,X\n")
    assert caught.value.lines[0].startswith("people.csv line 1: missing columns full_name")


def test_byte_order_mark_and_windows_newlines_are_fine():
    report = run_import("\ufeff" + PEOPLE.replace("\n", "\r\n"), TEAMS.replace("\n", "\r\n"))
    assert report.people_created == 3


def test_import_command_exits_non_zero_with_line_errors(tmp_path, capsys):
    people, teams = tmp_path / "people.csv", tmp_path / "teams.csv"
    people.write_text(PEOPLE + "bad,,employee,,,UTC,,,\n", encoding="utf-8")
    teams.write_text(TEAMS, encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_org", str(people), str(teams))
    assert "people.csv line 5: email 'bad' is not valid" in capsys.readouterr().err
    people.write_text(PEOPLE, encoding="utf-8")
    call_command("import_org", str(people), str(teams))
    assert Person.objects.count() == 3


def test_token_create_prints_a_token_that_authenticates(cast, capsys):
    call_command("token", "create", "rita", "--name", "laptop")
    raw = capsys.readouterr().out.strip()
    assert person_for_bearer_token(raw) == cast.rita
    token = ApiToken.objects.get(person=cast.rita)
    assert raw not in (token.digest, token.prefix)
    revoke_api_token(person=cast.rita, token_id=token.pk)
    assert person_for_bearer_token(raw) is None


def test_token_for_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No person with the username 'ghost'"):
        call_command("token", "create", "ghost")


def test_inactive_people_lose_their_tokens(cast):
    raw = create_api_token(person=cast.carl)
    Person.objects.filter(pk=cast.carl.pk).update(is_active=False)
    assert person_for_bearer_token(raw) is None


def test_createadmin_refuses_weak_passwords_and_creates_an_org_admin(db):
    with pytest.raises(CommandError, match="password"):
        call_command(
            "createadmin", "--username", "boss", "--email", "boss@example.com",
            "--full-name", "Bo Boss", "--password", "123",
        )  # fmt: skip
    assert not Person.objects.exists()
    call_command(
        "createadmin", "--username", "boss", "--email", "boss@example.com",
        "--full-name", "Bo Boss", "--password", "a-long-and-unusual-passphrase",
    )  # fmt: skip
    boss = Person.objects.get(email="boss@example.com")
    assert boss.is_org_admin and boss.user.is_superuser
