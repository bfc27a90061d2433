"""The history's reader: what pages and the API show of a request's events.

``describe`` turns events into what pages show, naming the people, teams and
requests they mention with one query per kind of thing. ``data_for_reader`` is the
API's reader: the data as written, except the id of a linked request the reader may
not see. The events themselves are written by ``inhouse.desk.events``.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from inhouse.catalog.models import Priority, follow_up_step_text
from inhouse.desk.models import EventKind, Request, RequestEvent, Status
from inhouse.org.models import Person, Team
from inhouse.sla.models import ClockKind


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
