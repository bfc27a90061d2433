"""What planning produces: each request as filed, and the steps of its life.

Plain data, compared by value, so two plans from the same seed can be checked
for equality and the replay can turn them into rows without any randomness.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

MINUTE = timedelta(minutes=1)


class Act(StrEnum):
    """What happens at a step; the replay turns each into the services' rows."""

    ASSIGN = "assign"  # value: the new assignee
    REPLY = "reply"  # public reply by an agent; the first one is the first response
    NOTE = "note"  # internal note
    ASK = "ask"  # public question; the request waits on the customer
    REQUESTER_REPLY = "requester_reply"  # ends a wait on the customer
    SUPPLIER_WAIT = "supplier_wait"
    SUPPLIER_DONE = "supplier_done"
    PRIORITY = "priority"  # value: the new priority
    TRANSFER = "transfer"  # value: the new service's slug
    BLOCKED_BY = "blocked_by"  # value: the blocking request's uid
    RESOLVE = "resolve"
    REOPEN = "reopen"
    CLOSE = "close"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Step:
    at: datetime
    act: Act
    actor: int | None
    text: str = ""
    value: int | str | None = None


@dataclass
class PlannedRequest:
    uid: int  # identity while planning; parents and blockers refer to it
    service: str  # the slug of the service it was filed for
    requester: int
    customer_team: int
    priority: str  # as filed
    priority_from: str  # the service's rule that set it
    impact_urgency: tuple[str, str] | None  # the requester's answers, when the matrix set it
    created_at: datetime
    subject: str
    description: str
    answers: dict
    channel: str
    external_ref: str
    values: dict[str, str]  # the filler values its texts were written from
    life_seed: int
    parent: int | None = None
    steps: list[Step] = field(default_factory=list)

    def first(self, act: Act) -> Step | None:
        return next((step for step in self.steps if step.act == act), None)

    def step(self, act: Act) -> Step:
        """The first step of ``act``, for a caller whose plan always has one."""
        found = self.first(act)
        if found is None:
            raise LookupError(f"The plan of request {self.uid} has no {act} step.")
        return found

    @property
    def without_detours(self) -> bool:
        """No detours that would spoil a chain of dependent requests."""
        return not any(
            step.act in (Act.CANCEL, Act.TRANSFER, Act.REOPEN, Act.BLOCKED_BY)
            for step in self.steps
        )


def lognormal_minutes(rng: random.Random, median: float, sigma: float) -> timedelta:
    """A duration around ``median`` minutes with the long tail that waiting times have."""
    return timedelta(minutes=rng.lognormvariate(math.log(median), sigma))
