"""The history vocabulary: one writer per kind of ``RequestEvent``, and the reader.

Each writer builds one unsaved event from keyword-only, typed facts, so every
kind has exactly one data shape (listed in ``docs/events.md``); ``record``
inserts them. The services, the SLA sweep and the demo's replay all build
events here and nowhere else, which is what lets insights trust the shape.
Writers take ids rather than rows, because the demo builds events for rows it
has not inserted yet. ``record`` also chains them (``inhouse.desk.history_chain``),
so the history is tamper-evident.

``describe`` is the reader: it turns events into what pages show, naming the
people, teams and requests they mention with one query per kind of thing.
``data_for_reader`` is the API's reader: the data as written, except the id of a
linked request the reader may not see.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from inhouse.catalog.models import Priority, follow_up_step_text
from inhouse.core.inserts import insert_rows
from inhouse.desk import history_chain
from inhouse.desk.models import EventKind, Request, RequestEvent, Status
from inhouse.org.models import Person, Team
from inhouse.sla.models import ClockKind


def _event(
    kind: str,
    *,
    request_id: int,
    actor_id: int | None,
    at: datetime,
    data: dict[str, Any],
    public: bool = True,
) -> RequestEvent:
    return RequestEvent(
        request_id=request_id, actor_id=actor_id, kind=kind, data=data, is_public=public,
        created_at=at,
    )  # fmt: skip


def record(request: Request, *events: RequestEvent) -> None:
    """Chain and insert events of ``request`` built by the writers below: the one place
    history rows are created.

    ``request`` is the row the caller holds locked for the rest of its transaction
    (``select_for_update``), so its chain head is the newest and no other writer can
    take the next place meanwhile. The events follow that head and the head moves on,
    in memory: the caller saves it with the request in the same transaction
    (``save_changed`` and ``touch`` in the services do, otherwise ``save_chain_head``).
    """
    for event in events:
        if event.request_id != request.pk:
            raise ValueError(f"An event of request {event.request_id} recorded on {request.pk}.")
    request.history_length, request.history_digest = history_chain.chain(
        events, length=request.history_length, digest=request.history_digest
    )
    insert_rows(events)


# The fields of ``Request`` that ``record`` moves and the caller saves.
CHAIN_HEAD_FIELDS = ("history_length", "history_digest")


def save_chain_head(request: Request) -> None:
    """Save the chain head ``record`` moved, for a caller that saves nothing else."""
    Request.objects.filter(pk=request.pk).update(
        history_length=request.history_length, history_digest=request.history_digest
    )


# --- the writers, one per kind ------------------------------------------------------------------


def created(
    *,
    request_id: int,
    actor_id: int,
    at: datetime,
    service: str,
    priority: str,
    channel: str,
    reference: str,
    priority_from: str,
    on_behalf_of: int | None = None,
    impact_urgency: tuple[str, str] | None = None,
) -> RequestEvent:
    """The request was filed; ``priority_from`` is the service's rule that set its priority
    (with the requester's ``impact_urgency`` when it was the ITIL matrix), and
    ``on_behalf_of`` is the requester when someone else filed it."""
    data: dict[str, Any] = {
        "service": service, "priority": priority, "priority_from": priority_from,
        "channel": channel, "reference": reference,
    }  # fmt: skip
    if impact_urgency is not None:
        data["impact"], data["urgency"] = impact_urgency
    if on_behalf_of is not None:
        data["on_behalf_of"] = on_behalf_of
    return _event(EventKind.CREATED, request_id=request_id, actor_id=actor_id, at=at, data=data)


def commented(
    *, request_id: int, actor_id: int | None, at: datetime, comment_id: int, public: bool
) -> RequestEvent:
    """A reply (``public``) or an internal note, which only the provider's agents see."""
    return _event(
        EventKind.COMMENTED, request_id=request_id, actor_id=actor_id, at=at,
        data={"comment": comment_id, "public": public}, public=public,
    )  # fmt: skip


def attached(
    *,
    request_id: int,
    actor_id: int | None,
    at: datetime,
    attachment_id: int,
    size: int,
    sha256: str,
    public: bool,
) -> RequestEvent:
    """A file was added, to the request or to a comment (internal with an internal note)."""
    return _event(
        EventKind.ATTACHED, request_id=request_id, actor_id=actor_id, at=at,
        data={"attachment": attachment_id, "size": size, "sha256": sha256}, public=public,
    )  # fmt: skip


def status_changed(
    *, request_id: int, actor_id: int | None, at: datetime, before: str, after: str
) -> RequestEvent:
    return _event(
        EventKind.STATUS_CHANGED, request_id=request_id, actor_id=actor_id, at=at,
        data={"status": [before, after]},
    )  # fmt: skip


def assigned(
    *, request_id: int, actor_id: int | None, at: datetime, before: int | None, after: int | None
) -> RequestEvent:
    """The assignee changed; ``None`` on either side is nobody."""
    return _event(
        EventKind.ASSIGNED, request_id=request_id, actor_id=actor_id, at=at,
        data={"assignee": [before, after]},
    )  # fmt: skip


def priority_changed(
    *, request_id: int, actor_id: int | None, at: datetime, before: str, after: str
) -> RequestEvent:
    return _event(
        EventKind.PRIORITY_CHANGED, request_id=request_id, actor_id=actor_id, at=at,
        data={"priority": [before, after]},
    )  # fmt: skip


def external_ref_changed(
    *, request_id: int, actor_id: int | None, at: datetime, before: str, after: str
) -> RequestEvent:
    return _event(
        EventKind.EXTERNAL_REF_CHANGED, request_id=request_id, actor_id=actor_id, at=at,
        data={"external_ref": [before, after]},
    )  # fmt: skip


def transferred(
    *,
    request_id: int,
    actor_id: int | None,
    at: datetime,
    services: tuple[str, str],
    provider_teams: tuple[int, int],
    references: tuple[str, str],
) -> RequestEvent:
    """Handed to another service: each pair is (before, after), services by slug."""
    return _event(
        EventKind.TRANSFERRED, request_id=request_id, actor_id=actor_id, at=at,
        data={
            "service": list(services),
            "provider_team": list(provider_teams),
            "reference": list(references),
        },
    )  # fmt: skip


def dependency_added(
    *, request_id: int, actor_id: int | None, at: datetime, blocker_id: int
) -> RequestEvent:
    """The request now waits for ``blocker_id``."""
    return _event(
        EventKind.DEPENDENCY_ADDED, request_id=request_id, actor_id=actor_id, at=at,
        data={"blocked_by": blocker_id},
    )  # fmt: skip


def dependency_removed(
    *, request_id: int, actor_id: int | None, at: datetime, blocker_id: int
) -> RequestEvent:
    """The request no longer waits for ``blocker_id``."""
    return _event(
        EventKind.DEPENDENCY_REMOVED, request_id=request_id, actor_id=actor_id, at=at,
        data={"blocked_by": blocker_id},
    )  # fmt: skip


def watcher_added(
    *, request_id: int, actor_id: int | None, at: datetime, watcher_id: int
) -> RequestEvent:
    return _event(
        EventKind.WATCHER_ADDED, request_id=request_id, actor_id=actor_id, at=at,
        data={"watcher": watcher_id},
    )  # fmt: skip


def first_response(*, request_id: int, actor_id: int | None, at: datetime) -> RequestEvent:
    """The provider's first public reply (or resolution): the first-response clock stopped."""
    return _event(
        EventKind.FIRST_RESPONSE, request_id=request_id, actor_id=actor_id, at=at, data={}
    )


def breached(*, request_id: int, at: datetime, clock: str, due_at: datetime) -> RequestEvent:
    """A clock went past its due time; nobody did it, so there is no actor."""
    return _event(
        EventKind.BREACHED, request_id=request_id, actor_id=None, at=at,
        data={"clock": clock, "due_at": due_at.isoformat()},
    )  # fmt: skip


def legal_hold_changed(
    *, request_id: int, actor_id: int, at: datetime, before: bool, after: bool
) -> RequestEvent:
    """A lead or admin placed the request on legal hold or lifted it; requesters are not told."""
    return _event(
        EventKind.LEGAL_HOLD_CHANGED, request_id=request_id, actor_id=actor_id, at=at,
        data={"legal_hold": [before, after]}, public=False,
    )  # fmt: skip


def followed_up(
    *,
    request_id: int,
    actor_id: int,
    at: datetime,
    follow_up_id: int,
    step: str,
    still_working: str,
    reopened: bool,
) -> RequestEvent:
    """The requester answered the follow-up of cadence ``step`` ("2w"): whether it still
    works (yes, partly, no) and whether that reopened the request; the texts stay on the
    follow-up (``feedback.FollowUp``)."""
    return _event(
        EventKind.FOLLOWED_UP, request_id=request_id, actor_id=actor_id, at=at,
        data={
            "follow_up": follow_up_id, "step": step, "still_working": still_working,
            "reopened": reopened,
        },
    )  # fmt: skip


def rated(
    *,
    request_id: int,
    actor_id: int,
    at: datetime,
    before: int | None,
    after: int,
    with_comment: bool,
) -> RequestEvent:
    """The requester rated how the request was served (``before`` is ``None`` for a first
    rating). The comment stays on the rating: the history says only whether there was one.
    Internal: colleagues who see the request do not see its rating, and the requester
    sees their own on the rating itself."""
    return _event(
        EventKind.RATED, request_id=request_id, actor_id=actor_id, at=at,
        data={"score": [before, after], "with_comment": with_comment}, public=False,
    )  # fmt: skip


def clarity_rated(
    *,
    request_id: int,
    actor_id: int,
    at: datetime,
    before: int | None,
    after: int,
    missing: list[str],
) -> RequestEvent:
    """An agent rated how clear the request was, naming the agreement's obligations
    (form field keys) that were missing; internal, so the requester's side never sees it."""
    return _event(
        EventKind.CLARITY_RATED, request_id=request_id, actor_id=actor_id, at=at,
        data={"score": [before, after], "missing": missing}, public=False,
    )  # fmt: skip


# --- the reader ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    """One event as pages show it: who, when, what happened, and what changed."""

    event: RequestEvent
    who: str
    when: datetime
    summary: str
    changes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Names:
    people: dict[int, str]
    teams: dict[int, str]
    references: dict[int, str]

    def person(self, pk: object) -> str:
        if pk is None:
            return _("Nobody")
        return self.people.get(pk, _("someone")) if isinstance(pk, int) else _("someone")

    def team(self, pk: object) -> str:
        return self.teams.get(pk, _("another team")) if isinstance(pk, int) else _("another team")

    def request(self, pk: object) -> str:
        if isinstance(pk, int) and pk in self.references:
            return self.references[pk]
        return _("a request you cannot see")


def _label(choices: type, value: object) -> str:
    if value is None or value == "":
        return _("none")
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _pair(data: dict[str, Any], key: str) -> tuple[Any, Any] | None:
    value = data.get(key)
    if isinstance(value, list) and len(value) == 2:
        return value[0], value[1]
    return None


def _arrow(pair: tuple[Any, Any] | None, word: Callable[[Any], str]) -> list[str]:
    return [f"{word(pair[0])} → {word(pair[1])}"] if pair else []


def _created(data: dict[str, Any], names: _Names) -> list[str]:
    changes = [
        _("Priority %(priority)s, via %(channel)s")
        % {
            "priority": _label(Priority, data.get("priority")).lower(),
            "channel": data.get("channel", "?"),
        }
    ]
    if "on_behalf_of" in data:
        changes.append(_("Filed for %(name)s") % {"name": names.person(data["on_behalf_of"])})
    return changes


def _transferred(data: dict[str, Any], names: _Names) -> list[str]:
    changes = []
    teams = _pair(data, "provider_team")
    if teams and teams[0] != teams[1]:
        changes.append(f"{names.team(teams[0])} → {names.team(teams[1])}")
    for key, label in (("service", _("Service")), ("reference", _("Reference"))):
        pair = _pair(data, key)
        if pair:
            changes.append(f"{label} {pair[0]} → {pair[1]}")
    return changes


def _score_changes(data: dict[str, Any]) -> list[str]:
    pair = _pair(data, "score")
    if pair is None:
        return []
    before, after = pair
    changes = [f"{before} → {after} / 5" if before is not None else f"{after} / 5"]
    if data.get("missing"):
        changes.append(_("Missing: %(keys)s") % {"keys": ", ".join(map(str, data["missing"]))})
    return changes


def _quoted(value: object) -> str:
    return f"“{value or _('none')}”"


_CHANGES: dict[str, Callable[[dict[str, Any], _Names], list[str]]] = {
    EventKind.CREATED: _created,
    EventKind.STATUS_CHANGED: lambda data, names: _arrow(
        _pair(data, "status"), lambda value: _label(Status, value)
    ),
    EventKind.ASSIGNED: lambda data, names: _arrow(_pair(data, "assignee"), names.person),
    EventKind.PRIORITY_CHANGED: lambda data, names: _arrow(
        _pair(data, "priority"), lambda value: _label(Priority, value)
    ),
    EventKind.EXTERNAL_REF_CHANGED: lambda data, names: _arrow(
        _pair(data, "external_ref"), _quoted
    ),
    EventKind.TRANSFERRED: _transferred,
    EventKind.DEPENDENCY_ADDED: lambda data, names: [
        _("Blocked by %(reference)s") % {"reference": names.request(data.get("blocked_by"))}
    ],
    EventKind.DEPENDENCY_REMOVED: lambda data, names: [
        _("No longer blocked by %(reference)s")
        % {"reference": names.request(data.get("blocked_by"))}
    ],
    EventKind.WATCHER_ADDED: lambda data, names: [names.person(data.get("watcher"))],
    EventKind.BREACHED: lambda data, names: [_label(ClockKind, data.get("clock"))],
    EventKind.FOLLOWED_UP: lambda data, names: [
        _("After %(step)s: %(answer)s")
        % {
            "step": follow_up_step_text(str(data.get("step", "?"))),
            "answer": {
                "yes": _("still working"),
                "partly": _("partly working"),
                "no": _("not working any more"),
            }.get(data.get("still_working", ""), "?"),
        },
        *([_("Reopened")] if data.get("reopened") else []),
    ],
    EventKind.LEGAL_HOLD_CHANGED: lambda data, names: _arrow(
        _pair(data, "legal_hold"), lambda held: _("on hold") if held else _("not on hold")
    ),
    EventKind.RATED: lambda data, names: _score_changes(data),
    EventKind.CLARITY_RATED: lambda data, names: _score_changes(data),
}


def _summary(event: RequestEvent) -> str:
    if event.kind == EventKind.COMMENTED:
        return _("Replied publicly") if event.data.get("public") else _("Added an internal note")
    return _label(EventKind, event.kind)


# The data keys that hold the id of another request: never shown to a reader who cannot see it.
_LINKED_REQUEST_KEYS = ("blocked_by",)


def _linked_request_ids(events: Iterable[RequestEvent]) -> set[int]:
    return {
        event.data[key]
        for event in events
        for key in _LINKED_REQUEST_KEYS
        if isinstance(event.data.get(key), int)
    }


def data_for_reader(
    events: Sequence[RequestEvent], *, visible_requests: QuerySet[Request]
) -> list[dict[str, Any]]:
    """Each event's data in order, a linked request outside ``visible_requests`` as ``None``.

    A hidden request is never confirmed by its id, so the key stays (the shape is a
    contract) and only its value is withheld. One query, whatever the number of events.
    """
    linked = _linked_request_ids(events)
    visible = (
        set(visible_requests.filter(pk__in=linked).values_list("pk", flat=True))
        if linked
        else set()
    )
    readable = []
    for event in events:
        data = dict(event.data)
        for key in _LINKED_REQUEST_KEYS:
            if key in data and data[key] not in visible:
                data[key] = None
        readable.append(data)
    return readable


def _names_in(events: Sequence[RequestEvent], visible_requests: QuerySet[Request]) -> _Names:
    person_ids: set[int] = set()
    team_ids: set[int] = set()
    for event in events:
        data = event.data
        if event.kind == EventKind.ASSIGNED:
            person_ids.update(pk for pk in data.get("assignee") or () if isinstance(pk, int))
        for key in ("watcher", "on_behalf_of"):
            if isinstance(data.get(key), int):
                person_ids.add(data[key])
        if event.kind == EventKind.TRANSFERRED:
            team_ids.update(pk for pk in data.get("provider_team") or () if isinstance(pk, int))
    request_ids = _linked_request_ids(events)
    return _Names(
        people=dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "full_name"))
        if person_ids
        else {},
        teams=dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name"))
        if team_ids
        else {},
        references=dict(visible_requests.filter(pk__in=request_ids).values_list("pk", "reference"))
        if request_ids
        else {},
    )


def describe(
    events: Sequence[RequestEvent], *, visible_requests: QuerySet[Request]
) -> list[HistoryEntry]:
    """``events`` in words, in their order.

    People and teams they name are looked up in one query each; a linked request
    is named only if it is in ``visible_requests`` (the reader's visible requests),
    otherwise it stays unnamed. Select ``actor`` with the events to name who acted
    without a query per event.
    """
    names = _names_in(events, visible_requests)
    entries = []
    for event in events:
        describe_changes = _CHANGES.get(event.kind)
        entries.append(
            HistoryEntry(
                event=event,
                who=event.actor.full_name if event.actor else _("Inhouse"),
                when=event.created_at,
                summary=_summary(event),
                changes=describe_changes(event.data, names) if describe_changes else [],
            )
        )
    return entries
