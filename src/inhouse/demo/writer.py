"""Writes a planned history: replays each request and inserts the rows in batches.

Per-row queries would make the demo take minutes, so rows are built in memory
and inserted a batch of requests at a time. Each request's events are chained as
``inhouse.desk.events.record`` chains them (``inhouse.desk.history_chain.chain``), in
memory, and the chain heads are written with one ``executemany`` per batch.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from inhouse.demo.plans import Act, PlannedRequest
from inhouse.demo.replay import Replayed, ReplayedEvent, replay
from inhouse.demo.world import World
from inhouse.desk import history_chain
from inhouse.desk.models import (
    Comment,
    Dependency,
    Request,
    RequestEvent,
    RequestReference,
    TeamCounter,
    TeamHolding,
)
from inhouse.desk.services import FIRST_REFERENCE_NUMBER
from inhouse.sla.models import Clock

BATCH = 2_000
Progress = Callable[[str, int, int], None]


@dataclass
class Totals:
    requests: int = 0
    events: int = 0
    comments: int = 0


class HistoryWriter:
    def __init__(self, world: World, now: datetime, progress: Progress) -> None:
        self.world = world
        self.now = now
        self.report = progress
        self.pks: dict[int, int] = {}  # planned uid → request id
        self.last_numbers: dict[int, int] = {}
        # Rows that name a request inserted in a later batch wait for it; a request
        # whose events name one waits whole, as its chain runs through that event.
        self.pending_events: list[tuple[int, list[tuple[ReplayedEvent, int | None]]]] = []
        self.pending_dependencies: list[tuple[int, int, datetime]] = []

    def write(self, plans: list[PlannedRequest]) -> Totals:
        references = self._number_references(plans)
        totals = Totals()
        for start in range(0, len(plans), BATCH):
            replayed = [
                replay(
                    self.world,
                    plan,
                    references[plan.uid],
                    self.now,
                    self.pks.get(plan.parent) if plan.parent is not None else None,
                )
                for plan in plans[start : start + BATCH]
            ]
            self._insert(replayed, totals)
            self.report("History", start + len(replayed), len(plans))
        self._insert_pending(totals)
        TeamCounter.objects.bulk_create(
            TeamCounter(team_id=team_id, last_number=number)
            for team_id, number in self.last_numbers.items()
        )
        return totals

    def _number_references(self, plans: list[PlannedRequest]) -> dict[int, list[str]]:
        """Every reference taken, numbered per team in the order they were taken:
        on filing, and on each transfer to another team."""
        taken: list[tuple[datetime, int, int, int]] = []
        for plan in plans:
            team_id = self.world.services[plan.service].team_id
            taken.append((plan.created_at, plan.uid, 0, team_id))
            for position, step in enumerate(plan.steps, start=1):
                if step.at > self.now:
                    break
                if step.act == Act.TRANSFER:
                    if not isinstance(step.value, str):
                        raise ValueError(f"A transfer of request {plan.uid} names no service.")
                    new_team = self.world.services[step.value].team_id
                    if new_team != team_id:
                        taken.append((step.at, plan.uid, position, new_team))
                        team_id = new_team
        taken.sort()
        references: dict[int, list[str]] = defaultdict(list)
        for _at, uid, _position, team_id in taken:
            number = self.last_numbers.get(team_id, FIRST_REFERENCE_NUMBER - 1) + 1
            self.last_numbers[team_id] = number
            references[uid].append(f"{self.world.teams[team_id].prefix}-{number}")
        return references

    def _insert(self, replayed: list[Replayed], totals: Totals) -> None:
        built = [(item, _request_of(item)) for item in replayed]
        Request.objects.bulk_create([request for _item, request in built], batch_size=BATCH)
        late_parents = []
        for item, request in built:
            self.pks[item.plan.uid] = request.pk
            if item.plan.parent is not None and request.parent_id is None:
                request.parent_id = self.pks[item.plan.parent]
                late_parents.append(request)
        # A parent filed earlier in the same batch got its id only now.
        Request.objects.bulk_update(late_parents, ["parent"], batch_size=BATCH)

        comments = [
            Comment(request_id=request.pk, author_id=c.author, body=c.body,
                    is_public=c.public, by_provider=c.by_provider, channel=c.channel,
                    created_at=c.at)
            for item, request in built
            for c in item.comments
        ]  # fmt: skip
        Comment.objects.bulk_create(comments, batch_size=BATCH)

        references, holdings, clocks, events, heads, dependencies = [], [], [], [], [], []
        comment_rows = iter(comments)
        for item, request in built:
            pk = request.pk
            references += [
                (pk, reference, team_id, at) for reference, team_id, at in item.references
            ]
            holdings += [(pk, team_id, start, end) for team_id, start, end in item.holdings]
            clocks += [_clock_row(pk, clock) for clock in item.clocks]
            comment_ids = [next(comment_rows).pk for _ in item.comments]
            with_comments = [
                (event, comment_ids[event.comment] if event.comment is not None else None)
                for event in item.events
            ]
            if any(event.blocker is not None and event.blocker not in self.pks
                   for event in item.events):  # fmt: skip
                self.pending_events.append((pk, with_comments))
            else:
                rows, head = self._chained_rows(pk, with_comments)
                events += rows
                heads.append(head)
            for blocker, at in item.blockers:
                if blocker in self.pks:
                    dependencies.append((self.pks[blocker], pk, at))
                else:
                    self.pending_dependencies.append((blocker, pk, at))
        _insert_rows(RequestReference, REFERENCE_FIELDS, references)
        _insert_rows(TeamHolding, HOLDING_FIELDS, holdings)
        _insert_rows(Clock, CLOCK_FIELDS, clocks)
        _insert_rows(RequestEvent, EVENT_FIELDS, events)
        _update_chain_heads(heads)
        _insert_rows(Dependency, DEPENDENCY_FIELDS, dependencies)
        totals.requests += len(built)
        totals.events += len(events)
        totals.comments += len(comments)

    def _chained_rows(
        self, request_id: int, events: list[tuple[ReplayedEvent, int | None]]
    ) -> tuple[list[tuple], tuple[int, str, int]]:
        """The rows their writers in ``inhouse.desk.events`` build, chained from the start
        as ``record`` chains them, as the values inserted; and the request's head."""
        built = [
            event.build(
                request_id,
                comment_id=comment_id,
                blocker_id=self.pks[event.blocker] if event.blocker is not None else None,
            )
            for event, comment_id in events
        ]
        length, digest = history_chain.chain(built, length=0, digest=history_chain.GENESIS)
        rows = [
            (row.request_id, row.actor_id, row.kind, row.data, row.is_public, row.created_at,
             row.sequence, row.digest)
            for row in built
        ]  # fmt: skip
        return rows, (length, digest, request_id)

    def _insert_pending(self, totals: Totals) -> None:
        events, heads = [], []
        for pk, waiting in self.pending_events:
            rows, head = self._chained_rows(pk, waiting)
            events += rows
            heads.append(head)
        _insert_rows(RequestEvent, EVENT_FIELDS, events)
        _update_chain_heads(heads)
        dependencies = [
            (self.pks[blocker], pk, at) for blocker, pk, at in self.pending_dependencies
        ]
        _insert_rows(Dependency, DEPENDENCY_FIELDS, dependencies)
        totals.events += len(events)


REFERENCE_FIELDS = ("request", "reference", "team", "created_at")
HOLDING_FIELDS = ("request", "team", "started_at", "ended_at")
CLOCK_FIELDS = (
    "request", "kind", "calendar", "target", "started_at", "paused_at", "paused_total",
    "stopped_at", "due_at", "warn_at", "breached_at", "warned_at",
)  # fmt: skip
EVENT_FIELDS = (
    "request", "actor", "kind", "data", "is_public", "created_at", "sequence", "digest",
)  # fmt: skip
DEPENDENCY_FIELDS = ("blocker", "blocked", "created_at")


def _clock_row(request_id: int, clock: Clock) -> tuple:
    return (
        request_id, clock.kind, clock.calendar_id, clock.target, clock.started_at,
        clock.paused_at, clock.paused_total, clock.stopped_at, clock.due_at, clock.warn_at,
        clock.breached_at, clock.warned_at,
    )  # fmt: skip


def _request_of(item: Replayed) -> Request:
    if item.request is None:
        raise ValueError(f"The replay of request {item.plan.uid} built no request row.")
    return item.request


def _update_chain_heads(heads: list[tuple[int, str, int]]) -> None:
    """Write each request's chain head (length, digest, request id): its id came only
    with its insert, and the digests depend on it."""
    if not heads:
        return
    quote = connection.ops.quote_name
    sql = (
        f"UPDATE {quote(Request._meta.db_table)} SET {quote('history_length')} = %s, "  # noqa: S608 - names come from the models
        f"{quote('history_digest')} = %s WHERE {quote('id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, heads)


def _column_field(model: type[Model], name: str) -> Field:
    """The field of ``model`` stored in a column of its own table under ``name``."""
    model_field = model._meta.get_field(name)
    if not isinstance(model_field, Field) or model_field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a column of its table.")
    return model_field


def _insert_rows(model: type[Model], names: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT rows whose ids nobody needs back, each value adapted by its field.

    ``bulk_create`` compiles every value through the ORM; for the hundreds of
    thousands of history rows that was most of the demo's running time, and
    ``executemany`` with the fields' own adaptation is about four times faster.
    Plain values (ids, text, booleans) need no adapting on any backend.
    """
    if not rows:
        return
    fields = [_column_field(model, name) for name in names]
    adapters: dict[int, Callable[[Any], Any]] = {}
    for index, model_field in enumerate(fields):
        internal_type = model_field.get_internal_type()
        if internal_type == "DateTimeField":
            adapters[index] = connection.ops.adapt_datetimefield_value
        elif internal_type in ("JSONField", "DurationField"):
            adapters[index] = partial(model_field.get_db_prep_save, connection=connection)
    prepared = []
    for row in rows:
        values = list(row)
        for index, adapt in adapters.items():
            if values[index] is not None:
                values[index] = adapt(values[index])
        prepared.append(values)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model_field.column) for model_field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 - names come from the models
    with connection.cursor() as cursor:
        cursor.executemany(sql, prepared)
