"""The hash chain that makes a request's history tamper-evident.

Every event carries its place in its request's chain (``sequence``: 1, 2, 3, …) and
a ``digest``: SHA-256 over a canonical serialisation of what it says (request,
actor, kind, data, whether it is public, when, its sequence) and the digest of the
event before it. The request keeps the head of its chain (``history_length`` and
``history_digest``), written in the same transaction as the events, so removing
even the newest event leaves a request whose head names an event that is gone.

Editing an event breaks its own digest, removing one leaves a gap, inserting one
adds a sequence number that is taken or beyond the head, and moving one puts an
event where its digest does not belong. Someone who can write the database and
knows this algorithm can still rewrite a whole chain and its head consistently:
the chain proves the history was not changed by anything short of that.

The serialisation is a contract: every stored digest depends on it, and the data
migration that chained the existing history computes digests with this module.
Changing it needs a new migration that re-chains every event.

``chain`` stamps events as they are written; ``check_request`` checks one request's
stored chain and says where and how it breaks; neither touches the database.
``check_histories`` reads the stored chains back and checks each (``inhouse
verify-history``); ``chain_stored_history`` chains rows stored without one.
"""

import hashlib
import itertools
import json
import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from django.db import DEFAULT_DB_ALIAS, connections

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from inhouse.desk.models import Request, RequestEvent

# The digest before a request's first event.
GENESIS = ""
# Sorted keys, no spaces, text as it is: one encoder for every digest (a new one per
# call was a tenth of verify-history's time).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_digest(
    *,
    request_id: int,
    sequence: int,
    actor_id: int | None,
    kind: str,
    data: Any,
    is_public: bool,
    created_at: datetime,
    previous: str,
) -> str:
    """SHA-256 (hex) of one event's content, its place in the chain and its predecessor.

    Sorted-key JSON without spaces and times as UTC ISO 8601 with microseconds, so the
    same event gives the same digest from the values it was written with and from the
    values read back from either database.
    """
    if created_at.utcoffset() is None:
        raise ValueError("History times are aware datetimes (UTC).")
    canonical = _CANONICAL.encode(
        {
            "request": request_id,
            "sequence": sequence,
            "actor": actor_id,
            "kind": kind,
            "data": data,
            "public": is_public,
            "at": created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "previous": previous,
        }
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class ChainedEvent(Protocol):
    """What the chain reads and writes on an event (``RequestEvent`` has it)."""

    request_id: int
    actor_id: int | None
    kind: str
    data: Any
    is_public: bool
    created_at: datetime
    sequence: int
    digest: str


def chain(events: Iterable[ChainedEvent], *, length: int, digest: str) -> tuple[int, str]:
    """Give ``events`` (one request's, in order) the sequences and digests that follow
    the head ``(length, digest)``; returns the new head.

    Every writer of history goes through here: ``inhouse.desk.events.record`` and the
    demo's bulk writer.
    """
    for event in events:
        length += 1
        event.sequence = length
        digest = event.digest = event_digest(
            request_id=event.request_id,
            sequence=length,
            actor_id=event.actor_id,
            kind=event.kind,
            data=event.data,
            is_public=event.is_public,
            created_at=event.created_at,
            previous=digest,
        )
    return length, digest


def chain_stored_history(
    request_model: "type[Request]",
    event_model: "type[RequestEvent]",
    *,
    using: str = DEFAULT_DB_ALIAS,
    first_request_id: int = 1,
    requests_per_batch: int = 2_000,
) -> None:
    """Chain events already stored without a chain, from ``first_request_id`` on: each
    request's events in the order the history is shown (``created_at``, then id).

    For rows written around ``record``: the migration that introduced the chain, and a
    bulk copy of requests (``bench/dataset.py``). A batch of requests at a time, one
    read of their events and one ``executemany`` per table, so a million events are
    one pass. The models may be a migration's historical ones.
    """
    after = first_request_id - 1
    while True:
        request_ids = list(
            request_model._default_manager.using(using)
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:requests_per_batch]
        )
        if not request_ids:
            return
        after = request_ids[-1]
        events = event_model._default_manager.using(using).filter(
            request_id__gte=request_ids[0], request_id__lte=after
        )
        _restamp(request_model, event_model, using, request_ids, events, ("created_at", "pk"))


def reseal_histories(
    request_model: "type[Request]",
    event_model: "type[RequestEvent]",
    request_ids: Iterable[int],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Seal again, in their stored order, the chains of requests whose events a lawful
    change rewrote (an erasure replacing a person's name in event data).

    The caller checks the chains are whole first: sealing a tampered chain would hide it.
    """
    ids = sorted(set(request_ids))
    if ids:
        events = event_model._default_manager.using(using).filter(request_id__in=ids)
        _restamp(request_model, event_model, using, ids, events, ("sequence",))


def _restamp(
    request_model: "type[Request]",
    event_model: "type[RequestEvent]",
    using: str,
    request_ids: list[int],
    events: Any,
    order: tuple[str, ...],
) -> None:
    """One read of the events of ``request_ids`` and one ``executemany`` per table."""
    connection = connections[using]
    quote = connection.ops.quote_name
    update_events = (
        f"UPDATE {quote(event_model._meta.db_table)} SET {quote('sequence')} = %s, "  # noqa: S608 - names are ours
        f"{quote('digest')} = %s WHERE {quote('id')} = %s"
    )
    update_requests = (
        f"UPDATE {quote(request_model._meta.db_table)} SET {quote('history_length')} = %s, "  # noqa: S608 - names are ours
        f"{quote('history_digest')} = %s WHERE {quote('id')} = %s"
    )
    rows = events.order_by("request_id", *order).values_list(
        "pk", "request_id", "actor_id", "kind", "data", "is_public", "created_at"
    )
    heads: dict[int, tuple[int, str]] = dict.fromkeys(request_ids, (0, GENESIS))
    stamped: list[tuple[int, str, int]] = []
    for pk, request_id, actor_id, kind, data, is_public, created_at in rows:
        length, previous = heads[request_id]
        digest = event_digest(
            request_id=request_id, sequence=length + 1, actor_id=actor_id, kind=kind,
            data=data, is_public=is_public, created_at=created_at, previous=previous,
        )  # fmt: skip
        heads[request_id] = (length + 1, digest)
        stamped.append((length + 1, digest, pk))
    with connection.cursor() as cursor:
        cursor.executemany(update_events, stamped)
        cursor.executemany(
            update_requests, [(length, digest, pk) for pk, (length, digest) in heads.items()]
        )


# --- checking -------------------------------------------------------------------------------


class Tampering(StrEnum):
    CHANGED = "changed"
    MISSING = "missing"
    INSERTED = "inserted"
    OUT_OF_ORDER = "out of order"


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from the database."""

    pk: int
    sequence: int
    actor_id: int | None
    kind: str
    data: Any
    is_public: bool
    created_at: datetime
    digest: str


@dataclass(frozen=True)
class Break:
    """Where a request's chain first breaks: the event (or the place, for a missing
    one) and what was done to it."""

    tampering: Tampering
    sequence: int
    event_id: int | None
    detail: str


def _verifies(request_id: int, event: StoredEvent, sequence: int, previous: str) -> bool:
    return event.digest == event_digest(
        request_id=request_id,
        sequence=sequence,
        actor_id=event.actor_id,
        kind=event.kind,
        data=event.data,
        is_public=event.is_public,
        created_at=event.created_at,
        previous=previous,
    )


def check_request(
    request_id: int, events: Sequence[StoredEvent], *, length: int, digest: str
) -> Break | None:
    """The first break in one request's chain, or ``None`` if it is whole.

    ``events`` are the request's stored events in (sequence, id) order and
    ``(length, digest)`` the head the request recorded. Walking the chain from its
    start, the first event that does not follow is classified: an event that belongs
    at this place but is stored elsewhere was moved (out of order); a sequence
    skipped is a missing event; a sequence already taken, or past the head, is an
    inserted one; an event in its place whose digest does not match was changed.
    """
    previous = GENESIS
    for position, event in enumerate(events):
        expected = position + 1
        if (
            expected <= length
            and event.sequence == expected
            and _verifies(request_id, event, expected, previous)
        ):
            previous = event.digest
            continue
        return _classify(request_id, events[position:], expected, previous, length)
    if len(events) < length:
        return Break(
            Tampering.MISSING,
            len(events) + 1,
            None,
            f"the history ends at event {len(events)} of {length}",
        )
    if events and previous != digest:
        return Break(
            Tampering.CHANGED,
            events[-1].sequence,
            events[-1].pk,
            "the newest event does not match the request's recorded head",
        )
    return None


def _classify(
    request_id: int,
    rest: Sequence[StoredEvent],
    expected: int,
    previous: str,
    length: int,
) -> Break:
    """Why the chain stops at place ``expected``, whose predecessor's digest is
    ``previous``; ``rest`` is every event from there on."""
    here = rest[0]
    belongs_here = next(
        (event for event in rest if _verifies(request_id, event, expected, previous)), None
    )
    if belongs_here is not None and belongs_here.sequence != expected:
        return Break(
            Tampering.OUT_OF_ORDER,
            expected,
            belongs_here.pk,
            f"event {belongs_here.pk} belongs at {expected} but is stored at "
            f"{belongs_here.sequence}",
        )
    if here.sequence > length:
        return Break(
            Tampering.INSERTED,
            here.sequence,
            here.pk,
            f"event {here.pk} lies past the request's recorded end ({length} events)",
        )
    if here.sequence < expected:
        return Break(
            Tampering.INSERTED,
            here.sequence,
            here.pk,
            f"event {here.pk} repeats place {here.sequence}",
        )
    if here.sequence > expected:
        return Break(
            Tampering.MISSING,
            expected,
            None,
            f"event {expected} is missing (the next stored is {here.sequence}, id {here.pk})",
        )
    if belongs_here is not None:
        # Another event at the same place is the real one: this one was slipped in.
        return Break(
            Tampering.INSERTED, expected, here.pk, f"event {here.pk} repeats place {expected}"
        )
    return Break(
        Tampering.CHANGED,
        expected,
        here.pk,
        f"event {here.pk} does not match its digest",
    )


# --- reading every chain back -----------------------------------------------------------------


@dataclass(frozen=True)
class CheckedHistory:
    """One request's history as checked: how many events it holds, and its first break."""

    request_id: int
    reference: str
    events: int
    first_break: Break | None


# The request's head, then one of its events (all None for a request without any).
_ROW = (
    "pk", "reference", "history_length", "history_digest",
    "events__pk", "events__sequence", "events__actor_id", "events__kind", "events__data",
    "events__is_public", "events__created_at", "events__digest",
)  # fmt: skip


def check_histories(requests: "QuerySet[Request]") -> Iterator[CheckedHistory]:
    """Check the chain of every request in ``requests``, in id order.

    One streamed query for all of them: each request joined to its events in chain
    order (the ``event_chain_place`` index), so a million events are one pass, held
    in memory one request at a time. One statement also reads every head and event
    in a single snapshot, so a write committed meanwhile cannot look like tampering.
    """
    rows = (
        requests.order_by("pk", "events__sequence", "events__pk")
        .values_list(*_ROW)
        .iterator(chunk_size=2_000)
    )
    for request_id, group in itertools.groupby(rows, key=operator.itemgetter(0)):
        events: list[StoredEvent] = []
        for row in group:
            reference, length, digest = row[1:4]
            if row[4] is not None:
                events.append(StoredEvent(*row[4:]))
        yield CheckedHistory(
            request_id=request_id,
            reference=reference,
            events=len(events),
            first_break=check_request(request_id, events, length=length, digest=digest),
        )
