"""Importing the organization (teams, people, memberships) from CSV, all or nothing."""

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction

from inhouse.core.errors import Conflict, InvalidInput
from inhouse.core.versioned import CATALOG, bump
from inhouse.org.models import (
    Membership,
    MembershipRole,
    Person,
    PersonKind,
    Team,
    TeamKind,
    validate_timezone,
)
from inhouse.search import changes as search_changes

TEAM_COLUMNS = [
    "slug", "name", "kind", "parent_slug", "reference_prefix", "serves_external_customers", "email",
]  # fmt: skip
PEOPLE_COLUMNS = [
    "email", "full_name", "kind", "job_title", "manager_email", "timezone", "team_slug", "role",
    "username",
]  # fmt: skip
# The model's column sizes: PostgreSQL refuses longer values, SQLite would keep them.
_TEAM_LIMITS = {"slug": 80, "name": 200, "email": 254}
_PEOPLE_LIMITS = {"email": 254, "full_name": 200, "job_title": 200, "username": 150}
_BOOLEANS = {
    "yes": True,
    "true": True,
    "1": True,
    "no": False,
    "false": False,
    "0": False,
    "": False,
}
_PREFIX = re.compile(r"^[A-Z][A-Z0-9]{0,11}$")
_SLUG = re.compile(r"^[-a-z0-9_]{1,80}$")


class ImportErrors(InvalidInput):
    """Every problem found in the files, each naming its file and line; nothing was written."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(f"{len(lines)} problem(s) found; nothing was imported.")
        self.lines = lines


@dataclass
class ImportReport:
    teams_created: int = 0
    teams_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    # Memberships the file sets (created or with their role updated).
    memberships: int = 0
    # Things the import deliberately left alone, one line each, for the admin to review.
    notes: list[str] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]


def _read_rows(
    source: TextIO, *, name: str, columns: list[str], errors: list[str]
) -> list[_Row] | None:
    """The file's data rows with their line numbers; a bad header is one error and None."""
    text = source.read().removeprefix("\ufeff")
    # One newline convention, so the reader's line count matches what an editor shows.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text))
    rows: list[_Row] = []
    try:
        header = [column.strip().lower() for column in next(reader, [])]
        missing = [column for column in columns if column not in header]
        extra = [column or "(unnamed)" for column in header if column not in columns]
        repeated = sorted({column for column in header if header.count(column) > 1})
        if missing or extra or repeated:
            detail = []
            if missing:
                detail.append(f"missing columns {', '.join(missing)}")
            if extra:
                detail.append(f"unknown columns {', '.join(extra)}")
            if repeated:
                detail.append(f"repeated columns {', '.join(repeated)}")
            errors.append(f"{name} line 1: {'; '.join(detail)}; expected: {','.join(columns)}")
            return None
        for values in reader:
            # A quoted value may span lines; the row is reported where it starts.
            line = reader.line_num - sum(value.count("\n") for value in values)
            if not any(value.strip() for value in values):
                continue  # blank lines and rows of bare commas, as spreadsheets leave them
            if len(values) != len(header):
                errors.append(f"{name} line {line}: {len(values)} values for {len(header)} columns")
                continue
            cells = {column: value.strip() for column, value in zip(header, values, strict=True)}
            rows.append(_Row(line, cells))
    except csv.Error as exc:
        errors.append(f"{name} line {reader.line_num}: unreadable CSV ({exc})")
    return rows


def _check_lengths(row: _Row, limits: dict[str, int], where: str, errors: list[str]) -> None:
    for column, limit in limits.items():
        if len(row[column]) > limit:
            errors.append(f"{where}: {column} is longer than {limit} characters")


def _cycles(edges: dict[str, str]) -> list[list[str]]:
    """Every cycle in a graph where each node has at most one outgoing edge, once each."""
    done: set[str] = set()
    found = []
    for start in edges:
        path: list[str] = []
        on_path: set[str] = set()
        node = start
        while node in edges and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = edges[node]
        if node in on_path:
            found.append(path[path.index(node) :])
        done.update(path)
    return found


def _report_cycles(
    edges: dict[str, str], lines: dict[str, int], *, what: str, name: str, errors: list[str]
) -> None:
    found = []
    for cycle in _cycles(edges):
        in_file = [node for node in cycle if node in lines]
        # A cycle only among rows already in the database is not this file's doing.
        if in_file:
            # Told from the row that comes first in the file, where a reader starts looking.
            first = min(in_file, key=lines.__getitem__)
            start = cycle.index(first)
            found.append((lines[first], [*cycle[start:], *cycle[:start], first]))
    for line, loop in sorted(found):
        errors.append(f"{name} line {line}: {what} cycle {' > '.join(loop)}")


def _check_teams(rows: list[_Row], errors: list[str]) -> None:
    db_teams = list(Team.objects.values_list("slug", "reference_prefix", "parent__slug"))
    known_slugs = {slug for slug, _, _ in db_teams} | {row["slug"] for row in rows}
    prefix_owner = {prefix: slug for slug, prefix, _ in db_teams}
    # Parents as they will be after the import: the file's, else the database's.
    parents = {slug: parent for slug, _, parent in db_teams if parent}
    first_line_of_slug: dict[str, int] = {}
    first_line_of_prefix: dict[str, int] = {}
    for row in rows:
        where = f"teams.csv line {row.line}"
        slug, prefix, parent = row["slug"], row["reference_prefix"], row["parent_slug"]
        _check_lengths(row, _TEAM_LIMITS, where, errors)
        if not _SLUG.match(slug):
            errors.append(f"{where}: slug '{slug}' must be lowercase letters, digits and dashes")
        elif slug in first_line_of_slug:
            errors.append(f"{where}: slug '{slug}' repeats line {first_line_of_slug[slug]}")
        first_line_of_slug.setdefault(slug, row.line)
        if not row["name"]:
            errors.append(f"{where}: name is empty")
        if row["kind"] not in TeamKind.values:
            errors.append(
                f"{where}: kind '{row['kind']}' must be one of {', '.join(TeamKind.values)}"
            )
        if not _PREFIX.match(prefix):
            errors.append(
                f"{where}: reference_prefix '{prefix}' must be 1-12 capital letters/digits"
            )
        elif prefix in first_line_of_prefix:
            errors.append(
                f"{where}: reference_prefix '{prefix}' repeats line {first_line_of_prefix[prefix]}"
            )
        elif prefix_owner.get(prefix, slug) != slug:
            errors.append(
                f"{where}: reference_prefix '{prefix}' belongs to team '{prefix_owner[prefix]}'"
            )
        first_line_of_prefix.setdefault(prefix, row.line)
        if row["serves_external_customers"].lower() not in _BOOLEANS:
            errors.append(f"{where}: serves_external_customers must be yes or no")
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                errors.append(f"{where}: email '{row['email']}' is not valid")
        parents.pop(slug, None)
        if parent == slug:
            errors.append(f"{where}: a team cannot be its own parent")
        elif parent and parent not in known_slugs:
            errors.append(f"{where}: parent_slug '{parent}' is not in the file or the database")
        elif parent:
            parents[slug] = parent
    _report_cycles(parents, first_line_of_slug, what="parent", name="teams.csv", errors=errors)


def _check_people(rows: list[_Row], team_slugs: set[str] | None, errors: list[str]) -> None:
    """``team_slugs`` is None when teams.csv could not be read: team names go unchecked."""
    User = get_user_model()
    db_people = list(Person.objects.values_list("email", "manager__email"))
    known_emails = {email.lower() for email, _ in db_people}
    known_emails.update(row["email"].lower() for row in rows)
    managers = {email.lower(): manager.lower() for email, manager in db_people if manager}
    login_owner = {
        username: (email or "").lower()
        for username, email in User.objects.values_list("username", "person__email")
    }
    first_line_of_email: dict[str, int] = {}
    first_line_of_username: dict[str, int] = {}
    for row in rows:
        where = f"people.csv line {row.line}"
        email, manager = row["email"].lower(), row["manager_email"].lower()
        username = row["username"]
        _check_lengths(row, _PEOPLE_LIMITS, where, errors)
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"{where}: email '{row['email']}' is not valid")
        if email in first_line_of_email:
            errors.append(
                f"{where}: email '{row['email']}' repeats line {first_line_of_email[email]}"
            )
        first_line_of_email.setdefault(email, row.line)
        if not row["full_name"]:
            errors.append(f"{where}: full_name is empty")
        if row["kind"] and row["kind"] not in PersonKind.values:
            errors.append(
                f"{where}: kind '{row['kind']}' must be one of {', '.join(PersonKind.values)}"
            )
        try:
            validate_timezone(row["timezone"] or "UTC")
        except ValidationError:
            errors.append(f"{where}: timezone '{row['timezone']}' is not a known timezone")
        managers.pop(email, None)
        if manager == email:
            errors.append(f"{where}: a person cannot be their own manager")
        elif manager and manager not in known_emails:
            unknown = row["manager_email"]
            errors.append(f"{where}: manager_email '{unknown}' is not in the file or the database")
        elif manager:
            managers[email] = manager
        team_slug = row["team_slug"]
        if team_slug and team_slugs is not None and team_slug not in team_slugs:
            errors.append(f"{where}: team_slug '{team_slug}' is not in the file or the database")
        if row["role"] and row["role"] not in MembershipRole.values:
            errors.append(
                f"{where}: role '{row['role']}' must be one of {', '.join(MembershipRole.values)}"
            )
        if row["role"] and not team_slug:
            errors.append(f"{where}: a role needs a team_slug")
        if username:
            try:
                User.username_validator(username)
            except ValidationError:
                errors.append(
                    f"{where}: username '{username}' may hold only letters, digits and @.+-_"
                )
            if username in first_line_of_username:
                first = first_line_of_username[username]
                errors.append(f"{where}: username '{username}' repeats line {first}")
            elif username in login_owner and login_owner[username] != email:
                errors.append(f"{where}: username '{username}' belongs to someone else")
            first_line_of_username.setdefault(username, row.line)
    _report_cycles(managers, first_line_of_email, what="manager", name="people.csv", errors=errors)


def import_org(*, people_csv: TextIO, teams_csv: TextIO) -> ImportReport:
    """Import teams and people; every line is checked first and nothing is written if any fails.

    Teams are matched by slug and people by email (ignoring case), so importing
    again updates them. The files set what they name: a person's other team
    memberships and an existing login are kept (and listed in the report's notes).
    Raises ``ImportErrors`` with every problem found, each naming its file and line.
    """
    errors: list[str] = []
    read_teams = _read_rows(teams_csv, name="teams.csv", columns=TEAM_COLUMNS, errors=errors)
    read_people = _read_rows(people_csv, name="people.csv", columns=PEOPLE_COLUMNS, errors=errors)
    team_rows, people_rows = read_teams or [], read_people or []
    report = ImportReport()
    try:
        # Checked and written in one transaction, so what was checked is what is written.
        with transaction.atomic():
            _check_teams(team_rows, errors)
            team_slugs = None
            if read_teams is not None:
                team_slugs = {row["slug"] for row in team_rows}
                team_slugs.update(Team.objects.values_list("slug", flat=True))
            _check_people(people_rows, team_slugs, errors)
            if errors:
                raise ImportErrors(errors)
            _write_teams(team_rows, report)
            _write_people(people_rows, report)
            # The catalog snapshot holds the team tree.
            bump(CATALOG)
    except IntegrityError as exc:
        raise Conflict(
            "Someone changed the organization while it was being imported; nothing was "
            "imported. Run the import again."
        ) from exc
    return report


def _save_if_changed(instance: models.Model, changes: Mapping[str, object]) -> bool:
    changed = [name for name, value in changes.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, changes[name])
    if changed:
        instance.save(update_fields=changed)
    return bool(changed)


def _write_teams(rows: list[_Row], report: ImportReport) -> None:
    by_slug = {team.slug: team for team in Team.objects.all()}
    for row in rows:
        fields = {
            "name": row["name"],
            "kind": row["kind"],
            "reference_prefix": row["reference_prefix"],
            "serves_external_customers": _BOOLEANS[row["serves_external_customers"].lower()],
            "email": row["email"],
        }
        team = by_slug.get(row["slug"])
        if team is None:
            by_slug[row["slug"]] = Team.objects.create(slug=row["slug"], **fields)
            report.teams_created += 1
        else:
            _save_if_changed(team, fields)
            report.teams_updated += 1
    # Parents are linked once every team exists, so a parent may come later in the file.
    for row in rows:
        parent = by_slug[row["parent_slug"]] if row["parent_slug"] else None
        _save_if_changed(by_slug[row["slug"]], {"parent": parent})


def _write_people(rows: list[_Row], report: ImportReport) -> None:
    teams = {team.slug: team for team in Team.objects.all()}
    by_email = {person.email.lower(): person for person in Person.objects.select_related("user")}
    memberships: dict[int, list[Membership]] = {}
    for membership in Membership.objects.select_related("team"):
        memberships.setdefault(membership.person_id, []).append(membership)
    note = report.notes.append
    for row in rows:
        email = row["email"].lower()
        person = by_email.get(email)
        fields = {
            "full_name": row["full_name"],
            "kind": row["kind"] or PersonKind.EMPLOYEE,
            "job_title": row["job_title"],
            "timezone": row["timezone"] or "UTC",
        }
        if person is None:
            person = by_email[email] = Person.objects.create(email=email, **fields)
            report.people_created += 1
        else:
            _save_if_changed(person, fields)
            report.people_updated += 1
        _give_login(person, row, note)
        if row["team_slug"]:
            _set_membership(person, teams[row["team_slug"]], row, memberships, note)
            report.memberships += 1
    # Managers are linked once every person exists, so a manager may come later in the file.
    for row in rows:
        manager = by_email[row["manager_email"].lower()] if row["manager_email"] else None
        _save_if_changed(by_email[row["email"].lower()], {"manager": manager})
    search_changes.changed_many("person", [by_email[row["email"].lower()].pk for row in rows])


def _give_login(person: Person, row: _Row, note: Callable[[str], None]) -> None:
    username = row["username"]
    if not username:
        return
    if person.user is None:
        # No password: the person sets one through "forgot password", or signs in by SSO.
        user = get_user_model()(username=username, email=person.email)
        user.set_unusable_password()
        user.save()
        person.user = user
        person.save(update_fields=["user"])
    elif person.user.get_username() != username:
        note(
            f"people.csv line {row.line}: {person.email} keeps the username "
            f"'{person.user.get_username()}'; the import does not rename logins"
        )


def _set_membership(
    person: Person,
    team: Team,
    row: _Row,
    memberships: dict[int, list[Membership]],
    note: Callable[[str], None],
) -> None:
    role = row["role"] or MembershipRole.MEMBER
    held = memberships.get(person.pk, [])
    current = next((membership for membership in held if membership.team_id == team.pk), None)
    if current is None:
        Membership.objects.create(person=person, team=team, role=role)
    else:
        _save_if_changed(current, {"role": role})
    others = sorted(_slugs(membership for membership in held if membership.team_id != team.pk))
    if others:
        note(
            f"people.csv line {row.line}: {person.email} also stays in {', '.join(others)}; "
            "remove memberships in the app"
        )


def _slugs(memberships: Iterable[Membership]) -> set[str]:
    return {membership.team.slug for membership in memberships}
