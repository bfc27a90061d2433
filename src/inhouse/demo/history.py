"""A year of requests for the demo: planned in memory, then written in bulk.

Each request's life is planned in business time with the real calendar of its
agreement (first reply, waits on the customer, resolution, closing), then the
rows the services would have written are built from the plan: the request,
its references and team holdings, clocks, comments and history events.
"""

import bisect
import random
import string
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from inhouse.catalog.models import Agreement, FieldKind, Service
from inhouse.catalog.selectors import applicable_agreement
from inhouse.demo import catalog_data as data
from inhouse.desk.models import (
    Channel,
    Comment,
    Dependency,
    EventKind,
    Request,
    RequestEvent,
    RequestReference,
    Status,
    TeamCounter,
    TeamHolding,
)
from inhouse.org.models import Membership, MembershipRole, Person, Team
from inhouse.sla.businesstime import BusinessCalendar
from inhouse.sla.calendars import business_calendar_for
from inhouse.sla.models import Calendar, Clock, ClockKind

BATCH = 2_000
PRIORITIES = (("low", 15), ("normal", 60), ("high", 20), ("urgent", 5))
AGENT_REPLIES = (
    "Thanks for the details, {first}. I'm looking into it now.",
    "Hi {first}, picked this up. I'll get back to you today.",
    "On it. I've checked the usual suspects and will update you shortly.",
)
QUESTIONS = (
    "Could you tell me which cost center this should go to?",
    "Can you send a screenshot of the error?",
    "Which date works for you?",
    "Who should approve this on your side?",
)
REQUESTER_ANSWERS = (
    "Sure, here it is.",
    "Cost center 4410, thanks!",
    "Tuesday works.",
    "My manager approves.",
)
RESOLUTIONS = (
    "Done. Let us know if anything is still off.",
    "This is sorted now; closing it from our side.",
    "Completed as requested.",
)
INTERNAL_NOTES = (
    "Checked with the vendor; waiting for their confirmation.",
    "Similar to last week's case; same fix applies.",
    "Needs a second pair of eyes before we finish.",
)


@dataclass
class Totals:
    requests: int = 0
    events: int = 0
    comments: int = 0


@dataclass
class Terms:
    """What applies to a request: its agreement's calendar and targets."""

    agreement: Agreement | None
    calendar: Calendar | None
    business: BusinessCalendar | None
    targets: dict[str, tuple[timedelta, timedelta]]


@dataclass
class Plan:
    index: int
    service: Service
    requester: Person
    customer_team: Team
    priority: str
    created_at: datetime
    subject: str
    answers: dict
    channel: str
    external_ref: str
    terms: Terms
    assignee: Person | None = None
    first_reply_at: datetime | None = None
    wait: tuple[datetime, datetime] | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    internal_note_at: datetime | None = None
    reassigned: tuple[datetime, Person] | None = None
    transfer_to: Service | None = None
    blocker: int | None = None
    waiting_on_supplier: bool = False
    references: list[str] = field(default_factory=list)


class HistoryWriter:
    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime,
        teams: dict[str, Team],
        people: list[Person],
        offices: dict[int, Calendar],
        services: dict,
    ) -> None:
        self.rng = rng
        self.now = now
        self.teams = teams
        self.people = people
        self.offices = offices
        self.services = services
        self.team_of: dict[int, Team] = {}
        self.agents: dict[int, list[Person]] = defaultdict(list)
        by_id = {person.pk: person for person in people}
        teams_by_id = {team.pk: team for team in teams.values()}
        for membership in Membership.objects.order_by("id"):
            person = by_id[membership.person_id]
            self.team_of.setdefault(person.pk, teams_by_id[membership.team_id])
            if membership.role in (MembershipRole.AGENT, MembershipRole.LEAD):
                self.agents[membership.team_id].append(person)
        self.terms_cache: dict[tuple[int, int], Terms] = {}
        self.counters: dict[int, int] = defaultdict(lambda: 999)

    # --- planning --------------------------------------------------------------------

    def _terms(self, service: Service, customer_team: Team) -> Terms:
        key = (service.pk, customer_team.pk)
        if key not in self.terms_cache:
            agreement = applicable_agreement(service, customer_team)
            if agreement is None:
                self.terms_cache[key] = Terms(None, None, None, {})
            else:
                targets = {
                    target.priority: (
                        timedelta(minutes=target.first_response_minutes),
                        timedelta(minutes=target.resolution_minutes),
                    )
                    for target in agreement.targets.all()
                }
                self.terms_cache[key] = Terms(
                    agreement,
                    agreement.calendar,
                    business_calendar_for(agreement.calendar),
                    targets,
                )
        return self.terms_cache[key]

    def _requester_for(self, spec: data.ServiceSpec, service: Service) -> Person:
        if spec.visible_to_kinds:
            candidates = [p for p in self.people if p.kind in spec.visible_to_kinds]
        elif spec.visible_to_teams:
            allowed = {self.teams[slug].pk for slug in spec.visible_to_teams}
            candidates = [
                p for p in self.people if p.pk in self.team_of and self.team_of[p.pk].pk in allowed
            ]
        else:
            candidates = self.people
        outside = [
            p
            for p in candidates
            if self.team_of.get(p.pk) and self.team_of[p.pk].pk != service.provider_team_id
        ]
        return self.rng.choice(outside or candidates)

    def _arrival(self, requester: Person, day_weights: list[float]) -> datetime:
        day_offset = bisect.bisect_left(day_weights, self.rng.random() * day_weights[-1])
        zone = ZoneInfo(requester.timezone)
        local_day = (self.now.astimezone(zone) - timedelta(days=365 - day_offset)).date()
        hour = min(19, max(7, self.rng.gauss(12.5, 2.6)))
        local = datetime.combine(local_day, time(0), tzinfo=zone) + timedelta(hours=hour)
        arrival = local.astimezone(UTC)
        if arrival >= self.now:
            # Today's arrivals can only have come in before now.
            arrival = self.now - timedelta(minutes=self.rng.randint(5, 300))
        return arrival

    def _day_weights(self) -> list[float]:
        """Cumulative weights of the last 365 days: weekdays, growth, summer and year-end dips."""
        cumulative, total = [], 0.0
        for offset in range(366):
            day = (self.now - timedelta(days=365 - offset)).date()
            weight = 1.0 if day.weekday() < 5 else 0.04
            weight *= 0.75 + 0.5 * offset / 365
            if day.month == 8 or (day.month == 12 and day.day > 20):
                weight *= 0.55
            total += weight
            cumulative.append(total)
        return cumulative

    def _fill(self, template: str) -> str:
        return string.Formatter().vformat(
            template, (), {key: self.rng.choice(values) for key, values in data.FILLERS.items()}
        )

    def _answers(self, service: Service, spec: data.ServiceSpec, created_at: datetime) -> dict:
        answers = {}
        for field_spec in spec.fields:
            kind, key = field_spec["kind"], field_spec["key"]
            if not field_spec.get("required") and self.rng.random() < 0.4:
                continue
            if kind == FieldKind.CHOICE:
                answers[key] = self.rng.choice(field_spec["choices"])
            elif kind == FieldKind.MULTI_CHOICE:
                answers[key] = self.rng.sample(field_spec["choices"], k=self.rng.randint(1, 2))
            elif kind == FieldKind.DATE:
                answers[key] = (
                    (created_at + timedelta(days=self.rng.randint(3, 30))).date().isoformat()
                )
            elif kind == FieldKind.NUMBER:
                answers[key] = self.rng.choice([1, 2, 5, 12, 250, 1200, 4800, 15000])
            elif kind == FieldKind.PERSON:
                answers[key] = self.rng.choice(self.people).pk
            elif kind == FieldKind.TEAM:
                answers[key] = self.rng.choice(list(self.teams.values())).pk
            elif kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
                answers[key] = self._fill(
                    self.rng.choice(
                        ["{customer}", "{vendor}", "{city} office", "Q3 plan for {product}"]
                    )
                )
        return answers

    def plan(self, count: int) -> list[Plan]:
        """Decide every request's life; pure apart from reading the catalog and agreements."""
        specs = [spec for _, spec in self.services.values()]
        weights = [spec.weight for spec in specs]
        day_weights = self._day_weights()
        plans: list[Plan] = []
        for _ in range(count):
            spec = self.rng.choices(specs, weights=weights)[0]
            service = self.services[spec.slug][0]
            requester = self._requester_for(spec, service)
            customer_team = self.team_of[requester.pk]
            created_at = self._arrival(requester, day_weights)
            serves_outside = customer_team.serves_external_customers
            external_ref = ""
            if self.rng.random() < (0.4 if serves_outside else 0.03):
                prefix = "DEAL" if customer_team.slug.startswith("sales") else "CASE"
                external_ref = f"{prefix}-{self.rng.randint(1000, 99999)}"
            plans.append(
                Plan(
                    index=0,
                    service=service,
                    requester=requester,
                    customer_team=customer_team,
                    priority=self.rng.choices(
                        [p for p, _ in PRIORITIES], weights=[w for _, w in PRIORITIES]
                    )[0]
                    if spec.default_priority == "normal"
                    else spec.default_priority,
                    created_at=created_at,
                    subject=self._fill(self.rng.choice(spec.subjects)),
                    answers=self._answers(service, spec, created_at),
                    channel=self.rng.choices(
                        [Channel.PORTAL, Channel.EMAIL, Channel.API], weights=[80, 15, 5]
                    )[0],
                    external_ref=external_ref,
                    terms=self._terms(service, customer_team),
                )
            )
        plans.sort(key=lambda plan: plan.created_at)
        latest_recruitment: int | None = None
        for index, plan in enumerate(plans):
            plan.index = index
            self._plan_life(plan)
            if plan.service.slug == "open-position":
                latest_recruitment = index
            elif (
                plan.service.slug in ("new-laptop", "security-badge")
                and latest_recruitment is not None
            ):
                blocker = plans[latest_recruitment]
                done = blocker.resolved_at
                if (
                    self.rng.random() < 0.5
                    and done
                    and plan.resolved_at
                    and done <= plan.resolved_at
                ):
                    plan.blocker = latest_recruitment
        return plans

    def _plan_life(self, plan: Plan) -> None:
        rng, business = self.rng, plan.terms.business
        if business is None or plan.priority not in plan.terms.targets:
            return
        first_target, resolution_target = plan.terms.targets[plan.priority]
        agents = self.agents[plan.service.provider_team_id]
        plan.assignee = rng.choice(agents) if agents else None
        if rng.random() < 0.03:
            plan.cancelled_at = plan.created_at + timedelta(hours=rng.uniform(1, 48))
            return
        first_work = first_target * rng.lognormvariate(-1.1, 0.55)
        plan.first_reply_at = business.add(plan.created_at, first_work)
        paused = timedelta(0)
        if rng.random() < 0.25:
            wait_start = business.add(
                plan.created_at, first_work + timedelta(minutes=rng.randint(5, 90))
            )
            wait_end = wait_start + timedelta(hours=rng.uniform(2, 72))
            plan.wait = (wait_start, wait_end)
            paused = business.elapsed(wait_start, wait_end)
        work = max(
            resolution_target * rng.lognormvariate(-1.0, 0.5), first_work + timedelta(minutes=15)
        )
        plan.resolved_at = business.add(plan.created_at, work + paused)
        if plan.resolved_at + timedelta(days=2) < self.now and rng.random() < 0.8:
            plan.closed_at = plan.resolved_at + timedelta(days=rng.uniform(1, 5))
        if rng.random() < 0.15:
            plan.internal_note_at = (
                plan.first_reply_at + (plan.resolved_at - plan.first_reply_at) / 2
            )
        if rng.random() < 0.1 and len(agents) > 1:
            others = [agent for agent in agents if agent != plan.assignee]
            plan.reassigned = (plan.first_reply_at + timedelta(minutes=30), rng.choice(others))
        if plan.service.slug == "software-access" and rng.random() < 0.05:
            plan.transfer_to = self.services["access-review"][0]
        plan.waiting_on_supplier = rng.random() < 0.05

    # --- writing ---------------------------------------------------------------------

    def write(self, count: int, report: Callable[[str, int, int], None]) -> Totals:
        plans = self.plan(count)
        totals = Totals()
        request_ids: dict[int, int] = {}
        for start in range(0, len(plans), BATCH):
            batch = plans[start : start + BATCH]
            self._write_batch(batch, request_ids, totals)
            report("History", min(start + BATCH, len(plans)), len(plans))
        TeamCounter.objects.bulk_create(
            TeamCounter(team_id=team_id, last_number=number)
            for team_id, number in self.counters.items()
        )
        return totals

    def _reference(self, team: Team) -> str:
        self.counters[team.pk] += 1
        return f"{team.reference_prefix}-{self.counters[team.pk]}"

    def _write_batch(self, plans: list[Plan], request_ids: dict[int, int], totals: Totals) -> None:
        now = self.now
        requests, references, holdings, clocks, dependencies = [], [], [], [], []
        comment_rows: list[tuple[Plan, Comment]] = []
        for plan in plans:
            provider = plan.service.provider_team
            plan.references = [self._reference(provider)]
            transferred_at = (
                plan.first_reply_at
                if plan.transfer_to and plan.first_reply_at and plan.first_reply_at <= now
                else None
            )
            final_service = plan.transfer_to if transferred_at else plan.service
            if transferred_at:
                plan.references.append(self._reference(final_service.provider_team))
            status = self._status(plan)
            request_clocks, breached = self._clocks(plan)
            resolution = next((c for c in request_clocks if c.kind == ClockKind.RESOLUTION), None)
            request = Request(
                reference=plan.references[-1],
                service=final_service,
                provider_team=final_service.provider_team,
                agreement=plan.terms.agreement,
                requester=plan.requester,
                customer_team=plan.customer_team,
                subject=plan.subject,
                description=f"{plan.subject}.\n\nThanks,\n{plan.requester.full_name.split()[0]}",
                form_answers=plan.answers,
                priority=plan.priority,
                status=status,
                assignee=self._assignee_now(plan, transferred_at),
                confidential=plan.service.confidential,
                external_ref=plan.external_ref,
                channel=plan.channel,
                created_at=plan.created_at,
                updated_at=min(now, max(t for t in self._moments(plan) if t <= now)),
                first_responded_at=plan.first_reply_at
                if plan.first_reply_at and plan.first_reply_at <= now
                else None,
                resolved_at=plan.resolved_at
                if status in (Status.RESOLVED, Status.CLOSED)
                else None,
                closed_at=plan.closed_at if status == Status.CLOSED else None,
                resolution_due_at=resolution.due_at
                if resolution and resolution.is_running
                else None,
                sla_breached=breached,
            )
            request._plan = plan  # noqa: SLF001 - carried to the rows built after the insert
            request._clocks = request_clocks  # noqa: SLF001
            request._transferred_at = transferred_at  # noqa: SLF001
            requests.append(request)
        Request.objects.bulk_create(requests)
        events: list[RequestEvent] = []
        for request in requests:
            plan = request._plan  # noqa: SLF001
            transferred_at = request._transferred_at  # noqa: SLF001
            request_ids[plan.index] = request.pk
            teams = [plan.service.provider_team]
            if transferred_at:
                teams.append(request.provider_team)
            for position, (reference, team) in enumerate(zip(plan.references, teams, strict=True)):
                at = plan.created_at if position == 0 else transferred_at
                references.append(
                    RequestReference(request=request, reference=reference, team=team, created_at=at)
                )
                holdings.append(
                    TeamHolding(
                        request=request,
                        team=team,
                        started_at=at,
                        ended_at=transferred_at if position == 0 and transferred_at else None,
                    )
                )
            for clock in request._clocks:  # noqa: SLF001
                clock.request = request
                clocks.append(clock)
            if plan.blocker is not None and plan.blocker in request_ids:
                dependencies.append(
                    Dependency(
                        blocker_id=request_ids[plan.blocker],
                        blocked=request,
                        created_at=plan.created_at,
                    )
                )
                request.parent_id = request_ids[plan.blocker]
            comment_rows.extend((plan, comment) for comment in self._comments(plan, request))
        Comment.objects.bulk_create([comment for _, comment in comment_rows])
        comments_by_request: dict[int, list[Comment]] = defaultdict(list)
        for _, comment in comment_rows:
            comments_by_request[comment.request_id].append(comment)
        for request in requests:
            events.extend(self._events(request, comments_by_request[request.pk]))
        parents = [r for r in requests if r.parent_id]
        Request.objects.bulk_update(parents, ["parent"], batch_size=BATCH)
        versions = defaultdict(int)
        for event in events:
            if event.kind not in (
                EventKind.COMMENTED,
                EventKind.FIRST_RESPONSE,
                EventKind.BREACHED,
            ):
                versions[event.request_id] += 1
        for request in requests:
            request.version = max(1, versions[request.pk])
        Request.objects.bulk_update(requests, ["version"], batch_size=BATCH)
        RequestReference.objects.bulk_create(references)
        TeamHolding.objects.bulk_create(holdings)
        Clock.objects.bulk_create(clocks)
        Dependency.objects.bulk_create(dependencies)
        RequestEvent.objects.bulk_create(events, batch_size=BATCH)
        totals.requests += len(requests)
        totals.events += len(events)
        totals.comments += len(comment_rows)

    def _moments(self, plan: Plan) -> list[datetime]:
        moments = [
            plan.created_at,
            plan.first_reply_at,
            plan.resolved_at,
            plan.closed_at,
            plan.cancelled_at,
        ]
        if plan.wait:
            moments.extend(plan.wait)
        return [m for m in moments if m is not None]

    def _status(self, plan: Plan) -> str:
        now = self.now
        if plan.cancelled_at and plan.cancelled_at <= now:
            return Status.CANCELLED
        if plan.closed_at and plan.closed_at <= now:
            return Status.CLOSED
        if plan.resolved_at and plan.resolved_at <= now:
            return Status.RESOLVED
        if plan.wait and plan.wait[0] <= now < plan.wait[1]:
            return Status.WAITING_ON_CUSTOMER
        if plan.first_reply_at and plan.first_reply_at <= now:
            return Status.WAITING_ON_SUPPLIER if plan.waiting_on_supplier else Status.IN_PROGRESS
        return Status.NEW

    def _assignee_now(self, plan: Plan, transferred_at: datetime | None) -> Person | None:
        if transferred_at:
            return None
        if plan.first_reply_at is None or plan.first_reply_at > self.now:
            return None if self.rng.random() < 0.6 else plan.assignee
        if plan.reassigned and plan.reassigned[0] <= self.now:
            return plan.reassigned[1]
        return plan.assignee

    def _clocks(self, plan: Plan) -> tuple[list[Clock], bool]:
        """The request's clocks as the services would have left them at ``now``."""
        terms, now = plan.terms, self.now
        if terms.business is None or plan.priority not in terms.targets:
            return [], False
        business = terms.business
        first_target, resolution_target = terms.targets[plan.priority]
        share = 1 - settings.SLA_AT_RISK_SHARE
        ended = plan.cancelled_at if plan.cancelled_at and plan.cancelled_at <= now else None

        first_stop = (
            plan.first_reply_at if plan.first_reply_at and plan.first_reply_at <= now else ended
        )
        first = Clock(
            kind=ClockKind.FIRST_RESPONSE, calendar=terms.calendar, target=first_target,
            started_at=plan.created_at, stopped_at=first_stop,
            due_at=business.add(plan.created_at, first_target),
            warn_at=business.add(plan.created_at, first_target * share),
        )  # fmt: skip
        resolution = Clock(
            kind=ClockKind.RESOLUTION, calendar=terms.calendar, target=resolution_target,
            started_at=plan.created_at,
        )  # fmt: skip
        waiting_now = plan.wait is not None and plan.wait[0] <= now < plan.wait[1]
        if plan.wait and plan.wait[1] <= now:
            resolution.paused_total = business.elapsed(*plan.wait)
        resolution.due_at = business.add(
            plan.created_at, resolution_target + resolution.paused_total
        )
        resolution.warn_at = business.add(
            plan.created_at, resolution_target * share + resolution.paused_total
        )
        resolved = plan.resolved_at if plan.resolved_at and plan.resolved_at <= now else None
        resolution.stopped_at = resolved or ended
        if waiting_now:
            resolution.paused_at = plan.wait[0]
            late = plan.wait[0] > resolution.due_at
            resolution.due_at = resolution.warn_at = None
            if late:
                resolution.breached_at = business.add(plan.created_at, resolution_target)
        for clock in (first, resolution):
            if (
                clock.due_at is not None
                and (clock.stopped_at or now) > clock.due_at
                and not (ended and clock.stopped_at == ended and ended <= clock.due_at)
            ):
                clock.breached_at = clock.due_at
            if clock.warn_at is not None and clock.warn_at <= now:
                clock.warned_at = clock.warn_at
        clocks = [first, resolution]
        return clocks, any(clock.breached_at for clock in clocks)

    def _comments(self, plan: Plan, request: Request) -> list[Comment]:
        now, first = self.now, plan.requester.full_name.split()[0]
        agent = plan.assignee
        rows = []

        def add(
            at: datetime | None,
            author: Person | None,
            body: str,
            *,
            public: bool = True,
            provider: bool = True,
        ) -> None:
            if at is not None and at <= now:
                rows.append(
                    Comment(
                        request=request, author=author, body=body, is_public=public,
                        by_provider=provider,
                        channel=Channel.PORTAL if provider else plan.channel,
                        created_at=at,
                    )
                )  # fmt: skip

        add(plan.first_reply_at, agent, self.rng.choice(AGENT_REPLIES).format(first=first))
        if plan.wait:
            add(plan.wait[0], agent, self.rng.choice(QUESTIONS))
            add(plan.wait[1], plan.requester, self.rng.choice(REQUESTER_ANSWERS), provider=False)
        add(plan.internal_note_at, agent, self.rng.choice(INTERNAL_NOTES), public=False)
        if plan.resolved_at and plan.resolved_at <= now:
            closer = plan.reassigned[1] if plan.reassigned else agent
            add(plan.resolved_at, closer, self.rng.choice(RESOLUTIONS))
        return rows

    def _events(self, request: Request, comments: list[Comment]) -> list[RequestEvent]:
        plan: Plan = request._plan  # noqa: SLF001
        now = self.now
        events = []

        def add(
            at: datetime | None, actor: Person | None, kind: str, data: dict, *, public: bool = True
        ) -> None:
            if at is not None and at <= now:
                events.append(
                    RequestEvent(
                        request=request,
                        actor=actor,
                        kind=kind,
                        data=data,
                        is_public=public,
                        created_at=at,
                    )
                )

        add(plan.created_at, plan.requester, EventKind.CREATED, {
            "service": plan.service.slug, "priority": plan.priority,
            "channel": plan.channel, "reference": plan.references[0],
        })  # fmt: skip
        if plan.assignee and plan.first_reply_at:
            add(
                plan.first_reply_at,
                plan.assignee,
                EventKind.ASSIGNED,
                {"assignee": [None, plan.assignee.pk]},
            )
        for comment in comments:
            data = {"comment": comment.pk, "public": comment.is_public}
            add(
                comment.created_at,
                comment.author,
                EventKind.COMMENTED,
                data,
                public=comment.is_public,
            )
        if plan.first_reply_at:
            add(plan.first_reply_at, plan.assignee, EventKind.FIRST_RESPONSE, {})
            add(
                plan.first_reply_at,
                plan.assignee,
                EventKind.STATUS_CHANGED,
                {"status": ["new", "in_progress"]},
            )
        transferred_at = request._transferred_at  # noqa: SLF001
        if transferred_at:
            add(transferred_at, plan.assignee, EventKind.TRANSFERRED, {
                "service": [plan.service.slug, request.service.slug],
                "provider_team": [plan.service.provider_team_id, request.provider_team_id],
                "reference": plan.references,
            })  # fmt: skip
        if plan.reassigned:
            at, new_agent = plan.reassigned
            add(
                at,
                plan.assignee,
                EventKind.ASSIGNED,
                {"assignee": [plan.assignee.pk, new_agent.pk]},
            )
        if plan.waiting_on_supplier and request.status == Status.WAITING_ON_SUPPLIER:
            add(
                plan.first_reply_at,
                plan.assignee,
                EventKind.STATUS_CHANGED,
                {"status": ["in_progress", "waiting_on_supplier"]},
            )
        if plan.wait:
            add(
                plan.wait[0],
                plan.assignee,
                EventKind.STATUS_CHANGED,
                {"status": ["in_progress", "waiting_on_customer"]},
            )
            add(
                plan.wait[1],
                plan.requester,
                EventKind.STATUS_CHANGED,
                {"status": ["waiting_on_customer", "in_progress"]},
            )
        if plan.cancelled_at:
            before = (
                "new"
                if not plan.first_reply_at or plan.first_reply_at > plan.cancelled_at
                else "in_progress"
            )
            add(
                plan.cancelled_at,
                plan.requester,
                EventKind.STATUS_CHANGED,
                {"status": [before, "cancelled"]},
            )
        if plan.resolved_at:
            add(
                plan.resolved_at,
                plan.assignee,
                EventKind.STATUS_CHANGED,
                {"status": ["in_progress", "resolved"]},
            )
        if plan.closed_at:
            add(
                plan.closed_at,
                plan.requester,
                EventKind.STATUS_CHANGED,
                {"status": ["resolved", "closed"]},
            )
        for clock in request._clocks:  # noqa: SLF001
            if clock.breached_at:
                add(
                    clock.breached_at,
                    None,
                    EventKind.BREACHED,
                    {"clock": clock.kind, "due_at": clock.breached_at.isoformat()},
                )
        events.sort(key=lambda event: event.created_at)
        return events
