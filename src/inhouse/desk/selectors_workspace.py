"""Reads behind the agent workspace: a team's queue, its counts, and what the request page shows.

Every read starts from ``requests_visible_to`` or the per-request selectors, so the
workspace never shows more than the API would. The queue is paged by keyset, never
by offset, so the hundredth page costs what the first does.
"""

import base64
import binascii
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inhouse import policy
from inhouse.catalog.models import Priority, Service
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.desk.models import (
    OPEN_STATUSES,
    CannedReply,
    Comment,
    Dependency,
    EventKind,
    Request,
    RequestEvent,
    SavedView,
    Status,
)
from inhouse.desk.selectors import (
    RequestFilters,
    clocks_of,
    filter_requests,
    history_visible_to,
    requests_visible_to,
    team_queue,
)
from inhouse.org.models import Membership, Person, Team
from inhouse.sla.models import Clock, ClockKind
from inhouse.sla.selectors import ClockState, clock_state

QUEUE_PAGE_SIZE = 50
SORT_DUE = "due"
SORT_NEWEST = "newest"
SORTS = (SORT_DUE, SORT_NEWEST)
# ``assignee`` values besides a person's id.
ASSIGNEE_NONE = "none"
ASSIGNEE_ME = "me"
# ``open`` values: the query string spells out "either" so it can differ from the default.
OPEN_CHOICES = {"true": True, "false": False, "any": None}
QUEUE_PARAMS = (
    "status",
    "priority",
    "assignee",
    "service",
    "customer_team",
    "requester",
    "breached",
    "at_risk",
    "open",
    "text",
    "sort",
    "cursor",
)
MAX_TEXT = 200
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")
_BOOLEANS = {"true": True, "1": True, "on": True, "false": False, "0": False}


# --- who works which queue -------------------------------------------------------------------


def queue_teams_for(person: Person | policy.Viewer) -> list[Team]:
    """The teams whose queue the person works, the one they joined first first.

    An admin who works no queue gets every team that provides a service, by name.
    """
    viewer = policy.as_viewer(person)
    if viewer.queue_team_ids:
        return [
            membership.team
            for membership in Membership.objects.filter(
                person_id=viewer.person_id,
                role__in=policy.QUEUE_ROLES,
                team__is_active=True,
            )
            .select_related("team")
            .order_by("id")
        ]
    if viewer.is_admin:
        return list(
            Team.objects.filter(is_active=True, services__isnull=False).distinct().order_by("name")
        )
    return []


def get_queue_team(person: Person | policy.Viewer, slug: str) -> Team:
    """The team named by ``slug`` if the person works its queue; otherwise not found."""
    viewer = policy.as_viewer(person)
    team = Team.objects.filter(slug=slug, is_active=True).first()
    if team is None or not policy.works_queue(viewer, team):
        raise NotFound("No such queue.")
    return team


def team_agents(team: Team) -> list[Person]:
    """The people a request of the team can be assigned to: its active agents and leads."""
    return list(
        Person.objects.filter(
            is_active=True,
            memberships__team=team,
            memberships__role__in=policy.QUEUE_ROLES,
        )
        .order_by("full_name")
        .distinct()
    )


# --- the queue's query ----------------------------------------------------------------------


@dataclass(frozen=True)
class QueueChoices:
    """The values the filter controls offer; anything else is refused by name."""

    services: Sequence[tuple[str, str]]
    customer_teams: Sequence[tuple[str, str]]
    agents: Sequence[tuple[str, str]]


def queue_choices(team: Team, *, agents: Sequence[Person] | None = None) -> QueueChoices:
    """What the queue's filters offer; pass ``agents`` when ``team_agents`` was already read."""
    services = Service.objects.filter(provider_team=team).order_by("name")
    agents = team_agents(team) if agents is None else agents
    return QueueChoices(
        services=[(s.slug, s.name) for s in services.only("slug", "name")],
        customer_teams=list(
            Team.objects.filter(is_active=True).order_by("name").values_list("slug", "name")
        ),
        agents=[(str(person.pk), person.full_name) for person in agents],
    )


@dataclass(frozen=True)
class QueueQuery:
    """A queue's filters and sort as the query string spells them (before "me" is resolved).

    The filter names are exactly ``RequestFilters``' fields (the team is the queue's own);
    ``open`` defaults to open requests only when no status is asked for.
    """

    status: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    assignee: str = ""
    service: str = ""
    customer_team: str = ""
    requester: str = ""
    breached: bool | None = None
    at_risk: bool = False
    open: str = ""
    text: str = ""
    sort: str = SORT_DUE
    cursor: str = ""

    @property
    def open_value(self) -> bool | None:
        if self.open:
            return OPEN_CHOICES[self.open]
        return None if self.status else True

    def filters_for(self, person: Person | policy.Viewer) -> RequestFilters:
        assignee = self.assignee or None
        if assignee == ASSIGNEE_ME:
            assignee = str(policy.as_viewer(person).person_id)
        return RequestFilters(
            status=list(self.status) or None,
            priority=list(self.priority) or None,
            assignee=assignee,
            service=self.service or None,
            customer_team=self.customer_team or None,
            requester=self.requester or None,
            breached=self.breached,
            at_risk=self.at_risk or None,
            open=self.open_value,
            text=self.text or None,
        )

    def pairs(self, *, with_cursor: bool = False) -> list[tuple[str, str]]:
        """The query as (name, value) pairs in a fixed order, defaults left out."""
        found: list[tuple[str, str]] = [("status", s) for s in self.status]
        found += [("priority", p) for p in self.priority]
        for name in ("assignee", "service", "customer_team", "requester"):
            if getattr(self, name):
                found.append((name, getattr(self, name)))
        if self.breached is not None:
            found.append(("breached", "true" if self.breached else "false"))
        if self.at_risk:
            found.append(("at_risk", "true"))
        if self.open:
            found.append(("open", self.open))
        if self.text:
            found.append(("text", self.text))
        if self.sort != SORT_DUE:
            found.append(("sort", self.sort))
        if with_cursor and self.cursor:
            found.append(("cursor", self.cursor))
        return found

    def querystring(self, *, with_cursor: bool = False) -> str:
        params = QueryDict(mutable=True)
        for name, value in self.pairs(with_cursor=with_cursor):
            params.appendlist(name, value)
        return params.urlencode()

    def with_cursor(self, cursor: str | None) -> "QueueQuery":
        return replace(self, cursor=cursor or "")


def _one(params: QueryDict, name: str, errors: dict[str, str]) -> str:
    values = [value.strip() for value in params.getlist(name) if value.strip()]
    if len(values) > 1:
        errors[name] = _("Give at most one value.")
        return ""
    return values[0] if values else ""


def _boolean(params: QueryDict, name: str, errors: dict[str, str]) -> bool | None:
    value = _one(params, name, errors).lower()
    if not value:
        return None
    if value not in _BOOLEANS:
        errors[name] = _("Use true or false.")
        return None
    return _BOOLEANS[value]


def parse_queue_query(
    params: QueryDict | Mapping[str, str] | str, *, choices: QueueChoices | None = None
) -> QueueQuery:
    """Read a queue's query string strictly: unknown names and values are refused by name.

    With ``choices``, the service, customer team and assignee must be ones the page
    offers. Raises ``InvalidInput`` whose ``fields`` say what is wrong with which.
    """
    if isinstance(params, str):
        params = QueryDict(params)
    elif not isinstance(params, QueryDict):
        mapping = params
        params = QueryDict(mutable=True)
        for name, value in mapping.items():
            params.appendlist(name, value)
    errors: dict[str, str] = {}
    for name in sorted(set(params) - set(QUEUE_PARAMS)):
        errors[name] = _("“%(name)s” is not a filter of this queue.") % {"name": name}

    def many(name: str, allowed: Iterable[str]) -> tuple[str, ...]:
        values = [value.strip() for value in params.getlist(name) if value.strip()]
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            errors[name] = _("Unknown %(name)s: %(values)s. Choose from: %(allowed)s.") % {
                "name": name,
                "values": ", ".join(unknown),
                "allowed": ", ".join(allowed),
            }
        return tuple(dict.fromkeys(v for v in values if v not in unknown))

    status = many("status", Status.values)
    priority = many("priority", Priority.values)
    assignee = _one(params, "assignee", errors)
    service = _one(params, "service", errors)
    customer_team = _one(params, "customer_team", errors)
    requester = _one(params, "requester", errors)[:254]
    breached = _boolean(params, "breached", errors)
    at_risk = _boolean(params, "at_risk", errors)
    open_ = _one(params, "open", errors).lower()
    text = " ".join(_one(params, "text", errors).split())
    sort = _one(params, "sort", errors) or SORT_DUE
    cursor = _one(params, "cursor", errors)

    if assignee and assignee not in (ASSIGNEE_NONE, ASSIGNEE_ME):
        known_agents = {pk for pk, _name in choices.agents} if choices else None
        if not assignee.isdigit() or (known_agents is not None and assignee not in known_agents):
            errors["assignee"] = _("Choose “unassigned”, “me” or one of the team's agents.")
    for name, value, offered in (
        ("service", service, choices.services if choices else None),
        ("customer_team", customer_team, choices.customer_teams if choices else None),
    ):
        if value and (
            not _SLUG.match(value)
            or (offered is not None and value not in {slug for slug, _n in offered})
        ):
            errors[name] = _("Unknown %(name)s “%(value)s”.") % {"name": name, "value": value}
    if open_ and open_ not in OPEN_CHOICES:
        errors["open"] = _("Use true, false or any.")
    if len(text) > MAX_TEXT:
        errors["text"] = _("Search for at most %(count)d characters.") % {"count": MAX_TEXT}
    if sort not in SORTS:
        errors["sort"] = _("Unknown sort “%(value)s”. Sort by “due” or “newest”.") % {"value": sort}
    if cursor:
        try:
            _decode_cursor(cursor, sort if sort in SORTS else SORT_DUE)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if errors:
        raise InvalidInput(_("Some filters are not valid."), fields=errors)
    return QueueQuery(
        status=status,
        priority=priority,
        assignee=assignee,
        service=service,
        customer_team=customer_team,
        requester=requester,
        breached=breached,
        at_risk=bool(at_risk),
        open=open_,
        text=text,
        sort=sort,
        cursor=cursor,
    )


# --- keyset pagination ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Position:
    """Where the previous page ended: its last row's due time (None: undated part) and id."""

    due: datetime | None
    id: int


def _encode_cursor(sort: str, request: Request) -> str:
    if sort == SORT_NEWEST:
        text = f"new:{request.pk}"
    elif request.resolution_due_at is None:
        text = f"undated:{request.pk}"
    else:
        text = f"due:{request.resolution_due_at.isoformat()}|{request.pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> _Position:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _sep, rest = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if sort == SORT_NEWEST and kind == "new":
            return _Position(due=None, id=int(rest))
        if sort == SORT_DUE and kind == "undated":
            return _Position(due=None, id=int(rest))
        if sort == SORT_DUE and kind == "due":
            moment, _sep, pk = rest.rpartition("|")
            due = parse_datetime(moment)
            if due is None or due.tzinfo is None:
                raise ValueError(moment)
            return _Position(due=due, id=int(pk))
        raise ValueError(kind)
    except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
        raise InvalidInput(
            _("Invalid page cursor."),
            fields={"cursor": _("This page link is broken; start again from the first page.")},
        ) from exc


@dataclass(frozen=True)
class QueueRow:
    request: Request
    # "breached", "at_risk", "paused", "running" or "" (no running resolution target).
    due_state: str


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None


def _due_state(request: Request, now: datetime) -> str:
    """How the request stands against its targets, from its prefetched clocks."""
    clocks: list[Clock] = list(request.clocks.all())
    if request.sla_breached or any(
        c.stopped_at is None and c.paused_at is None and c.due_at is not None and c.due_at < now
        for c in clocks
    ):
        return "breached"
    if any(
        c.stopped_at is None and c.paused_at is None and c.warn_at is not None and c.warn_at <= now
        for c in clocks
    ):
        return "at_risk"
    resolution = next((c for c in clocks if c.kind == ClockKind.RESOLUTION), None)
    if resolution is not None and resolution.stopped_at is None:
        return "paused" if resolution.paused_at is not None else "running"
    return ""


def queue_for(
    person: Person | policy.Viewer,
    team: Team,
    filters: RequestFilters,
    sort: str,
    cursor: str | None,
    *,
    limit: int | None = None,
) -> QueuePage:
    """One page of the team's queue, as the person may see it.

    ``sort="due"``: by resolution due time, soonest first, requests without a running
    due time last (then by id); keyed on (resolution_due_at, id), read as two index-
    friendly ranges (dated, then undated) so no database has to sort nulls.
    ``sort="newest"``: newest first, keyed on id.
    """
    viewer = policy.as_viewer(person)
    if not policy.works_queue(viewer, team):
        raise NotFound("No such queue.")
    limit = limit or QUEUE_PAGE_SIZE
    if sort not in SORTS:
        raise InvalidInput(_("Unknown sort."), fields={"sort": _("Sort by “due” or “newest”.")})
    position = _decode_cursor(cursor, sort) if cursor else None
    requests = filter_requests(
        team_queue(viewer, team),
        replace(filters, provider_team=None),
    ).select_related("service", "requester", "customer_team", "assignee")

    rows: list[Request]
    if sort == SORT_NEWEST:
        if position is not None:
            requests = requests.filter(pk__lt=position.id)
        rows = list(requests.order_by("-pk")[: limit + 1])
    else:
        rows = []
        if position is None or position.due is not None:
            dated = requests.filter(resolution_due_at__isnull=False)
            if position is not None:
                dated = dated.filter(
                    Q(resolution_due_at__gt=position.due)
                    | Q(resolution_due_at=position.due, pk__gt=position.id)
                )
            rows = list(dated.order_by("resolution_due_at", "pk")[: limit + 1])
        if len(rows) <= limit:
            undated = requests.filter(resolution_due_at__isnull=True)
            if position is not None and position.due is None:
                undated = undated.filter(pk__gt=position.id)
            rows += list(undated.order_by("pk")[: limit + 1 - len(rows)])

    has_more = len(rows) > limit
    items = rows[:limit]
    prefetch_related_objects(items, Prefetch("clocks", queryset=Clock.objects.order_by("kind")))
    now = timezone.now()
    return QueuePage(
        rows=[QueueRow(request=item, due_state=_due_state(item, now)) for item in items],
        next_cursor=_encode_cursor(sort, items[-1]) if has_more and items else None,
    )


# --- counts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueCounts:
    by_status: dict[str, int]
    # Saved view id -> how many requests it shows now; None when its query no longer parses.
    by_view: dict[int, int | None]

    @property
    def open(self) -> int:
        return sum(self.by_status.get(status, 0) for status in OPEN_STATUSES)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def queue_counts(
    person: Person | policy.Viewer, team: Team, saved_views: Sequence[SavedView] = ()
) -> QueueCounts:
    """Requests per status and per saved view, in one grouped query."""
    viewer = policy.as_viewer(person)
    if not policy.works_queue(viewer, team):
        raise NotFound("No such queue.")
    requests = team_queue(viewer, team)
    aggregates = {
        f"status_{index}": Count("pk", filter=Q(status=status))
        for index, status in enumerate(Status.values)
    }
    broken: list[int] = []
    for view in saved_views:
        try:
            filters = parse_queue_query(view.query).filters_for(viewer)
        except InvalidInput:
            broken.append(view.pk)
            continue
        # The outer query already keeps to what the viewer may see; the view only narrows it.
        matching = filter_requests(Request.objects.filter(provider_team=team), filters)
        aggregates[f"view_{view.pk}"] = Count("pk", filter=Q(pk__in=matching.values("pk")))
    totals = requests.aggregate(**aggregates)
    return QueueCounts(
        by_status={status: totals[f"status_{index}"] for index, status in enumerate(Status.values)},
        by_view={
            view.pk: None if view.pk in broken else totals[f"view_{view.pk}"]
            for view in saved_views
        },
    )


def saved_views_of(person: Person | policy.Viewer, team: Team) -> list[SavedView]:
    """The person's own saved views for the team, in their order; nobody sees another's."""
    viewer = policy.as_viewer(person)
    return list(SavedView.objects.filter(owner_id=viewer.person_id, team=team))


def get_saved_view_for(person: Person | policy.Viewer, team: Team, view_id: int) -> SavedView:
    """One of the person's own saved views; anyone else's is not found."""
    viewer = policy.as_viewer(person)
    view = SavedView.objects.filter(pk=view_id, owner_id=viewer.person_id, team=team).first()
    if view is None:
        raise NotFound("No such saved view.")
    return view


def canned_replies_for(person: Person | policy.Viewer, team: Team) -> list[CannedReply]:
    viewer = policy.as_viewer(person)
    if not policy.works_queue(viewer, team):
        raise NotFound("No such queue.")
    return list(CannedReply.objects.filter(team=team).order_by("title"))


def get_canned_reply_for(person: Person | policy.Viewer, team: Team, reply_id: int) -> CannedReply:
    """A canned reply of a team whose queue the person works; otherwise not found."""
    viewer = policy.as_viewer(person)
    reply = CannedReply.objects.filter(team=team, pk=reply_id).first()
    if reply is None or not policy.works_queue(viewer, team):
        raise NotFound("No such canned reply.")
    return reply


# --- the agent's request page -----------------------------------------------------------------


def recent_requests_of(
    person: Person | policy.Viewer, requester: Person, *, besides: Request, limit: int = 5
) -> list[Request]:
    """The requester's latest other requests that the viewer may see."""
    return list(
        requests_visible_to(person)
        .filter(requester=requester)
        .exclude(pk=besides.pk)
        .select_related("service", "provider_team")
        .order_by("-pk")[:limit]
    )


def hidden_blocker_count(person: Person | policy.Viewer, request: Request) -> int:
    """How many of the request's blockers the viewer cannot see (and so cannot keep)."""
    visible = requests_visible_to(person).values("pk")
    return Dependency.objects.filter(blocked=request).exclude(blocker__in=visible).count()


def transfer_services(person: Person | policy.Viewer, request: Request) -> list[Service]:
    """Active services the request can be handed to: every other one the viewer can see."""
    viewer = policy.as_viewer(person)
    visible = Service.objects.filter(policy.visible_services_q(viewer)).values("pk")
    return list(
        Service.objects.filter(is_active=True, provider_team__is_active=True, pk__in=visible)
        .exclude(pk=request.service_id)
        .select_related("provider_team")
        .order_by("provider_team__name", "name")
    )


@dataclass(frozen=True)
class ClockView:
    """A clock in words: the state never depends on colour alone."""

    kind: str
    label: str
    # "running", "at_risk", "paused", "breached", "met" or "missed".
    state: str
    state_label: str
    remaining: timedelta
    due_at: datetime | None
    breached_at: datetime | None
    stopped_at: datetime | None
    raw: ClockState


_CLOCK_STATES = {
    "running": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "paused": gettext_lazy("Paused"),
    "breached": gettext_lazy("Breached"),
    "met": gettext_lazy("Met"),
    "missed": gettext_lazy("Missed"),
}


def clock_views(request: Request, *, now: datetime | None = None) -> list[ClockView]:
    now = now or timezone.now()
    views = []
    for clock in clocks_of(request):
        state = clock_state(clock, now=now)
        if state.stopped_at is not None:
            word = "missed" if state.breached else "met"
        elif state.breached:
            word = "breached"
        elif state.paused:
            word = "paused"
        elif state.at_risk:
            word = "at_risk"
        else:
            word = "running"
        views.append(
            ClockView(
                kind=state.kind,
                label=ClockKind(state.kind).label,
                state=word,
                state_label=str(_CLOCK_STATES[word]),
                remaining=state.remaining,
                due_at=state.due_at,
                breached_at=state.breached_at,
                stopped_at=state.stopped_at,
                raw=state,
            )
        )
    return views


# --- history in words ---------------------------------------------------------------------------


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


def parse_loaded_at(value: str) -> datetime | None:
    """The moment a page was rendered, as its hidden ``loaded_at`` field carried it."""
    moment = parse_datetime(value.strip()) if value else None
    if moment is None or moment.tzinfo is None:
        return None
    return moment


def conversation_of(comments: QuerySet[Comment], *, latest: int) -> tuple[list[Comment], int]:
    """The latest ``latest`` comments in order, and how many there are in all."""
    total = comments.count()
    if total <= latest:
        return list(comments), total
    newest = list(comments.order_by("-created_at", "-id")[:latest])
    newest.reverse()
    return newest, total


def membership_teams(person: Person) -> list[Team]:
    """The requester's teams, for the "who is asking" panel."""
    return [
        membership.team
        for membership in Membership.objects.filter(person=person, team__is_active=True)
        .select_related("team")
        .order_by("id")
    ]
