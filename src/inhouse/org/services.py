"""Changes to people, teams and API tokens."""

import csv
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from inhouse.core.errors import InvalidInput, NotFound
from inhouse.org.models import (
    ApiToken,
    Membership,
    MembershipRole,
    Person,
    PersonKind,
    Team,
    TeamKind,
    validate_timezone,
)

TOKEN_PREFIX = "ih_"  # noqa: S105 - a public marker that makes leaked tokens easy to spot


def create_api_token(*, person: Person, name: str = "") -> str:
    """Create a personal API token and return it; only its digest is kept."""
    if not person.is_active:
        raise InvalidInput("Inactive people cannot have API tokens.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(30)
    ApiToken.objects.create(
        person=person, name=name[:100], prefix=raw[:10], digest=ApiToken.digest_of(raw)
    )
    return raw


def revoke_api_token(*, person: Person, token_id: int) -> None:
    revoked = ApiToken.objects.filter(pk=token_id, person=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not revoked:
        raise NotFound("No such active token.")


def create_admin(*, username: str, email: str, full_name: str, password: str) -> Person:
    """An org admin: a Django superuser with a person record that may see everything."""
    User = get_user_model()
    errors: dict[str, str] = {}
    if not username or User.objects.filter(username=username).exists():
        errors["username"] = "Choose a username nobody has yet."
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter a valid email address."
    else:
        if Person.objects.filter(email__iexact=email).exists():
            errors["email"] = "Someone already has this email address."
    if not full_name.strip():
        errors["full_name"] = "Enter the admin's name."
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise InvalidInput("The admin could not be created.", fields=errors)
    with transaction.atomic():
        user = User.objects.create_superuser(username=username, email=email, password=password)
        return Person.objects.create(
            user=user, full_name=full_name.strip(), email=email, is_org_admin=True
        )


# --- importing the organization from CSV -----------------------------------------------

TEAM_COLUMNS = [
    "slug", "name", "kind", "parent_slug", "reference_prefix", "serves_external_customers", "email",
]  # fmt: skip
PEOPLE_COLUMNS = [
    "email", "full_name", "kind", "job_title", "manager_email", "timezone", "team_slug", "role",
    "username",
]  # fmt: skip
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
    """Every problem found in the files, each naming its file and line."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__(f"{len(lines)} problem(s) found; nothing was imported.")
        self.lines = lines


@dataclass
class ImportReport:
    teams_created: int = 0
    teams_updated: int = 0
    people_created: int = 0
    people_updated: int = 0
    memberships: int = 0
    notes: list[str] = field(default_factory=list)


def _rows(
    source: TextIO, *, name: str, columns: list[str], errors: list[str]
) -> list[tuple[int, dict]]:
    text = source.read()
    reader = csv.DictReader(text.lstrip("\ufeff").splitlines())
    header = [column.strip() for column in (reader.fieldnames or [])]
    missing = [column for column in columns if column not in header]
    extra = [column for column in header if column not in columns]
    if missing or extra:
        detail = []
        if missing:
            detail.append(f"missing columns {', '.join(missing)}")
        if extra:
            detail.append(f"unknown columns {', '.join(extra)}")
        errors.append(f"{name} line 1: {'; '.join(detail)}; expected: {','.join(columns)}")
        return []
    rows = []
    for line, row in enumerate(reader, start=2):
        if None in row:
            errors.append(f"{name} line {line}: more values than columns")
            continue
        rows.append((line, {key.strip(): (value or "").strip() for key, value in row.items()}))
    return rows


def _find_cycle(edges: dict[str, str]) -> list[str] | None:
    for start in edges:
        seen, node = [], start
        while node in edges:
            if node in seen:
                return seen[seen.index(node) :] + [node]
            seen.append(node)
            node = edges[node]
    return None


def _check_teams(rows: list[tuple[int, dict]], errors: list[str]) -> None:
    existing_slugs = set(Team.objects.values_list("slug", flat=True))
    slugs = {row["slug"] for _, row in rows}
    seen_slugs: dict[str, int] = {}
    seen_prefixes: dict[str, int] = {}
    prefix_owner = dict(Team.objects.values_list("reference_prefix", "slug"))
    parents: dict[str, str] = {}
    for line, row in rows:
        where = f"teams.csv line {line}"
        slug, prefix = row["slug"], row["reference_prefix"]
        if not _SLUG.match(slug):
            errors.append(f"{where}: slug '{slug}' must be lowercase letters, digits and dashes")
        elif slug in seen_slugs:
            errors.append(f"{where}: slug '{slug}' repeats line {seen_slugs[slug]}")
        seen_slugs.setdefault(slug, line)
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
        elif prefix in seen_prefixes:
            errors.append(
                f"{where}: reference_prefix '{prefix}' repeats line {seen_prefixes[prefix]}"
            )
        elif prefix_owner.get(prefix, slug) != slug:
            errors.append(
                f"{where}: reference_prefix '{prefix}' belongs to team '{prefix_owner[prefix]}'"
            )
        seen_prefixes.setdefault(prefix, line)
        if row["serves_external_customers"].lower() not in _BOOLEANS:
            errors.append(f"{where}: serves_external_customers must be yes or no")
        if row["email"]:
            try:
                validate_email(row["email"])
            except ValidationError:
                errors.append(f"{where}: email '{row['email']}' is not valid")
        parent = row["parent_slug"]
        if parent:
            if parent not in slugs and parent not in existing_slugs:
                errors.append(f"{where}: parent_slug '{parent}' is not in the file or the database")
            parents[slug] = parent
    cycle = _find_cycle(parents)
    if cycle:
        errors.append(f"teams.csv: parent cycle {' > '.join(cycle)}")


def _check_people(rows: list[tuple[int, dict]], team_slugs: set[str], errors: list[str]) -> None:
    known_emails = {email.lower() for email in Person.objects.values_list("email", flat=True)}
    emails = {row["email"].lower() for _, row in rows}
    seen: dict[str, int] = {}
    managers: dict[str, str] = {}
    User = get_user_model()
    for line, row in rows:
        where = f"people.csv line {line}"
        email = row["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"{where}: email '{row['email']}' is not valid")
        if email in seen:
            errors.append(f"{where}: email '{row['email']}' repeats line {seen[email]}")
        seen.setdefault(email, line)
        if not row["full_name"]:
            errors.append(f"{where}: full_name is empty")
        if row["kind"] not in PersonKind.values:
            errors.append(
                f"{where}: kind '{row['kind']}' must be one of {', '.join(PersonKind.values)}"
            )
        try:
            validate_timezone(row["timezone"] or "UTC")
        except ValidationError:
            errors.append(f"{where}: timezone '{row['timezone']}' is not a known timezone")
        manager = row["manager_email"].lower()
        if manager:
            if manager == email:
                errors.append(f"{where}: a person cannot be their own manager")
            elif manager not in emails and manager not in known_emails:
                unknown = row["manager_email"]
                errors.append(
                    f"{where}: manager_email '{unknown}' is not in the file or the database"
                )
            else:
                managers[email] = manager
        if row["team_slug"] and row["team_slug"] not in team_slugs:
            errors.append(
                f"{where}: team_slug '{row['team_slug']}' is not in the file or the database"
            )
        if row["role"] and row["role"] not in MembershipRole.values:
            errors.append(
                f"{where}: role '{row['role']}' must be one of {', '.join(MembershipRole.values)}"
            )
        if row["role"] and not row["team_slug"]:
            errors.append(f"{where}: a role needs a team_slug")
        username = row["username"]
        if username:
            taken = (
                User.objects.filter(username=username).exclude(person__email__iexact=email).exists()
            )
            if taken:
                errors.append(f"{where}: username '{username}' belongs to someone else")
    cycle = _find_cycle(managers)
    if cycle:
        errors.append(f"people.csv: manager cycle {' > '.join(cycle)}")


def import_org(*, people_csv: TextIO, teams_csv: TextIO) -> ImportReport:
    """Import teams and people; every line is checked first and nothing is written if any fails.

    Teams are matched by slug and people by email, so importing again updates them.
    """
    errors: list[str] = []
    team_rows = _rows(teams_csv, name="teams.csv", columns=TEAM_COLUMNS, errors=errors)
    people_rows = _rows(people_csv, name="people.csv", columns=PEOPLE_COLUMNS, errors=errors)
    _check_teams(team_rows, errors)
    team_slugs = {row["slug"] for _, row in team_rows} | set(
        Team.objects.values_list("slug", flat=True)
    )
    _check_people(people_rows, team_slugs, errors)
    if errors:
        raise ImportErrors(errors)
    report = ImportReport()
    with transaction.atomic():
        _write_teams(team_rows, report)
        _write_people(people_rows, report)
    return report


def _write_teams(rows: Iterable[tuple[int, dict]], report: ImportReport) -> None:
    rows = list(rows)
    for _, row in rows:
        _, created = Team.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "kind": row["kind"],
                "reference_prefix": row["reference_prefix"],
                "serves_external_customers": _BOOLEANS[row["serves_external_customers"].lower()],
                "email": row["email"],
            },
        )
        if created:
            report.teams_created += 1
        else:
            report.teams_updated += 1
    # Parents are linked once every team exists, so a parent may come later in the file.
    by_slug = {team.slug: team for team in Team.objects.all()}
    for _, row in rows:
        team = by_slug[row["slug"]]
        team.parent = by_slug.get(row["parent_slug"]) if row["parent_slug"] else None
        team.save(update_fields=["parent"])


def _write_people(rows: Iterable[tuple[int, dict]], report: ImportReport) -> None:
    rows = list(rows)
    User = get_user_model()
    teams = {team.slug: team for team in Team.objects.all()}
    people: dict[str, Person] = {}
    for _, row in rows:
        email = row["email"].lower()
        person = Person.objects.filter(email__iexact=email).first()
        created = person is None
        person = person or Person(email=email)
        person.full_name = row["full_name"]
        person.kind = row["kind"]
        person.job_title = row["job_title"]
        person.timezone = row["timezone"] or "UTC"
        if row["username"] and person.user_id is None:
            user = User(username=row["username"], email=email)
            user.set_unusable_password()
            user.save()
            person.user = user
        person.save()
        people[email] = person
        if created:
            report.people_created += 1
        else:
            report.people_updated += 1
        if row["team_slug"]:
            Membership.objects.update_or_create(
                person=person,
                team=teams[row["team_slug"]],
                defaults={"role": row["role"] or MembershipRole.MEMBER},
            )
            report.memberships += 1
    for _, row in rows:
        person = people[row["email"].lower()]
        manager_email = row["manager_email"].lower()
        person.manager = (
            people.get(manager_email) or Person.objects.filter(email__iexact=manager_email).first()
            if manager_email
            else None
        )
        person.save(update_fields=["manager"])
