"""A believable demo organization with a year of history, deterministic by seed.

The history is written in bulk rather than through the services: services act
at "now", while the demo needs a year of past work. Every row is built the way
the services would build it (references per team, clocks from the real
business calendars, the same event kinds), and tests check that it agrees.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from inhouse.catalog.models import Agreement, AgreementTarget, FormField, Service
from inhouse.demo import catalog_data as data
from inhouse.demo.history import HistoryWriter
from inhouse.org.models import Membership, MembershipRole, Person, PersonKind, Team, TeamKind
from inhouse.sla.models import Calendar, ClosedDay

DEMO_PASSWORD = "inhouse-demo"  # noqa: S105 - demo-only value, printed for every demo login

# (username, team slug, role, kind, what the login shows)
_DEMO_PEOPLE = (
    ("rita", "campaigns", MembershipRole.MEMBER, PersonKind.EMPLOYEE,
     "requester in Marketing: the portal, the catalog, her requests"),
    ("alex", "it-service-desk", MembershipRole.AGENT, PersonKind.EMPLOYEE,
     "agent on the IT Service Desk: the queue at /work/"),
    ("lena", "it-service-desk", MembershipRole.LEAD, PersonKind.EMPLOYEE,
     "lead of the IT Service Desk: queue, services, agreements, calendar"),
    ("hana", "people-partners", MembershipRole.AGENT, PersonKind.EMPLOYEE,
     "HR people partner: confidential HR cases"),
    ("sam", "sales-emea", MembershipRole.AGENT, PersonKind.EMPLOYEE,
     "Sales agent: a team that serves external customers"),
    ("omar", "supply-chain", MembershipRole.MEMBER, PersonKind.CONTRACTOR,
     "contractor in Operations"),
)  # fmt: skip
DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("admin", DEMO_PASSWORD, "org admin: everything, and the Django admin at /admin/"),
    *[(username, DEMO_PASSWORD, shows) for username, _, _, _, shows in _DEMO_PEOPLE],
]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DemoSummary:
    people: int
    teams: int
    services: int
    agreements: int
    requests: int
    events: int
    comments: int


def generate_demo(
    *,
    seed: int = 7,
    request_count: int = 20_000,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> DemoSummary:
    if Person.objects.exists():
        raise ValueError("The database already has people; the demo only loads into an empty one.")
    rng = random.Random(seed)
    now = now or timezone.now()
    report = progress or (lambda label, done, total: None)
    with transaction.atomic():
        report("Organization", 0, 4)
        calendars = _create_calendars(now)
        teams = _create_teams()
        report("Organization", 1, 4)
        people, offices = _create_people(rng, teams, calendars)
        report("Organization", 2, 4)
        services = _create_services(teams)
        agreements = _create_agreements(teams, services, calendars)
        report("Organization", 4, 4)
        writer = HistoryWriter(
            rng=rng, now=now, teams=teams, people=people, offices=offices, services=services
        )
        totals = writer.write(request_count, report)
    return DemoSummary(
        people=len(people),
        teams=len(teams),
        services=len(services),
        agreements=agreements,
        requests=totals.requests,
        events=totals.events,
        comments=totals.comments,
    )


def _create_calendars(now: datetime) -> dict[str, Calendar]:
    calendars = {}
    for name, zone, hours, country, subdivision, _share in data.OFFICES:
        calendars[name] = Calendar.objects.create(
            name=name,
            timezone=zone,
            weekly_hours={str(day): hours for day in range(5)},
            holiday_country=country,
            holiday_subdivision=subdivision,
        )
    calendars[data.AROUND_THE_CLOCK] = Calendar.objects.create(
        name=data.AROUND_THE_CLOCK,
        timezone="UTC",
        weekly_hours={str(day): [["00:00", "24:00"]] for day in range(7)},
    )
    offsite = now.date().replace(month=6, day=12)
    for calendar in calendars.values():
        if calendar.name == data.AROUND_THE_CLOCK:
            continue
        ClosedDay.objects.create(calendar=calendar, date=offsite, name="Company offsite")
        ClosedDay.objects.create(
            calendar=calendar, date=now.date().replace(month=12, day=24), name="Christmas Eve"
        )
    return calendars


def _create_teams() -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for department in data.DEPARTMENTS:
        parent = Team.objects.create(
            name=department.name,
            slug=department.slug,
            kind=TeamKind.DEPARTMENT,
            reference_prefix=department.prefix,
            serves_external_customers=department.serves_external_customers,
        )
        teams[parent.slug] = parent
        for spec in department.teams:
            teams[spec.slug] = Team.objects.create(
                name=spec.name,
                slug=spec.slug,
                kind=TeamKind.TEAM,
                parent=parent,
                reference_prefix=spec.prefix,
                serves_external_customers=department.serves_external_customers,
                email=f"{spec.slug}@example.com",
            )
    return teams


def _create_people(
    rng: random.Random, teams: dict[str, Team], calendars: dict[str, Calendar]
) -> tuple[list[Person], dict[int, Calendar]]:
    """Everyone, their team and role, their manager and their office's calendar."""
    User = get_user_model()
    password_hash = make_password(DEMO_PASSWORD)
    used_names: set[str] = set()
    people: list[Person] = []
    offices: dict[int, Calendar] = {}
    demo_people = {team: [] for team in teams}
    for username, team, role, kind, _ in _DEMO_PEOPLE:
        demo_people[team].append((username, role, kind))

    def new_name(preferred_first: str | None = None) -> tuple[str, str]:
        while True:
            first = preferred_first or rng.choice(data.FIRST_NAMES)
            last = rng.choice(data.LAST_NAMES)
            if f"{first} {last}" not in used_names:
                used_names.add(f"{first} {last}")
                return first, last

    def office_for(index: int) -> tuple[str, str]:
        roll = rng.random()
        cumulative = 0.0
        for name, zone, _hours, _country, _sub, share in data.OFFICES:
            cumulative += share
            if roll <= cumulative:
                return name, zone
        return data.OFFICES[0][0], data.OFFICES[0][1]

    def add(first: str, last: str, *, kind: str, title: str, manager: Person | None,
            username: str | None = None, admin: bool = False) -> Person:  # fmt: skip
        office, zone = office_for(len(people))
        user = None
        if username:
            user = User.objects.create(
                username=username, email=f"{username}@example.com", first_name=first,
                last_name=last, password=password_hash, is_staff=admin, is_superuser=admin,
            )  # fmt: skip
        person = Person.objects.create(
            user=user,
            full_name=f"{first} {last}",
            email=f"{first}.{last}@example.com".lower().replace(" ", ""),
            kind=kind,
            job_title=title,
            manager=manager,
            timezone=zone,
            is_org_admin=admin,
        )
        people.append(person)
        offices[person.pk] = calendars[office]
        return person

    ceo = add(*new_name(), kind=PersonKind.EMPLOYEE, title="Chief Executive Officer", manager=None)
    Membership.objects.create(person=ceo, team=teams["leadership"], role=MembershipRole.LEAD)
    admin = add("Ada", "Admin", kind=PersonKind.EMPLOYEE, title="Systems administrator",
                manager=ceo, username="admin", admin=True)  # fmt: skip
    Membership.objects.create(person=admin, team=teams["leadership"], role=MembershipRole.MEMBER)
    for _ in range(2):
        board = add(*new_name(), kind=PersonKind.BOARD_MEMBER, title="Board member", manager=None)
        Membership.objects.create(person=board, team=teams["leadership"])

    for department in data.DEPARTMENTS:
        head = ceo
        if department.slug != "executive":
            head = add(*new_name(), kind=PersonKind.EMPLOYEE, title=f"Head of {department.name}",
                       manager=ceo)  # fmt: skip
            Membership.objects.create(
                person=head, team=teams[department.slug], role=MembershipRole.LEAD
            )
        for spec in department.teams:
            if spec.slug == "leadership":
                continue
            team = teams[spec.slug]
            planned = list(demo_people[spec.slug])
            lead_username = next((u for u, r, _ in planned if r == MembershipRole.LEAD), None)
            lead_first = lead_username.capitalize() if lead_username else None
            lead = add(*new_name(lead_first), kind=PersonKind.EMPLOYEE, title=f"{spec.name} lead",
                       manager=head, username=lead_username)  # fmt: skip
            Membership.objects.create(person=lead, team=team, role=MembershipRole.LEAD)
            others = [(u, r, k) for u, r, k in planned if r != MembershipRole.LEAD]
            agents_wanted = min(6, max(2, spec.size // 3))
            # One more than the listed size: the lead counts on top of the team.
            for index in range(spec.size):
                username, role, kind = others.pop(0) if others else (None, None, None)
                if role is None:
                    role = MembershipRole.AGENT if index < agents_wanted else MembershipRole.MEMBER
                    roll = rng.random()
                    kind = (
                        PersonKind.CONTRACTOR if roll < 0.06
                        else PersonKind.CONSULTANT if roll < 0.09
                        else PersonKind.EMPLOYEE
                    )  # fmt: skip
                first = username.capitalize() if username else None
                title = {"agent": f"{spec.name} specialist", "member": f"{spec.name} associate"}[
                    role
                ]
                person = add(
                    *new_name(first), kind=kind, title=title, manager=lead, username=username
                )
                Membership.objects.create(person=person, team=team, role=role)
    for index in range(2):
        partner = add(*new_name(), kind=PersonKind.PARTNER, title="Partner liaison", manager=None)
        Membership.objects.create(person=partner, team=teams[("campaigns", "sales-emea")[index]])
    return people, offices


def _create_services(teams: dict[str, Team]) -> dict[str, tuple[Service, data.ServiceSpec]]:
    services = {}
    for spec in data.SERVICES:
        service = Service.objects.create(
            provider_team=teams[spec.team],
            slug=spec.slug,
            name=spec.name,
            description=spec.description,
            process_category=spec.category,
            visibility="restricted"
            if spec.visible_to_teams or spec.visible_to_kinds
            else "everyone",
            visible_to_kinds=list(spec.visible_to_kinds),
            confidential=spec.confidential,
            default_priority=spec.default_priority,
        )
        if spec.visible_to_teams:
            service.visible_to_teams.set([teams[slug] for slug in spec.visible_to_teams])
        FormField.objects.bulk_create(
            FormField(service=service, position=position, **field_spec)
            for position, field_spec in enumerate(spec.fields)
        )
        services[spec.slug] = (service, spec)
    return services


def _targets(agreement: Agreement, targets: dict[str, tuple[int, int]]) -> None:
    AgreementTarget.objects.bulk_create(
        AgreementTarget(
            agreement=agreement,
            priority=priority,
            first_response_minutes=first,
            resolution_minutes=resolution,
        )
        for priority, (first, resolution) in targets.items()
    )


def _create_agreements(
    teams: dict[str, Team],
    services: dict[str, tuple[Service, data.ServiceSpec]],
    calendars: dict[str, Calendar],
) -> int:
    count = 0
    berlin = calendars["Berlin office"]
    provider_slugs = {spec.team for spec in data.SERVICES}
    for slug in sorted(provider_slugs):
        team = teams[slug]
        agreement = Agreement.objects.create(
            name=f"{team.name} for everyone", provider_team=team, calendar=berlin
        )
        _targets(agreement, data.TEAM_TARGETS)
        count += 1
    for service, spec in services.values():
        if not spec.targets:
            continue
        calendar = calendars[data.AROUND_THE_CLOCK] if spec.team == "infrastructure" else berlin
        agreement = Agreement.objects.create(
            name=f"{service.name} for everyone",
            provider_team=service.provider_team,
            service=service,
            calendar=calendar,
        )
        _targets(agreement, spec.targets)
        count += 1
    # Design owes Sales faster turnaround on customer-facing material, and Sales
    # owes Design the deal it is for.
    materials, _ = services["sales-materials"]
    for sales_team in ("sales-emea", "sales-americas"):
        agreement = Agreement.objects.create(
            name=f"Sales materials for {teams[sales_team].name}",
            provider_team=materials.provider_team,
            service=materials,
            customer_team=teams[sales_team],
            calendar=berlin,
            customer_obligations=["deal"],
            obligations_note="Name the deal or account so Design can tailor the material.",
        )
        _targets(
            agreement,
            {"urgent": (30, 480), "high": (60, 960), "normal": (120, 1440), "low": (480, 2880)},
        )
        count += 1
    review, _ = services["contract-review"]
    agreement = Agreement.objects.create(
        name="Contract review for Sales",
        provider_team=review.provider_team,
        service=review,
        customer_team=teams["sales"],
        calendar=berlin,
    )
    _targets(
        agreement,
        {"urgent": (60, 480), "high": (120, 960), "normal": (240, 2400), "low": (480, 4800)},
    )
    return count + 1
