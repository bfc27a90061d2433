"""The request's history in words, as the agent's page and its stale-change notice show it."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

from inhouse import policy
from inhouse.catalog.models import Priority
from inhouse.desk.models import EventKind, Request, RequestEvent, Status
from inhouse.desk.selectors.requests import history_visible_to, requests_visible_to
from inhouse.org.models import Person, Team
from inhouse.sla.models import ClockKind


@dataclass(frozen=True)
class HistoryEntry:
    event: RequestEvent
    summary: str
    changes: list[str] = field(default_factory=list)


def _label(choices: type, value: object) -> str:
    if value is None or value == "":
        return _("none")
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def history_entries(
    person: Person | policy.Viewer,
    request: Request,
    *,
    since: datetime | None = None,
) -> list[HistoryEntry]:
    """The request's history as the viewer may see it, each change spelled out in words.

    People, teams and linked requests named by id in the events are looked up in one
    query each; a linked request the viewer may not see stays unnamed.
    """
    events = history_visible_to(person, request)
    if since is not None:
        events = events.filter(created_at__gt=since)
    events = list(events)
    person_ids: set[int] = set()
    team_ids: set[int] = set()
    request_ids: set[int] = set()
    for event in events:
        data = event.data
        if isinstance(data.get("assignee"), list):
            person_ids.update(pk for pk in data["assignee"] if isinstance(pk, int))
        for key in ("watcher", "on_behalf_of"):
            if isinstance(data.get(key), int):
                person_ids.add(data[key])
        if isinstance(data.get("provider_team"), list):
            team_ids.update(pk for pk in data["provider_team"] if isinstance(pk, int))
        if isinstance(data.get("blocked_by"), int):
            request_ids.add(data["blocked_by"])
    names = (
        dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "full_name"))
        if person_ids
        else {}
    )
    teams = dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "name")) if team_ids else {}
    references = (
        dict(requests_visible_to(person).filter(pk__in=request_ids).values_list("pk", "reference"))
        if request_ids
        else {}
    )

    def person_name(pk: object) -> str:
        return names.get(pk, _("someone")) if pk is not None else _("Nobody")

    entries = []
    for event in events:
        data = event.data
        changes: list[str] = []
        summary = _label(EventKind, event.kind)
        if event.kind == EventKind.CREATED:
            changes.append(
                _("Priority %(priority)s, via %(channel)s")
                % {
                    "priority": _label(Priority, data.get("priority")).lower(),
                    "channel": data.get("channel", "?"),
                }
            )
            if "on_behalf_of" in data:
                changes.append(
                    _("Filed for %(name)s") % {"name": person_name(data["on_behalf_of"])}
                )
        if isinstance(data.get("status"), list) and len(data["status"]) == 2:
            old, new = data["status"]
            changes.append(f"{_label(Status, old)} → {_label(Status, new)}")
        if isinstance(data.get("assignee"), list) and len(data["assignee"]) == 2:
            old, new = data["assignee"]
            changes.append(f"{person_name(old)} → {person_name(new)}")
        if isinstance(data.get("priority"), list) and len(data["priority"]) == 2:
            old, new = data["priority"]
            changes.append(f"{_label(Priority, old)} → {_label(Priority, new)}")
        if isinstance(data.get("external_ref"), list) and len(data["external_ref"]) == 2:
            old, new = data["external_ref"]
            changes.append(f"“{old or _('none')}” → “{new or _('none')}”")
        if event.kind == EventKind.TRANSFERRED:
            if isinstance(data.get("provider_team"), list):
                old, new = data["provider_team"]
                if old != new:
                    changes.append(
                        f"{teams.get(old, _('another team'))} → {teams.get(new, _('another team'))}"
                    )
            for key, label in (("service", _("Service")), ("reference", _("Reference"))):
                if isinstance(data.get(key), list) and len(data[key]) == 2:
                    changes.append(f"{label} {data[key][0]} → {data[key][1]}")
        if "blocked_by" in data:
            changes.append(
                _("Blocked by %(reference)s")
                % {"reference": references.get(data["blocked_by"], _("a request you cannot see"))}
            )
        if event.kind == EventKind.COMMENTED:
            summary = _("Replied publicly") if data.get("public") else _("Added an internal note")
        if "watcher" in data:
            changes.append(person_name(data["watcher"]))
        if event.kind == EventKind.BREACHED:
            changes.append(_label(ClockKind, data.get("clock")))
        entries.append(HistoryEntry(event=event, summary=str(summary), changes=changes))
    return entries
