"""One request's life, planned step by step in business time.

The steps are timed with the business calendar of the agreement that applies,
so the clocks the replay derives from them breach about as often as real ones:
a first reply after a share of the first-response target, work spread over a
share of the resolution target, with questions to the requester, internal
notes, waits on suppliers, reassignments and the odd transfer, reopening or
cancellation in between.
"""

import random
from dataclasses import replace
from datetime import datetime, timedelta

from inhouse.demo import catalog_data as data
from inhouse.demo.plans import MINUTE, Act, PlannedRequest, Step, lognormal_minutes
from inhouse.demo.world import ServiceFacts, Terms, World
from inhouse.sla.businesstime import BusinessCalendar

PRIORITY_ORDER = ("low", "normal", "high", "urgent")


def plan_life(world: World, request: PlannedRequest, *, plain: bool = False) -> None:
    """Fill in ``request.steps``; ``plain`` leaves out cancelling, transfers and reopening."""
    _Life(world, request, plain=plain).live()


class _Life:
    """Plans one request's steps in the business time of the agreement that applies."""

    def __init__(self, world: World, request: PlannedRequest, *, plain: bool) -> None:
        self.world = world
        self.request = request
        # Chained requests skip detours (cancelling, transfers, reopening) that break chains.
        self.plain = plain
        self.rng = random.Random(request.life_seed)
        self.steps: list[Step] = []
        self.requester = self.world.people[request.requester]
        self.office = self.world.offices[self.requester.office]
        self.values = request.values

    def _text(self, own: tuple[str, ...], generic: tuple[str, ...], **extra: str) -> str:
        return self.rng.choice(own or generic).format(**{**self.values, **extra})

    def _context(self, slug: str) -> tuple[ServiceFacts, Terms, BusinessCalendar]:
        service = self.world.services[slug]
        terms = self.world.terms(service.id, self.request.customer_team)
        if terms is None:
            raise ValueError(
                f"No agreement covers {slug}; every provider team needs a default one."
            )
        return service, terms, terms.business

    def _requester_delay(self, after: datetime, median_minutes: float) -> datetime:
        """A moment in the requester's own working hours, some time after ``after``."""
        return self.office.add(after, lognormal_minutes(self.rng, median_minutes, 1.0)) + MINUTE

    def add(
        self,
        at: datetime,
        act: Act,
        actor: int | None,
        text: str = "",
        value: int | str | None = None,
    ) -> None:
        self.steps.append(Step(at, act, actor, text, value))

    def live(self) -> None:
        rng, request = self.rng, self.request
        service, terms, calendar = self._context(request.service)
        spec = service.spec
        agents = self.world.agents[service.team_id]
        lead = self.world.leads[service.team_id]
        created = request.created_at

        priority = request.priority
        if not self.plain and rng.random() < 0.05:
            # On first contact the agent re-rates the priority one step up or down.
            position = PRIORITY_ORDER.index(priority) + (1 if rng.random() < 0.6 else -1)
            priority = PRIORITY_ORDER[min(3, max(0, position))]
        first_target, resolution_target = terms.targets[priority]
        first_share = rng.lognormvariate(-1.15, 0.6)
        resolution_share = rng.lognormvariate(-1.0, 0.52)
        first_work = first_target * first_share
        assignee = rng.choice(agents)

        transfer_to = spec.transfer_to if not self.plain and rng.random() < 0.07 else ""
        early_transfer = transfer_to and rng.random() < 0.5
        assign_at = calendar.add(created, first_work * rng.uniform(0.2, 0.9))
        if early_transfer:
            transfer_at = calendar.add(created, first_work * 0.6)
            if assign_at < transfer_at:
                self.add(
                    assign_at, Act.ASSIGN, assignee if rng.random() < 0.7 else lead, value=assignee
                )
            service, terms, calendar = self._context(transfer_to)
            note = self._text(
                (), data.TRANSFER_NOTES, team_name=self.world.teams[service.team_id].name
            )
            self.add(transfer_at, Act.TRANSFER, assignee, note, transfer_to)
            assignee = rng.choice(self.world.agents[service.team_id])
            first_target, resolution_target = terms.targets[priority]
            first_at = max(
                calendar.add(created, first_target * first_share),
                calendar.add(transfer_at, timedelta(minutes=rng.uniform(10, 90))),
            )
            self.add(calendar.add(transfer_at, MINUTE * 5), Act.ASSIGN, assignee, value=assignee)
        else:
            first_at = calendar.add(created, first_work)
            self.add(
                assign_at, Act.ASSIGN, assignee if rng.random() < 0.7 else lead, value=assignee
            )
        if priority != request.priority:
            self.add(first_at, Act.PRIORITY, assignee, value=priority)
        self.add(first_at, Act.REPLY, assignee, self._text((), data.FIRST_REPLIES))
        cursor = first_at

        if transfer_to and not early_transfer:
            transfer_at = calendar.add(first_at, timedelta(minutes=rng.uniform(10, 60)))
            previous = assignee
            service, terms, calendar = self._context(transfer_to)
            note = self._text(
                (), data.TRANSFER_NOTES, team_name=self.world.teams[service.team_id].name
            )
            self.add(transfer_at, Act.TRANSFER, previous, note, transfer_to)
            assignee = rng.choice(self.world.agents[service.team_id])
            cursor = calendar.add(transfer_at, timedelta(minutes=rng.uniform(15, 120)))
            self.add(cursor, Act.ASSIGN, assignee, value=assignee)
            resolution_target = terms.targets[priority][1]
        lead = self.world.leads[service.team_id]
        agents = self.world.agents[service.team_id]
        spec = service.spec

        # The rest of the work, with what interrupts it at random points along the way.
        remaining = max(
            resolution_target * resolution_share - calendar.elapsed(created, cursor),
            timedelta(minutes=rng.uniform(20, 90)),
        )
        interruptions = ["ask"] * rng.choices((0, 1, 2), weights=(70, 24, 6))[0]
        for kind, chance in (("note", 0.18), ("update", 0.15), ("supplier", 0.03),
                             ("nudge", 0.4 if resolution_share > 0.8 else 0.08)):  # fmt: skip
            if rng.random() < chance:
                interruptions.append(kind)
        if len(agents) > 1 and rng.random() < 0.07:
            interruptions.append("reassign")
        done = 0.0
        for share, kind in sorted((rng.random(), kind) for kind in interruptions):
            cursor = calendar.add(cursor, remaining * (share - done))
            done = share
            if kind == "ask":
                question, answer = rng.choice(spec.questions or data.QUESTIONS)
                self.add(cursor, Act.ASK, assignee, question.format(**self.values))
                cursor = self._requester_delay(cursor, 150)
                self.add(
                    cursor, Act.REQUESTER_REPLY, request.requester, answer.format(**self.values)
                )
            elif kind == "note":
                self.add(cursor, Act.NOTE, assignee, self._text((), data.INTERNAL_NOTES))
            elif kind == "update":
                self.add(cursor, Act.REPLY, assignee, self._text((), data.UPDATES))
            elif kind == "nudge":
                self.add(
                    cursor, Act.REQUESTER_REPLY, request.requester, self._text((), data.NUDGES)
                )
            elif kind == "reassign":
                assignee = rng.choice([agent for agent in agents if agent != assignee])
                self.add(cursor, Act.ASSIGN, lead, value=assignee)
            else:
                self.add(cursor, Act.NOTE, assignee, self._text((), data.SUPPLIER_NOTES[:2]))
                self.add(cursor, Act.SUPPLIER_WAIT, assignee)
                cursor = calendar.add(cursor, lognormal_minutes(rng, 360, 0.7))
                self.add(cursor, Act.SUPPLIER_DONE, assignee)
        resolved_at = calendar.add(cursor, remaining * (1 - done))
        self.add(resolved_at, Act.RESOLVE, assignee, self._text(spec.resolutions, data.RESOLUTIONS))

        if not self.plain and rng.random() < 0.04:
            reopened_at = self._requester_delay(resolved_at, 240)
            self.add(reopened_at, Act.REOPEN, request.requester, self._text((), data.REOPENINGS))
            resolved_at = calendar.add(reopened_at, remaining * 0.3 + timedelta(minutes=30))
            self.add(resolved_at, Act.RESOLVE, assignee, self._text((), data.RESOLUTIONS))
        if rng.random() < 0.6:
            self.add(self._requester_delay(resolved_at, 180), Act.CLOSE, request.requester)
        else:
            # Nobody objected for a week, so the agent closes it.
            quiet_week = calendar.next_working_moment(resolved_at + timedelta(days=7))
            self.add(calendar.add(quiet_week, timedelta(minutes=rng.uniform(5, 120))),
                     Act.CLOSE, assignee)  # fmt: skip
        self.steps.sort(key=lambda step: step.at)

        if not self.plain and not transfer_to and rng.random() < 0.03:
            self._cancel()
        request.steps = self.steps

    def _cancel(self) -> None:
        """Withdrawn by the requester soon after filing, or closed by the agent as a duplicate."""
        first_reply = next(step for step in self.steps if step.act == Act.REPLY)
        resolve = next(step for step in self.steps if step.act == Act.RESOLVE)
        actor: int | None
        if self.rng.random() < 0.75:
            at = self._requester_delay(self.request.created_at, 120)
            actor, text = self.request.requester, self._text((), data.CANCELLATIONS)
        else:
            at = first_reply.at
            actor, text = first_reply.actor, "Duplicate of an earlier request; closing this one."
        if resolve.at > at:
            self.steps = [step for step in self.steps if step.at < at]
            self.add(at, Act.CANCEL, actor, text)


def hold_until_done(
    world: World, blocked: PlannedRequest, *, blocker: PlannedRequest, blocker_done: datetime
) -> None:
    """Link ``blocked`` to ``blocker`` at its first reply and, if it would finish first,
    make it wait on the supplier until the blocker is done, moving its later steps on."""
    first_reply_index = next(i for i, step in enumerate(blocked.steps) if step.act == Act.REPLY)
    first_reply = blocked.steps[first_reply_index]
    linker = first_reply.actor
    link = Step(first_reply.at, Act.BLOCKED_BY, linker, value=blocker.uid)
    before, after = blocked.steps[: first_reply_index + 1], blocked.steps[first_reply_index + 1 :]
    resolve = blocked.step(Act.RESOLVE)
    if resolve.at > blocker_done:
        blocked.steps = [*before, link, *after]
        return
    service = world.services[blocked.service]
    terms = world.terms(service.id, blocked.customer_team)
    if terms is None:
        raise LookupError(f"No agreement times the blocked request {blocked.uid}.")
    calendar = terms.business
    resume_at = calendar.add(blocker_done, timedelta(minutes=20))
    wait = [
        link,
        Step(first_reply.at, Act.NOTE, linker, data.SUPPLIER_NOTES[2]),
        Step(first_reply.at, Act.SUPPLIER_WAIT, linker),
        Step(resume_at, Act.SUPPLIER_DONE, linker),
    ]
    moved = [
        replace(step, at=calendar.add(resume_at, calendar.elapsed(first_reply.at, step.at)))
        for step in after
    ]
    blocked.steps = [*before, *wait, *moved]
