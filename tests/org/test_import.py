"""Importing the organization from people.csv and teams.csv: all of it, or nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from tests.factories import make_person, make_team

from inhouse.org.models import Membership, MembershipRole, Person, Team
from inhouse.org.services import ImportErrors, import_org

pytestmark = pytest.mark.django_db

TEAMS_HEADER = "slug,name,kind,parent_slug,reference_prefix,serves_external_customers,email\n"
PEOPLE_HEADER = "email,full_name,kind,job_title,manager_email,timezone,team_slug,role,username\n"
# Children before their parents and reports before their managers, on purpose.
TEAMS = TEAMS_HEADER + (
    "payroll,Payroll,team,hr,PAY,no,payroll@example.com\n"
    "hr,HR,department,,HRX,No,\n"
    "sales,Sales,department,,SAL,YES,\n"
)
PEOPLE = PEOPLE_HEADER + (
    "pia@example.com,Pia Payroll,employee,Payroll clerk,hugo@example.com,Europe/Berlin,payroll,agent,pia\n"  # noqa: E501
    "hugo@example.com,Hugo Head,employee,Head of HR,,Europe/Berlin,hr,lead,\n"
    "Cora@Example.com,Cora Contractor,contractor,,,America/New_York,sales,,\n"
)


def run_import(people: str = PEOPLE, teams: str = TEAMS):
    return import_org(people_csv=io.StringIO(people), teams_csv=io.StringIO(teams))


def problems(people: str = PEOPLE, teams: str = TEAMS) -> list[str]:
    with pytest.raises(ImportErrors) as caught:
        run_import(people, teams)
    assert (
        caught.value.message == f"{len(caught.value.lines)} problem(s) found; nothing was imported."
    )
    return caught.value.lines


def counts() -> tuple[int, int, int, int]:
    users = get_user_model().objects.count()
    return Team.objects.count(), Person.objects.count(), Membership.objects.count(), users


def test_good_files_import_teams_people_and_memberships():
    report = run_import()

    assert (report.teams_created, report.teams_updated) == (3, 0)
    assert (report.people_created, report.people_updated, report.memberships) == (3, 0, 3)
    payroll = Team.objects.get(slug="payroll")
    assert (payroll.name, payroll.kind, payroll.reference_prefix) == ("Payroll", "team", "PAY")
    assert payroll.email == "payroll@example.com"
    assert Team.objects.get(slug="sales").serves_external_customers is True
    assert Team.objects.get(slug="hr").serves_external_customers is False
    cora = Person.objects.get(email="cora@example.com")
    assert (cora.kind, cora.timezone, cora.manager, cora.user) == (
        "contractor",
        "America/New_York",
        None,
        None,
    )
    assert Membership.objects.get(person=cora).role == MembershipRole.MEMBER


def test_a_parent_or_manager_may_come_later_in_the_file():
    run_import()

    assert Team.objects.get(slug="payroll").parent == Team.objects.get(slug="hr")
    pia = Person.objects.get(email="pia@example.com")
    assert pia.manager == Person.objects.get(email="hugo@example.com")
    assert Membership.objects.get(person=pia).role == MembershipRole.AGENT


def test_a_username_gives_a_login_without_a_usable_password():
    run_import()

    pia = Person.objects.get(email="pia@example.com")
    assert pia.user.username == "pia"
    assert not pia.user.has_usable_password()
    assert Person.objects.get(email="hugo@example.com").user is None


def test_every_bad_line_is_reported_with_its_line_number_and_nothing_is_imported(cast):
    before = counts()
    teams = TEAMS + (
        "hr,Dup,division,,hrx,maybe,\n"  # line 5
        "ghost,Ghost,team,nowhere,IT,no,not-an-email\n"  # line 6: IT belongs to the cast
    )
    people = PEOPLE + (
        "not-an-email,X,employee,,,UTC,,,\n"  # line 5
        "pia@example.com,Again,alien,,x@y.example,Mars/Base,nowhere,boss,\n"  # line 6
        "rita@example.com,Rita,employee,,,UTC,,,carl\n"  # line 7: carl's login
        "noteam@example.com,No Team,employee,,,UTC,,agent,\n"  # line 8
    )

    lines = problems(people, teams)

    assert lines == [
        "teams.csv line 5: slug 'hr' repeats line 3",
        "teams.csv line 5: kind 'division' must be one of department, team",
        "teams.csv line 5: reference_prefix 'hrx' must be 1-12 capital letters/digits",
        "teams.csv line 5: serves_external_customers must be yes or no",
        "teams.csv line 6: reference_prefix 'IT' belongs to team 'it-service-desk'",
        "teams.csv line 6: email 'not-an-email' is not valid",
        "teams.csv line 6: parent_slug 'nowhere' is not in the file or the database",
        "people.csv line 5: email 'not-an-email' is not valid",
        "people.csv line 6: email 'pia@example.com' repeats line 2",
        "people.csv line 6: kind 'alien' must be one of employee, contractor, consultant, "
        "partner, board_member",
        "people.csv line 6: timezone 'Mars/Base' is not a known timezone",
        "people.csv line 6: manager_email 'x@y.example' is not in the file or the database",
        "people.csv line 6: team_slug 'nowhere' is not in the file or the database",
        "people.csv line 6: role 'boss' must be one of member, agent, lead",
        "people.csv line 7: username 'carl' belongs to someone else",
        "people.csv line 8: a role needs a team_slug",
    ]
    assert counts() == before


def test_missing_extra_and_repeated_columns_are_reported_on_line_1(db):
    lines = problems(
        people="email,name,full_name\nx@example.com,X,X\n",
        teams=TEAMS_HEADER.replace("email", "email,email"),
    )

    assert lines == [
        "teams.csv line 1: repeated columns email; expected: "
        "slug,name,kind,parent_slug,reference_prefix,serves_external_customers,email",
        "people.csv line 1: missing columns kind, job_title, manager_email, timezone, team_slug, "
        "role, username; unknown columns name; expected: "
        "email,full_name,kind,job_title,manager_email,timezone,team_slug,role,username",
    ]
    assert counts() == (0, 0, 0, 0)


def test_a_row_with_too_many_or_too_few_values_is_reported(db):
    lines = problems(teams=TEAMS + "x,X,team,,XX,no\n" + "y,Y,team,,YY,no,,extra\n")

    assert lines == [
        "teams.csv line 5: 6 values for 7 columns",
        "teams.csv line 6: 8 values for 7 columns",
    ]


def test_columns_may_come_in_any_order_and_blank_lines_keep_line_numbers_right(db):
    teams = "name,slug,kind,parent_slug,reference_prefix,serves_external_customers,email\n"
    teams += "Sales,sales,department,,SAL,no,\n\n,,,,,,\n" + "Bad,bad,team,,bad,no,\n"

    lines = problems(people=PEOPLE_HEADER, teams=teams)

    assert lines == ["teams.csv line 5: reference_prefix 'bad' must be 1-12 capital letters/digits"]


def test_a_quoted_value_across_lines_is_one_value_and_rows_keep_their_line_numbers(db):
    people = PEOPLE_HEADER + (
        'ann@example.com,Ann,employee,"Head of\nEverything",,UTC,,,\nbad,Bob,employee,,,UTC,,,\n'
    )

    assert problems(people=people, teams=TEAMS_HEADER) == [
        "people.csv line 4: email 'bad' is not valid"
    ]
    run_import(people=people.replace("bad,", "bob@example.com,"), teams=TEAMS_HEADER)
    assert Person.objects.get(email="ann@example.com").job_title == "Head of\nEverything"


def test_parent_cycles_are_refused_with_the_line_where_they_start(db):
    teams = TEAMS_HEADER + (
        "a,A,team,c,AA,no,\n"
        "b,B,team,a,BB,no,\n"
        "c,C,team,b,CC,no,\n"
        "d,D,team,d,DD,no,\n"
        "e,E,team,a,EE,no,\n"
    )

    assert problems(people=PEOPLE_HEADER, teams=teams) == [
        "teams.csv line 5: a team cannot be its own parent",
        "teams.csv line 2: parent cycle a > c > b > a",
    ]
    assert Team.objects.count() == 0


def test_a_cycle_through_teams_already_in_the_database_is_refused(cast):
    # IT Service Desk's parent is IT; making IT a child of the desk closes a loop.
    teams = TEAMS_HEADER + "it,IT,department,it-service-desk,ITD,no,\n"

    assert problems(people=PEOPLE_HEADER, teams=teams) == [
        "teams.csv line 2: parent cycle it > it-service-desk > it"
    ]
    assert Team.objects.get(slug="it").parent is None


def test_manager_cycles_are_refused(cast):
    Person.objects.filter(pk=cast.carl.pk).update(manager=cast.rita)
    people = PEOPLE_HEADER + (
        "x@example.com,X,employee,,y@example.com,UTC,,,\n"
        "y@example.com,Y,employee,,x@example.com,UTC,,,\n"
        "z@example.com,Z,employee,,z@example.com,UTC,,,\n"
        # Rita reporting to Carl, who reports to Rita in the database.
        "rita@example.com,Rita Tester,employee,,carl@example.com,UTC,,,\n"
    )
    before = counts()

    assert problems(people=people, teams=TEAMS_HEADER) == [
        "people.csv line 4: a person cannot be their own manager",
        "people.csv line 2: manager cycle x@example.com > y@example.com > x@example.com",
        "people.csv line 5: manager cycle rita@example.com > carl@example.com > rita@example.com",
    ]
    assert counts() == before


def test_byte_order_mark_and_windows_newlines_are_handled(db):
    report = run_import(
        "\ufeff" + PEOPLE.replace("\n", "\r\n"), "\ufeff" + TEAMS.replace("\n", "\r\n")
    )

    assert (report.teams_created, report.people_created) == (3, 3)
    assert Person.objects.get(email="pia@example.com").full_name == "Pia Payroll"


def test_reimporting_updates_rather_than_duplicates():
    run_import()
    changed_people = PEOPLE.replace("Pia Payroll", "Pia Paulsen").replace(
        "payroll,agent", "payroll,lead"
    )
    changed_teams = TEAMS.replace(
        "sales,Sales,department,,SAL,YES", "sales,Sales & Co,department,hr,SAL,no"
    )

    report = run_import(changed_people, changed_teams)

    assert (report.teams_created, report.teams_updated) == (0, 3)
    assert (report.people_created, report.people_updated) == (0, 3)
    assert counts() == (3, 3, 3, 1)
    pia = Person.objects.get(email="pia@example.com")
    assert pia.full_name == "Pia Paulsen"
    assert Membership.objects.get(person=pia).role == MembershipRole.LEAD
    sales = Team.objects.get(slug="sales")
    assert (sales.name, sales.parent.slug, sales.serves_external_customers) == (
        "Sales & Co",
        "hr",
        False,
    )
    assert report.notes == []


def test_people_already_in_the_database_are_matched_by_email_ignoring_case(cast):
    people = PEOPLE_HEADER + "RITA@example.com,Rita Renamed,employee,Copywriter,,,,,rita\n"

    report = run_import(people=people, teams=TEAMS_HEADER)

    assert (report.people_created, report.people_updated) == (0, 1)
    cast.rita.refresh_from_db()
    assert (cast.rita.full_name, cast.rita.email, cast.rita.timezone) == (
        "Rita Renamed",
        "rita@example.com",
        "UTC",
    )


def test_the_import_keeps_other_memberships_and_logins_and_says_so(cast):
    people = (
        PEOPLE_HEADER + "alex@example.com,Alex Tester,employee,,,UTC,marketing,member,alexander\n"
    )

    report = run_import(people=people, teams=TEAMS_HEADER)

    assert report.notes == [
        "people.csv line 2: alex@example.com keeps the username 'alex'; "
        "the import does not rename logins",
        "people.csv line 2: alex@example.com also stays in it-service-desk; "
        "remove memberships in the app",
    ]
    assert {m.team for m in Membership.objects.filter(person=cast.alex)} == {
        cast.service_desk,
        cast.marketing,
    }
    assert cast.alex.user.username == "alex"


def test_usernames_must_be_valid_and_unique_in_the_file(db):
    people = PEOPLE_HEADER + (
        "a@example.com,A,employee,,,UTC,,,same\n"
        "b@example.com,B,employee,,,UTC,,,same\n"
        "c@example.com,C,employee,,,UTC,,,no spaces\n"
    )

    assert problems(people=people, teams=TEAMS_HEADER) == [
        "people.csv line 3: username 'same' repeats line 2",
        "people.csv line 4: username 'no spaces' may hold only letters, digits and @.+-_",
    ]


def test_values_longer_than_the_database_keeps_are_refused(db):
    teams = TEAMS_HEADER + f"long,{'N' * 201},team,,LONG,no,\n"

    assert problems(people=PEOPLE_HEADER, teams=teams) == [
        "teams.csv line 2: name is longer than 200 characters"
    ]


def test_a_prefix_taken_by_a_team_in_the_database_is_refused_but_a_team_keeps_its_own(cast):
    teams = TEAMS_HEADER + "facilities,Facilities,department,,FAC,no,\n"

    report = run_import(people=PEOPLE_HEADER, teams=teams)

    assert (report.teams_created, report.teams_updated) == (0, 1)


def test_an_unreadable_teams_file_does_not_flood_people_with_unknown_teams(db):
    lines = problems(teams="slug,name\n")

    assert len(lines) == 1
    assert lines[0].startswith("teams.csv line 1: missing columns kind")


def test_people_may_join_teams_already_in_the_database(cast):
    make_person("zed", login=False, email="zed@example.com")
    make_team("Legal", "LEG")
    people = PEOPLE_HEADER + "zed@example.com,Zed,employee,,,UTC,legal,lead,\n"

    run_import(people=people, teams=TEAMS_HEADER)

    zed = Person.objects.get(email="zed@example.com")
    assert Membership.objects.get(person=zed).team.slug == "legal"
