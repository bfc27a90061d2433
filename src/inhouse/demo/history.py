"""A year of requests, planned in memory: who asked for what, when, and how it went.

``plan_history`` is pure: the same world, seed, count and moment give equal
plans, and every random choice comes from ``random.Random`` seeded from the
seed. Requests arrive in their requesters' working hours, more on weekdays,
growing over the year and dipping in August and over Christmas; each one's
life is planned by ``lives``. Some requests come in chains (onboarding after a
hire, a deal's paperwork, an escalation waiting for a shipment). Steps may lie
after ``now``: the replay stops there, which is what leaves recent requests open.
"""

import bisect
import itertools
import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from inhouse.catalog.models import PriorityFrom
from inhouse.catalog.priority import Impact, Urgency, priority_for
from inhouse.demo import catalog_data as data
from inhouse.demo.lives import hold_until_done, plan_life
from inhouse.demo.plans import MINUTE, Act, PlannedRequest
from inhouse.demo.world import PersonFacts, ServiceFacts, World
from inhouse.desk.models import Channel
from inhouse.org.models import MembershipRole, PersonKind

DAYS = 365
PRIORITY_WEIGHTS = {"low": 15, "normal": 60, "high": 20, "urgent": 5}
# Services whose default priority is high are asked for with more urgency.
URGENT_SERVICE_PRIORITY_WEIGHTS = {"low": 3, "normal": 42, "high": 45, "urgent": 10}
CHANNEL_WEIGHTS = {Channel.PORTAL: 78, Channel.EMAIL: 15, Channel.API: 5, Channel.CHAT: 2}
OFFICE_CITY = {data.BERLIN: "Berlin", data.NEW_YORK: "New York", data.SINGAPORE: "Singapore"}
PHONE_PREFIX = {data.BERLIN: "+49 30 5550", data.NEW_YORK: "+1 212 555", data.SINGAPORE: "+65 6555"}
PROGRESS_EVERY = 2_000

Progress = Callable[[str, int, int], None]


def plan_history(
    world: World, *, seed: int, count: int, now: datetime, progress: Progress | None = None
) -> list[PlannedRequest]:
    """``count`` requests over the year before ``now``, oldest first."""
    return _Planner(world, seed, now, progress).plan(count)


class _Planner:
    def __init__(self, world: World, seed: int, now: datetime, progress: Progress | None) -> None:
        self.world = world
        self.now = now
        self.rng = random.Random(f"history-{seed}")
        self.report = progress or (lambda label, done, total: None)
        self.uids = 0
        # Some people ask far more often than others, as in any organization.
        self.activity = {pid: self.rng.paretovariate(2.0) for pid in world.people}
        self.specs = [facts.spec for facts in world.services.values()]
        self.service_weights = [spec.weight for spec in self.specs]
        self.day_weights = self._day_weights()
        self.requesters: dict[str, tuple[list[int], list[float]]] = {}

    # --- the year -------------------------------------------------------------------------

    def _day_weights(self) -> list[float]:
        """Cumulative weights of the days before now: weekdays, growth, summer and year-end dips."""
        cumulative, total = [], 0.0
        today = self.now.date()
        for offset in range(DAYS):
            day = today - timedelta(days=DAYS - 1 - offset)
            weight = 1.0 if day.weekday() < 5 else 0.04
            weight *= 0.75 + 0.5 * offset / DAYS
            if day.month == 8:
                weight *= 0.6
            if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 2):
                weight *= 0.35
            total += weight
            cumulative.append(total)
        return cumulative

    def _arrival(self, person: PersonFacts) -> datetime:
        """When a person files: mostly in their office's working hours, never after now."""
        office = self.world.offices[person.office]
        zone = ZoneInfo(person.timezone)
        today = self.now.astimezone(zone).date()
        arrival = self.now - timedelta(minutes=30)
        for _attempt in range(6):
            offset = bisect.bisect_left(self.day_weights, self.rng.random() * self.day_weights[-1])
            day = today - timedelta(days=DAYS - 1 - offset)
            peak = 10.5 if self.rng.random() < 0.55 else 14.8
            hour = min(19.0, max(7.5, self.rng.gauss(peak, 1.4)))
            candidate = datetime.combine(day, time(0), tzinfo=zone) + timedelta(hours=hour)
            candidate = candidate.astimezone(UTC)
            if candidate >= self.now:
                continue
            arrival = candidate
            # Some work arrives out of hours; most waits for the next working day.
            if office.is_working_time(candidate) or self.rng.random() < 0.15:
                break
        return arrival

    # --- one request --------------------------------------------------------------------------

    def _requester_for(self, spec: data.ServiceSpec) -> int:
        if spec.slug not in self.requesters:
            provider = self.world.services[spec.slug].team_id
            ids, weights = [], []
            for person in self.world.people.values():
                team = self.world.teams[person.team_id]
                # Nobody asks their own team's queue, unless the service is only for that team.
                if person.team_id == provider and (
                    person.role != MembershipRole.MEMBER or team.slug not in spec.visible_to_teams
                ):
                    continue
                if not _may_request(person, team.slug, spec):
                    continue
                weight = self.activity[person.id]
                if team.department in spec.frequent_customers:
                    weight *= 6
                if spec.asked_by_leads:
                    weight *= 5 if person.role == MembershipRole.LEAD else 0.2
                if person.kind in (PersonKind.PARTNER, PersonKind.BOARD_MEMBER):
                    weight *= 0.15
                ids.append(person.id)
                weights.append(weight)
            self.requesters[spec.slug] = (ids, list(itertools.accumulate(weights)))
        ids, cumulative = self.requesters[spec.slug]
        return self.rng.choices(ids, cum_weights=cumulative)[0]

    def _values(self, requester: PersonFacts, service: ServiceFacts, day: date) -> dict[str, str]:
        rng = self.rng
        values = {key: rng.choice(options) for key, options in data.FILLERS.items()}
        day_index = (day - (self.now.date() - timedelta(days=DAYS))).days
        values.update(
            first=requester.first_name,
            my_team=self.world.teams[requester.team_id].name,
            team_name=self.world.teams[service.team_id].name,
            office_city=OFFICE_CITY[requester.office],
            role=rng.choice(data.ROLES[self.world.teams[requester.team_id].department]),
            phone=f"{PHONE_PREFIX[requester.office]} {rng.randrange(1000, 10000)}",
            counterparty=values["customer"] if rng.random() < 0.7 else values["vendor"],
            # Deals recur for a few weeks; support cases are mostly new.
            deal=f"DEAL-{2000 + day_index // 7 * 20 + rng.randrange(20)}",
            case=f"CASE-{80000 + day_index * 40 + rng.randrange(40)}",
        )
        return values

    def _answers(
        self,
        spec: data.ServiceSpec,
        ask: data.Ask,
        requester: PersonFacts,
        values: dict[str, str],
        created_at: datetime,
        obligations: tuple[str, ...],
    ) -> dict:
        """Answers to the form: what the ask implies, the rest drawn to fit the field.

        Files are uploads, never answers; optional fields are sometimes left empty,
        but never the ones the agreement obliges the customer to fill in.
        """
        rng = self.rng
        answers: dict = {}
        for form_field in spec.fields:
            key, kind = form_field["key"], form_field["kind"]
            required = form_field.get("required", False) or key in obligations
            if key in ask.answers:
                implied = ask.answers[key]
                answers[key] = implied.format(**values) if isinstance(implied, str) else implied
                continue
            if kind == data.FILE or (not required and rng.random() < 0.35):
                continue
            if kind == data.CHOICE:
                answers[key] = rng.choice(form_field["choices"])
            elif kind == data.MULTI:
                answers[key] = rng.sample(form_field["choices"], k=rng.randint(1, 2))
            elif kind == data.DATE:
                low, high = data.DATE_ANSWERS.get(key, (3, 30))
                answers[key] = (
                    created_at.date() + timedelta(days=rng.randint(low, high))
                ).isoformat()
            elif kind == data.NUMBER:
                answers[key] = _number(rng, *data.NUMBER_ANSWERS.get(key, (1, 10, 1)))
            elif kind == data.PERSON:
                if key == "approver" and requester.manager_id:
                    answers[key] = requester.manager_id
                elif required:
                    answers[key] = rng.choice(self._teammates(requester))
            elif kind == data.TEAM:
                answers[key] = requester.team_id
            else:
                templates = data.TEXT_ANSWERS.get(
                    f"{spec.slug}.{key}", data.TEXT_ANSWERS.get(key, ("{project}",))
                )
                answers[key] = rng.choice(templates).format(**values)
        return answers

    def _teammates(self, person: PersonFacts) -> list[int]:
        return [p.id for p in self.world.people.values() if p.team_id == person.team_id]

    def _external_ref(
        self, spec: data.ServiceSpec, requester: PersonFacts, answers: dict, values: dict
    ) -> str:
        for key in ("deal", "case"):
            if key in answers:
                return answers[key]
        team = self.world.teams[requester.team_id]
        own_outcome = values["deal"] if team.department == "sales" else values["case"]
        if team.serves_external_customers:
            chance = 0.2 if spec.serves_outcomes else 0.02
            return own_outcome if self.rng.random() < chance else ""
        return values["deal"] if spec.serves_outcomes and self.rng.random() < 0.05 else ""

    def new_request(
        self,
        slug: str,
        *,
        requester: int | None = None,
        created_at: datetime | None = None,
        values: dict[str, str] | None = None,
        parent: int | None = None,
        ask: data.Ask | None = None,
    ) -> PlannedRequest:
        """A request as filed; ``ask`` replaces the service's own ways of asking."""
        rng, world = self.rng, self.world
        service = world.services[slug]
        spec = service.spec
        person = world.people[self._requester_for(spec) if requester is None else requester]
        created_at = created_at or self._arrival(person)
        values = {**self._values(person, service, created_at.date()), **(values or {})}
        terms = world.terms(service.id, person.team_id)
        weights = (
            URGENT_SERVICE_PRIORITY_WEIGHTS if spec.default_priority == "high" else PRIORITY_WEIGHTS
        )
        priority = rng.choices(list(weights), weights=list(weights.values()))[0]
        impact_urgency = None
        if spec.priority_from == PriorityFrom.DEFAULT:
            priority = spec.default_priority
        elif spec.priority_from == PriorityFrom.IMPACT_URGENCY:
            impact_urgency = _answers_giving(priority)
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        ask = ask or rng.choice(spec.asks)
        answers = self._answers(
            spec, ask, person, values, created_at, terms.obligations if terms else ()
        )
        self.uids += 1
        return PlannedRequest(
            uid=self.uids,
            service=slug,
            requester=person.id,
            customer_team=person.team_id,
            priority=priority,
            priority_from=spec.priority_from,
            impact_urgency=impact_urgency,
            created_at=created_at,
            subject=ask.subject.format(**values),
            description=self._description(ask.detail, channel, values),
            answers=answers,
            channel=channel,
            external_ref=self._external_ref(spec, person, answers, values),
            values=values,
            life_seed=rng.getrandbits(64),
            parent=parent,
        )

    def _description(self, detail: str, channel: str, values: dict[str, str]) -> str:
        body = detail.format(**values)
        if channel == Channel.API:
            return body
        greeting = self.rng.choice(data.GREETINGS).format(**values)
        sign_off = f"{self.rng.choice(data.SIGN_OFFS)}\n{values['first']}"
        return "\n\n".join(part for part in (greeting, body, sign_off) if part)

    # --- the whole history -------------------------------------------------------------------

    def plan(self, count: int) -> list[PlannedRequest]:
        requests: list[PlannedRequest] = []
        for index in range(count):
            spec = self.rng.choices(self.specs, weights=self.service_weights)[0]
            request = self.new_request(spec.slug)
            plan_life(self.world, request)
            requests.append(request)
            if (index + 1) % PROGRESS_EVERY == 0 and index + 1 < count:
                self.report("Planning", index + 1, count)
        chains = _Chains(self, requests)
        chains.add_all()
        planned = [r for r in requests if r.uid not in chains.dropped] + chains.added
        planned.sort(key=lambda request: (request.created_at, request.uid))
        self.report("Planning", count, count)
        return planned


def _may_request(person: PersonFacts, team_slug: str, spec: data.ServiceSpec) -> bool:
    if spec.visible_to_kinds:
        return person.kind in spec.visible_to_kinds
    if spec.visible_to_teams:
        return team_slug in spec.visible_to_teams
    return True


def _number(rng: random.Random, low: int, high: int, step: int) -> int:
    # Amounts spread over orders of magnitude; small counts are uniform.
    if high > 100 * low:
        raw = math.exp(rng.uniform(math.log(low), math.log(high)))
    else:
        raw = rng.uniform(low, high)
    return max(low, round(raw / step) * step)


class _Chains:
    """Requests that belong together: onboarding after a hire, a deal's paperwork,
    a customer escalation waiting for a replacement to be shipped.

    Each chain's extra requests take the place of plain requests, so the total
    stays what was asked for.
    """

    def __init__(self, planner: _Planner, requests: list[PlannedRequest]) -> None:
        self.planner = planner
        self.rng = planner.rng
        self.now = planner.now
        self.requests = requests
        triggers = (data.ONBOARDING_TRIGGER, data.DEAL_TRIGGER, data.ESCALATION_TRIGGER)
        self.spare = [r for r in requests if r.service not in triggers]
        self.rng.shuffle(self.spare)
        self.dropped: set[int] = set()
        self.added: list[PlannedRequest] = []

    def _room_for(self, extra: int) -> bool:
        if len(self.spare) < extra:
            return False
        for _ in range(extra):
            self.dropped.add(self.spare.pop().uid)
        return True

    def _child(
        self,
        slug: str,
        *,
        requester: int | None,
        created_at: datetime,
        values: dict[str, str],
        parent: int | None = None,
        ask: data.Ask | None = None,
    ) -> PlannedRequest:
        child = self.planner.new_request(
            slug,
            requester=requester,
            created_at=created_at,
            values=values,
            parent=parent,
            ask=ask,
        )
        plan_life(self.planner.world, child, plain=True)
        self.added.append(child)
        return child

    def add_all(self) -> None:
        for request in list(self.requests):
            resolve = request.first(Act.RESOLVE)
            if not request.without_detours or resolve is None:
                continue
            if request.service == data.ONBOARDING_TRIGGER and self.rng.random() < 0.7:
                self._onboarding(request, resolve.at)
            elif request.service == data.DEAL_TRIGGER and self.rng.random() < 0.5:
                self._deal(request)
            elif request.service == data.ESCALATION_TRIGGER and self.rng.random() < 0.3:
                self._escalation(request)

    def _onboarding(self, hire: PlannedRequest, hired_at: datetime) -> None:
        """Once the offer is signed, the hiring manager orders what the new colleague needs;
        IT and Facilities link their work to the hire and finish after it."""
        first_reply = hire.step(Act.REPLY)
        office = self.planner.world.offices[self.planner.world.people[hire.requester].office]
        signed_at = office.next_working_moment(first_reply.at + (hired_at - first_reply.at) * 0.9)
        if signed_at + MINUTE * 10 >= min(hired_at, self.now):
            return
        wanted = list(data.ONBOARDING_CHILDREN[:2])
        if self.rng.random() < 0.5:
            wanted.append(data.ONBOARDING_CHILDREN[2])
        if not self._room_for(len(wanted)):
            return
        start_date = hire.answers["start_date"]
        for position, slug in enumerate(wanted):
            child = self._child(
                slug,
                requester=hire.requester,
                created_at=signed_at + MINUTE * (3 * position + 1),
                values={"role": hire.values["role"], "start_date": start_date},
                parent=hire.uid,
                ask=data.ONBOARDING_ASKS[slug],
            )
            if "needed_by" in child.answers:
                child.answers["needed_by"] = start_date
            hold_until_done(self.planner.world, child, blocker=hire, blocker_done=hired_at)

    def _deal(self, pricing: PlannedRequest) -> None:
        """The approved price goes into the contract Legal reviews, and Design dresses the offer."""
        office = self.planner.world.offices[self.planner.world.people[pricing.requester].office]
        review_at = office.add(pricing.created_at, timedelta(minutes=self.rng.uniform(30, 240)))
        with_materials = self.rng.random() < 0.5
        if review_at >= self.now or not self._room_for(1 + with_materials):
            return
        customer = pricing.values["customer"]
        shared = {"customer": customer, "counterparty": customer, "deal": pricing.external_ref}
        review = self._child(
            data.DEAL_FOLLOW_UPS[0],
            requester=pricing.requester,
            created_at=review_at,
            values=shared,
        )
        review.external_ref = pricing.external_ref
        hold_until_done(
            self.planner.world, review, blocker=pricing, blocker_done=pricing.step(Act.RESOLVE).at
        )
        if with_materials:
            materials_at = office.add(review_at, timedelta(minutes=self.rng.uniform(30, 480)))
            materials = self._child(
                data.DEAL_FOLLOW_UPS[1],
                requester=pricing.requester,
                created_at=min(materials_at, self.now - MINUTE),
                values=shared,
            )
            materials.external_ref = pricing.external_ref

    def _escalation(self, escalation: PlannedRequest) -> None:
        """Tier 2 has Logistics ship the customer a replacement; the escalation waits for it."""
        first_reply = escalation.step(Act.REPLY)
        if first_reply.at >= self.now or not self._room_for(1):
            return
        shipment = self._child(
            data.ESCALATION_HELPER,
            requester=first_reply.actor,
            created_at=first_reply.at,
            values={"customer": escalation.values["customer"]},
            parent=escalation.uid,
            ask=data.ESCALATION_HELPER_ASK,
        )
        shipment.external_ref = escalation.external_ref
        hold_until_done(
            self.planner.world,
            escalation,
            blocker=shipment,
            blocker_done=shipment.step(Act.RESOLVE).at,
        )


def _answers_giving(priority: str) -> tuple[str, str]:
    """The impact and urgency a requester most plausibly answered for ``priority``: the
    matrix's first cell giving it, so the replay draws no extra random numbers."""
    return next(
        (impact.value, urgency.value)
        for impact in Impact
        for urgency in Urgency
        if priority_for(impact, urgency) == priority
    )
