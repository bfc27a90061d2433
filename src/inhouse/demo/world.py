"""The facts about the demo organization that planning a history needs, as plain values.

Loaded once from the database after the organization is written, so the
planner itself never queries: the same world, seed, count and moment always
give the same plans.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from inhouse.catalog.models import AgreementTarget, Service
from inhouse.catalog.selectors import applicable_agreement
from inhouse.demo import catalog_data as data
from inhouse.org.models import Membership, MembershipRole, Person, Team
from inhouse.sla.businesstime import BusinessCalendar
from inhouse.sla.calendars import business_calendar_for
from inhouse.sla.models import Calendar


@dataclass(frozen=True)
class Terms:
    """What an agreement promises a request: its calendar and targets per priority."""

    agreement_id: int
    calendar_id: int
    business: BusinessCalendar = field(compare=False)
    # (first response, resolution) per priority.
    targets: dict[str, tuple[timedelta, timedelta]]
    obligations: tuple[str, ...]


@dataclass(frozen=True)
class PersonFacts:
    id: int
    first_name: str
    full_name: str
    kind: str
    team_id: int
    role: str
    manager_id: int | None
    office: str  # the office calendar's name
    timezone: str


@dataclass(frozen=True)
class TeamFacts:
    id: int
    slug: str
    name: str
    prefix: str  # of its request references
    department: str  # the department's slug; a department is its own
    serves_external_customers: bool


@dataclass(frozen=True)
class ServiceFacts:
    id: int
    team_id: int
    spec: data.ServiceSpec


@dataclass
class World:
    people: dict[int, PersonFacts]
    teams: dict[int, TeamFacts]
    services: dict[str, ServiceFacts]  # by slug
    agents: dict[int, tuple[int, ...]]  # team id → ids of the people working its queue
    leads: dict[int, int]  # team id → the lead's id
    offices: dict[str, BusinessCalendar]  # office calendar name → its business calendar
    # Targets per agreement, and the rows the agreement selector takes.
    targets: dict[int, dict[str, tuple[timedelta, timedelta]]] = field(repr=False)
    service_rows: dict[int, Service] = field(repr=False, compare=False)
    team_rows: dict[int, Team] = field(repr=False, compare=False)
    _terms: dict[tuple[int, int], Terms | None] = field(default_factory=dict, repr=False)

    def terms(self, service_id: int, customer_team_id: int) -> Terms | None:
        """The agreement that applies, found by the same selector ``submit_request`` uses."""
        key = (service_id, customer_team_id)
        if key not in self._terms:
            agreement = applicable_agreement(
                self.service_rows[service_id], self.team_rows[customer_team_id]
            )
            self._terms[key] = (
                None
                if agreement is None
                else Terms(
                    agreement_id=agreement.pk,
                    calendar_id=agreement.calendar_id,
                    business=business_calendar_for(agreement.calendar),
                    targets=self.targets.get(agreement.pk, {}),
                    obligations=tuple(agreement.customer_obligations),
                )
            )
        return self._terms[key]


def load_world() -> World:
    teams = {team.pk: team for team in Team.objects.all()}
    services = {service.pk: service for service in Service.objects.all()}
    department_of = {
        pk: (teams[team.parent_id].slug if team.parent_id else team.slug)
        for pk, team in teams.items()
    }
    memberships = {m.person_id: m for m in Membership.objects.order_by("id")}
    office_of_zone = {office.timezone: office.calendar for office in data.OFFICES}
    people = {
        person.pk: PersonFacts(
            id=person.pk,
            first_name=person.full_name.split()[0],
            full_name=person.full_name,
            kind=person.kind,
            team_id=memberships[person.pk].team_id,
            role=memberships[person.pk].role,
            manager_id=person.manager_id,
            office=office_of_zone[person.timezone],
            timezone=person.timezone,
        )
        for person in Person.objects.order_by("id")
    }
    agents: dict[int, list[int]] = {}
    leads: dict[int, int] = {}
    for membership in memberships.values():
        if membership.role in (MembershipRole.AGENT, MembershipRole.LEAD):
            agents.setdefault(membership.team_id, []).append(membership.person_id)
        if membership.role == MembershipRole.LEAD:
            leads[membership.team_id] = membership.person_id
    specs = {spec.slug: spec for spec in data.SERVICES}
    targets: dict[int, dict[str, tuple[timedelta, timedelta]]] = {}
    for target in AgreementTarget.objects.all():
        targets.setdefault(target.agreement_id, {})[target.priority] = (
            timedelta(minutes=target.first_response_minutes),
            timedelta(minutes=target.resolution_minutes),
        )
    return World(
        people=people,
        teams={
            pk: TeamFacts(
                pk,
                team.slug,
                team.name,
                team.reference_prefix,
                department_of[pk],
                team.serves_external_customers,
            )
            for pk, team in teams.items()
        },
        services={
            service.slug: ServiceFacts(service.pk, service.provider_team_id, specs[service.slug])
            for service in services.values()
        },
        agents={team_id: tuple(ids) for team_id, ids in agents.items()},
        leads=leads,
        offices={
            calendar.name: business_calendar_for(calendar)
            for calendar in Calendar.objects.filter(
                name__in=[office.calendar for office in data.OFFICES]
            )
        },
        targets=targets,
        service_rows=services,
        team_rows=teams,
    )
