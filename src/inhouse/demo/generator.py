"""A believable demo organization with a year of history, deterministic by seed.

The organization (calendars, teams, people, services, agreements) is written
first; then a year of requests is planned in memory (``history``) and replayed
into rows (``replay``). The history is written in bulk rather than through the
services, because the services act at "now" and one request at a time, but the
replay applies the services' own rules: references per team, clocks on the real
business calendars, the same events and status transitions.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from inhouse.catalog.models import (
    Agreement,
    AgreementTarget,
    FormField,
    Service,
    Visibility,
)
from inhouse.demo import catalog_data as data
from inhouse.demo.feedback_followups import add_follow_ups
from inhouse.demo.feedback_kudos import populate_kudos_and_training
from inhouse.demo.feedback_ratings import write_demo_ratings
from inhouse.demo.feedback_surveys import write_survey_rounds
from inhouse.demo.history import plan_history
from inhouse.demo.knowledge_articles import create_demo_articles
from inhouse.demo.knowledge_ideas import write_demo_ideas
from inhouse.demo.people import DEMO_LOGIN_SHOWS, PlannedPerson, plan_people
from inhouse.demo.world import load_world
from inhouse.demo.writer import HistoryWriter
from inhouse.org.models import Membership, Person, Team, TeamKind
from inhouse.search.index import reindex
from inhouse.sla.models import Calendar, ClosedDay

# A demo-only password, printed next to every demo login; never use it for real accounts.
DEMO_PASSWORD = "inhouse-demo"  # noqa: S105

DEMO_LOGINS: list[tuple[str, str, str]] = [
    (username, DEMO_PASSWORD, shows) for username, shows in DEMO_LOGIN_SHOWS.items()
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
    """Load the demo organization and ``request_count`` requests of history ending at ``now``.

    Refuses (ValueError) to load into a database that already has people.
    """
    if request_count < 0:
        raise ValueError("request_count cannot be negative.")
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware.")
    report = progress or _no_progress
    with transaction.atomic():
        if Person.objects.exists():
            raise ValueError(
                "The database already has people; the demo only loads into an empty one."
            )
        report("Organization", 0, 4)
        calendars = _create_calendars(now)
        teams = _create_teams()
        report("Organization", 1, 4)
        people = _create_people(plan_people(seed), teams)
        report("Organization", 2, 4)
        services = _create_services(teams)
        report("Organization", 3, 4)
        agreements = _create_agreements(teams, services, calendars)
        create_demo_articles(services=services, seed=seed, now=now)
        report("Organization", 4, 4)
        world = load_world()
        plans = plan_history(world, seed=seed, count=request_count, now=now, progress=report)
        totals = HistoryWriter(world, now, report).write(plans)
        write_demo_ideas(seed=seed, now=now)
        populate_kudos_and_training(seed=seed, now=now)
        totals.events += add_follow_ups(seed=seed, now=now)
        write_survey_rounds(seed=seed, now=now)
        totals.events += write_demo_ratings(seed=seed, now=now).events
        reindex(progress=report)
    return DemoSummary(
        people=people,
        teams=len(teams),
        services=len(services),
        agreements=agreements,
        requests=totals.requests,
        events=totals.events,
        comments=totals.comments,
    )


def _no_progress(label: str, done: int, total: int) -> None:
    """Progress is optional; without a listener there is nothing to report."""


def _last(month: int, day: int, now: datetime) -> date:
    """The latest such date on or before ``now``."""
    this_year = date(now.year, month, day)
    return this_year if this_year <= now.date() else date(now.year - 1, month, day)


def _create_calendars(now: datetime) -> dict[str, Calendar]:
    calendars = {
        office.calendar: Calendar.objects.create(
            name=office.calendar,
            timezone=office.timezone,
            weekly_hours={str(day): [list(hours) for hours in office.hours] for day in range(5)},
            holiday_country=office.holiday_country,
            holiday_subdivision=office.holiday_subdivision,
        )
        for office in data.OFFICES
    }
    # The company's own days off, in every office: last summer's offsite (the second
    # Friday of June) and Christmas Eve, the last one and the next.
    june_first = _last(6, 1, now)
    offsite = june_first + timedelta(days=(4 - june_first.weekday()) % 7 + 7)
    christmas_eve = _last(12, 24, now)
    closed_days = [
        (offsite, "Company offsite"),
        (christmas_eve, "Christmas Eve"),
        (christmas_eve.replace(year=christmas_eve.year + 1), "Christmas Eve"),
    ]
    ClosedDay.objects.bulk_create(
        ClosedDay(calendar=calendar, date=day, name=name)
        for calendar in calendars.values()
        for day, name in closed_days
    )
    # Urgent infrastructure work is promised around the clock.
    calendars[data.AROUND_THE_CLOCK] = Calendar.objects.create(
        name=data.AROUND_THE_CLOCK,
        timezone="UTC",
        weekly_hours={str(day): [["00:00", "24:00"]] for day in range(7)},
    )
    return calendars


def _create_teams() -> dict[str, Team]:
    departments = Team.objects.bulk_create(
        Team(
            name=department.name,
            slug=department.slug,
            kind=TeamKind.DEPARTMENT,
            reference_prefix=department.prefix,
            serves_external_customers=department.serves_external_customers,
        )
        for department in data.DEPARTMENTS
    )
    teams = Team.objects.bulk_create(
        Team(
            name=spec.name,
            slug=spec.slug,
            kind=TeamKind.TEAM,
            parent=parent,
            reference_prefix=spec.prefix,
            serves_external_customers=department.serves_external_customers,
            email=f"{spec.slug}@example.com",
        )
        for department, parent in zip(data.DEPARTMENTS, departments, strict=True)
        for spec in department.teams
    )
    return {team.slug: team for team in [*departments, *teams]}


def _create_people(planned: list[PlannedPerson], teams: dict[str, Team]) -> int:
    """Everyone, their team and manager; logins only for the demo accounts."""
    zones = {office.calendar: office.timezone for office in data.OFFICES}
    # Hashing is slow on purpose; every demo login shares the one demo password.
    password_hash = make_password(DEMO_PASSWORD)
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            username=person.username,
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            password=password_hash,
            is_staff=person.is_org_admin,
            is_superuser=person.is_org_admin,
        )
        for person in planned
        if person.username
    )
    user_of = {user.username: user for user in users}
    people = Person.objects.bulk_create(
        Person(
            user=user_of.get(person.username),
            full_name=person.full_name,
            email=person.email,
            kind=person.kind,
            job_title=person.job_title,
            timezone=zones[person.office],
            is_org_admin=person.is_org_admin,
        )
        for person in planned
    )
    for row, person in zip(people, planned, strict=True):
        if person.manager is not None:
            row.manager = people[person.manager]
    Person.objects.bulk_update([p for p in people if p.manager_id], ["manager"])
    Membership.objects.bulk_create(
        Membership(person=row, team=teams[person.team], role=person.role)
        for row, person in zip(people, planned, strict=True)
    )
    return len(people)


def _create_services(teams: dict[str, Team]) -> dict[str, Service]:
    services = Service.objects.bulk_create(
        Service(
            provider_team=teams[spec.team],
            slug=spec.slug,
            name=spec.name,
            description=spec.description,
            process_category=spec.category,
            visibility=Visibility.RESTRICTED
            if spec.visible_to_teams or spec.visible_to_kinds
            else Visibility.EVERYONE,
            visible_to_kinds=list(spec.visible_to_kinds),
            confidential=spec.confidential,
            default_priority=spec.default_priority,
            priority_from=spec.priority_from,
            standard_fields=list(spec.standard_fields),
        )
        for spec in data.SERVICES
    )
    Service.visible_to_teams.through.objects.bulk_create(
        Service.visible_to_teams.through(service_id=service.pk, team_id=teams[slug].pk)
        for service, spec in zip(services, data.SERVICES, strict=True)
        for slug in spec.visible_to_teams
    )
    FormField.objects.bulk_create(
        FormField(service=service, position=position, **field_spec)
        for service, spec in zip(services, data.SERVICES, strict=True)
        for position, field_spec in enumerate(spec.fields, start=1)
    )
    return {service.slug: service for service in services}


def _create_agreements(
    teams: dict[str, Team], services: dict[str, Service], calendars: dict[str, Calendar]
) -> int:
    """A default agreement per provider team, for everyone, on its home office's calendar;
    then the service- and customer-specific ones, which win where they apply."""
    team_specs = {spec.slug: spec for d in data.DEPARTMENTS for spec in d.teams}
    rows: list[tuple[Agreement, dict[str, tuple[int, int]]]] = []
    for slug in dict.fromkeys(spec.team for spec in data.SERVICES):
        team = team_specs[slug]
        rows.append((
            Agreement(name=f"{team.name} for everyone", provider_team=teams[slug],
                      calendar=calendars[team.offices[0][0]]),
            data.TARGET_SETS[team.targets],
        ))  # fmt: skip
    for spec in data.AGREEMENTS:
        rows.append((
            Agreement(
                name=spec.name,
                provider_team=teams[spec.team],
                service=services[spec.service] if spec.service else None,
                customer_team=teams[spec.customer_team] if spec.customer_team else None,
                calendar=calendars[spec.calendar],
                customer_obligations=list(spec.obligations),
                obligations_note=spec.obligations_note,
            ),
            spec.targets,
        ))  # fmt: skip
    agreements = Agreement.objects.bulk_create(agreement for agreement, _ in rows)
    AgreementTarget.objects.bulk_create(
        AgreementTarget(
            agreement=agreement,
            priority=priority,
            first_response_minutes=first,
            resolution_minutes=resolution,
        )
        for agreement, (_, targets) in zip(agreements, rows, strict=True)
        for priority, (first, resolution) in targets.items()
    )
    return len(agreements)
