"""Who works at the demo company: planned in memory from a seed, without the database.

Reporting lines run CEO → department heads → team leads → staff. The demo
logins are fixed people in fixed teams; everyone else gets a name, an office
and a role drawn from the seed. Contractors, consultants, partners and board
members come in fixed numbers so every seed shows each kind.
"""

import random
from dataclasses import dataclass, replace

from inhouse.demo import catalog_data as data
from inhouse.org.models import MembershipRole, PersonKind

CONTRACTORS = 10
CONSULTANTS = 5
STAFF_TITLES = {MembershipRole.AGENT: "specialist", MembershipRole.MEMBER: "associate"}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    team: str  # team slug
    role: str
    kind: str
    shows: str  # what logging in as them demonstrates


# The people behind the demo logins, apart from the admin (planned with the leadership).
LOGIN_PEOPLE = (
    DemoLogin("rita", "campaigns", MembershipRole.MEMBER, PersonKind.EMPLOYEE,
              "requester in Marketing: the portal, the catalog, her requests"),
    DemoLogin("alex", "it-service-desk", MembershipRole.AGENT, PersonKind.EMPLOYEE,
              "agent on the IT Service Desk: the team queue"),
    DemoLogin("lena", "it-service-desk", MembershipRole.LEAD, PersonKind.EMPLOYEE,
              "lead of the IT Service Desk: queue, services, agreements, team numbers"),
    DemoLogin("hana", "people-partners", MembershipRole.AGENT, PersonKind.EMPLOYEE,
              "HR people partner: sees confidential HR cases"),
    DemoLogin("sam", "sales-emea", MembershipRole.AGENT, PersonKind.EMPLOYEE,
              "agent in Sales, a team that serves external customers"),
    DemoLogin("omar", "supply-chain", MembershipRole.MEMBER, PersonKind.CONTRACTOR,
              "contractor in Operations: what a non-employee may ask for"),
)  # fmt: skip
ADMIN_USERNAME = "admin"
ADMIN_SHOWS = "org admin: people, teams, calendars, every request, and the Django admin"


@dataclass(frozen=True)
class PlannedPerson:
    first_name: str
    last_name: str
    kind: str
    job_title: str
    team: str  # team slug
    role: str
    manager: int | None  # index of the manager in the planned list
    office: str  # the office calendar's name
    username: str = ""
    is_org_admin: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        return f"{self.first_name}.{self.last_name}@example.com".lower()


class _Names:
    """Unique full names, never reusing a demo login's first name for someone else."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        reserved = {login.username.capitalize() for login in LOGIN_PEOPLE}
        self._first_names = [name for name in data.FIRST_NAMES if name not in reserved]
        self._taken: set[tuple[str, str]] = set()

    def draw(self, first_name: str | None = None) -> tuple[str, str]:
        while True:
            name = (
                first_name or self._rng.choice(self._first_names),
                self._rng.choice(data.LAST_NAMES),
            )
            if name not in self._taken:
                self._taken.add(name)
                return name


def _office(rng: random.Random, team: data.TeamSpec) -> str:
    offices, shares = zip(*team.offices, strict=True)
    return rng.choices(offices, weights=shares)[0]


def plan_people(seed: int) -> list[PlannedPerson]:
    """Everyone at the company, managers before their reports."""
    rng = random.Random(f"people-{seed}")
    names = _Names(rng)
    people: list[PlannedPerson] = []

    def add(
        job_title: str,
        team: str,
        role: str,
        manager: int | None,
        office: str,
        *,
        kind: str = PersonKind.EMPLOYEE,
        login: str = "",
    ) -> int:
        first_name, last_name = names.draw(login.capitalize() if login else None)
        people.append(
            PlannedPerson(
                first_name=first_name,
                last_name=last_name,
                kind=kind,
                job_title=job_title,
                team=team,
                role=role,
                manager=manager,
                office=office,
                username=login,
            )
        )
        return len(people) - 1

    ceo = add("Chief Executive Officer", "leadership", MembershipRole.LEAD, None, data.BERLIN)
    admin = add("Chief of Staff", "leadership", MembershipRole.MEMBER, ceo, data.BERLIN)
    people[admin] = replace(people[admin], username=ADMIN_USERNAME, is_org_admin=True)
    for office in (data.BERLIN, data.NEW_YORK):
        add("Member of the board", "leadership", MembershipRole.MEMBER, None, office,
            kind=PersonKind.BOARD_MEMBER)  # fmt: skip

    logins_by_team: dict[str, list[DemoLogin]] = {}
    for login in LOGIN_PEOPLE:
        logins_by_team.setdefault(login.team, []).append(login)
    staff_positions: list[int] = []  # where contractors and consultants may be placed
    for department in data.DEPARTMENTS:
        if department.slug == "executive":
            continue
        head = add(f"Head of {department.name}", department.slug, MembershipRole.LEAD, ceo,
                   data.BERLIN)  # fmt: skip
        for team in department.teams:
            logins = logins_by_team.get(team.slug, [])
            lead_login = next((x.username for x in logins if x.role == MembershipRole.LEAD), "")
            lead = add(f"{team.name} lead", team.slug, MembershipRole.LEAD, head,
                       team.offices[0][0], login=lead_login)  # fmt: skip
            waiting = {
                role: [login for login in logins if login.role == role]
                for role in (MembershipRole.AGENT, MembershipRole.MEMBER)
            }
            for position in range(team.staff):
                role = MembershipRole.AGENT if position < team.agents else MembershipRole.MEMBER
                staff_login = waiting[role].pop(0) if waiting[role] else None
                title = f"{team.name} {STAFF_TITLES[role]}"
                index = add(title, team.slug, role, lead, _office(rng, team),
                            kind=staff_login.kind if staff_login else PersonKind.EMPLOYEE,
                            login=staff_login.username if staff_login else "")  # fmt: skip
                if staff_login is None:
                    staff_positions.append(index)

    # A few of the staff work for the company without being employees.
    preset_contractors = sum(login.kind == PersonKind.CONTRACTOR for login in LOGIN_PEOPLE)
    contractors = CONTRACTORS - preset_contractors
    chosen = rng.sample(staff_positions, contractors + CONSULTANTS)
    for index in chosen[:contractors]:
        title = f"{people[index].job_title} (contractor)"
        people[index] = replace(people[index], kind=PersonKind.CONTRACTOR, job_title=title)
    for index in chosen[contractors:]:
        people[index] = replace(people[index], kind=PersonKind.CONSULTANT, job_title="Consultant")
    for partner_team in ("campaigns", "sales-emea"):
        add("Partner liaison", partner_team, MembershipRole.MEMBER, None, data.BERLIN,
            kind=PersonKind.PARTNER)  # fmt: skip
    return people


DEMO_LOGIN_SHOWS: dict[str, str] = {
    ADMIN_USERNAME: ADMIN_SHOWS,
    **{login.username: login.shows for login in LOGIN_PEOPLE},
}
