"""Small builders for test data; each takes only what a test cares about."""

import itertools
from typing import Any

from django.contrib.auth import get_user_model

from inhouse.catalog.models import Agreement, AgreementTarget, FieldKind, FormField, Service
from inhouse.catalog.snapshot import catalog_changed
from inhouse.org.models import Membership, MembershipRole, Person, PersonKind, Team, TeamKind
from inhouse.sla.models import Calendar

_sequence = itertools.count(1)
TEST_PASSWORD = "correct-horse-battery-staple"

ROUND_THE_CLOCK = {str(day): [["00:00", "24:00"]] for day in range(7)}
OFFICE_HOURS = {str(day): [["09:00", "17:00"]] for day in range(5)}


def make_team(name: str, prefix: str, *, parent: Team | None = None, **fields: Any) -> Team:
    kind = TeamKind.TEAM if parent else TeamKind.DEPARTMENT
    catalog_changed()
    return Team.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        reference_prefix=prefix,
        parent=parent,
        kind=fields.pop("kind", kind),
        **fields,
    )


def make_person(
    username: str,
    *,
    team: Team | None = None,
    role: str = MembershipRole.MEMBER,
    kind: str = PersonKind.EMPLOYEE,
    login: bool = True,
    **fields: Any,
) -> Person:
    user = None
    if login:
        user = get_user_model().objects.create_user(
            username=username, email=f"{username}@example.com", password=TEST_PASSWORD
        )
    person = Person.objects.create(
        user=user,
        full_name=fields.pop("full_name", username.capitalize() + " Tester"),
        email=fields.pop("email", f"{username}@example.com"),
        kind=kind,
        **fields,
    )
    if team is not None:
        Membership.objects.create(person=person, team=team, role=role)
    return person


def make_calendar(
    name: str = "Around the clock",
    *,
    weekly_hours: dict | None = None,
    timezone: str = "UTC",
    **fields: Any,
) -> Calendar:
    catalog_changed()
    return Calendar.objects.create(
        name=name, timezone=timezone, weekly_hours=weekly_hours or ROUND_THE_CLOCK, **fields
    )


def make_service(
    team: Team, name: str, *, fields: list[dict] | None = None, **options: Any
) -> Service:
    service = Service.objects.create(
        provider_team=team,
        name=name,
        slug=options.pop("slug", f"{team.slug}-{name.lower().replace(' ', '-')}"),
        **options,
    )
    for position, spec in enumerate(fields or []):
        FormField.objects.create(service=service, position=position, **spec)
    catalog_changed()
    return service


def make_agreement(
    team: Team,
    calendar: Calendar,
    *,
    service: Service | None = None,
    customer_team: Team | None = None,
    targets: dict[str, tuple[int, int]] | None = None,
    **fields: Any,
) -> Agreement:
    agreement = Agreement.objects.create(
        name=fields.pop("name", f"{team} agreement {next(_sequence)}"),
        provider_team=team,
        service=service,
        customer_team=customer_team,
        calendar=calendar,
        **fields,
    )
    for priority, (first_response, resolution) in (targets or DEFAULT_TARGETS).items():
        AgreementTarget.objects.create(
            agreement=agreement,
            priority=priority,
            first_response_minutes=first_response,
            resolution_minutes=resolution,
        )
    catalog_changed()
    return agreement


DEFAULT_TARGETS = {
    "low": (480, 4800),
    "normal": (240, 1440),
    "high": (60, 480),
    "urgent": (30, 240),
}

SOFTWARE_ACCESS_FORM = [
    {
        "key": "application",
        "label": "Application",
        "kind": FieldKind.CHOICE,
        "required": True,
        "choices": ["Figma", "Salesforce", "GitHub"],
    },
    {"key": "justification", "label": "Why do you need it?", "kind": FieldKind.LONG_TEXT},
    {"key": "needed_by", "label": "Needed by", "kind": FieldKind.DATE},
    {"key": "seats", "label": "Seats", "kind": FieldKind.NUMBER},
]
