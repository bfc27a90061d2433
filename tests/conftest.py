"""The fixed cast every test shares, modelled on a small organization.

- IT (department) > IT Service Desk (prefix IT): lena (lead), alex and ivy (agents)
- HR (department) > People Partners (prefix HR): hana (agent); a confidential mediation service
- Facilities (prefix FAC): fred (agent)
- Marketing (prefix MKT): rita (the requester) and carl (her colleague), plain members
- Finance (prefix FIN): otto, a member of an unrelated team (the outsider)
- ada: org admin, in no team
"""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from inhouse.catalog.models import FieldKind, Service
from inhouse.core.versioned import forget_all as forget_process_caches
from inhouse.org.models import MembershipRole, Person, Team
from inhouse.sla.calendars import forget_business_calendars
from inhouse.sla.models import Calendar
from tests.factories import (
    SOFTWARE_ACCESS_FORM,
    TEST_PASSWORD,
    make_agreement,
    make_calendar,
    make_person,
    make_service,
    make_team,
)


@dataclass
class Cast:
    it: Team
    service_desk: Team
    hr: Team
    people_partners: Team
    facilities: Team
    marketing: Team
    finance: Team
    calendar: Calendar
    software_access: Service
    printer: Service
    mediation: Service
    cleaning: Service
    rita: Person
    carl: Person
    alex: Person
    ivy: Person
    lena: Person
    hana: Person
    fred: Person
    otto: Person
    ada: Person


def pytest_configure(config: pytest.Config) -> None:
    """Django replaces an old SQLite test database but not its WAL files; a run that
    was killed leaves them behind, and the next run would then fail with I/O errors."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    name = database.get("TEST", {}).get("NAME")
    if "sqlite" in database["ENGINE"] and name:
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _isolated_side_effects(settings, tmp_path):
    forget_business_calendars()
    forget_process_caches()
    settings.ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Real password hashing costs ~0.3 s a user; the cast alone would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(db) -> Cast:
    it = make_team("IT", "ITD")
    service_desk = make_team("IT Service Desk", "IT", parent=it)
    hr = make_team("HR", "HRD")
    people_partners = make_team("People Partners", "HR", parent=hr)
    facilities = make_team("Facilities", "FAC")
    marketing = make_team("Marketing", "MKT")
    finance = make_team("Finance", "FIN")
    calendar = make_calendar()

    software_access = make_service(
        service_desk, "Software access", fields=SOFTWARE_ACCESS_FORM, slug="software-access"
    )
    # Its requesters choose the priority: the lifecycle tests file requests at each one.
    printer = make_service(
        service_desk, "Printer configuration", slug="printer", priority_from="requester"
    )
    mediation = make_service(
        people_partners,
        "Workplace conflict mediation",
        slug="mediation",
        confidential=True,
        fields=[
            {
                "key": "summary",
                "label": "What happened",
                "kind": FieldKind.LONG_TEXT,
                "required": True,
            }
        ],
    )
    cleaning = make_service(facilities, "Cleaning", slug="cleaning")
    for team in (service_desk, people_partners, facilities):
        make_agreement(team, calendar, name=f"{team.name} for everyone")

    return Cast(
        it=it,
        service_desk=service_desk,
        hr=hr,
        people_partners=people_partners,
        facilities=facilities,
        marketing=marketing,
        finance=finance,
        calendar=calendar,
        software_access=software_access,
        printer=printer,
        mediation=mediation,
        cleaning=cleaning,
        rita=make_person("rita", team=marketing, timezone="Europe/Berlin"),
        carl=make_person("carl", team=marketing),
        alex=make_person("alex", team=service_desk, role=MembershipRole.AGENT),
        ivy=make_person("ivy", team=service_desk, role=MembershipRole.AGENT),
        lena=make_person("lena", team=service_desk, role=MembershipRole.LEAD),
        hana=make_person("hana", team=people_partners, role=MembershipRole.AGENT),
        fred=make_person("fred", team=facilities, role=MembershipRole.AGENT),
        otto=make_person("otto", team=finance),
        ada=make_person("ada", is_org_admin=True),
    )


def client_for(person: Person) -> Client:
    client = Client()
    assert client.login(username=person.user.username, password=TEST_PASSWORD)
    return client


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD
