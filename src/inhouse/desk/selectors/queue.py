"""A team's queue: who works it, its filters, its pages and its counts.

Every read starts from ``team_queue``, which applies visibility, so the queue never
shows more than the API would. The queue is paged by keyset, never by offset, so
the hundredth page costs what the first does.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.core.pagination import decode_cursor, encode_cursor, invalid_cursor
from inhouse.desk.models import OPEN_STATUSES, Request, SavedView, Status
from inhouse.desk.selectors.filters import (
    FilterChoices,
    FilterQuery,
    RequestFilters,
    filter_requests,
    invalid_filters,
    read_filter_query,
)
from inhouse.desk.selectors.requests import ListedRequest, team_queue
from inhouse.org.models import Membership, Person, Team
from inhouse.sla.models import Clock, ClockKind

QUEUE_PAGE_SIZE = 50
SORT_DUE = "due"
SORT_NEWEST = "newest"
SORTS = (SORT_DUE, SORT_NEWEST)
# The queue's own parameters besides the filters every list of requests shares.
QUEUE_PARAMS = ("sort", "cursor")


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


def queue_choices(team: Team, *, agents: Sequence[Person] | None = None) -> FilterChoices:
    """What the queue's filters offer; pass ``agents`` when ``team_agents`` was already read.

    The provider team is the queue's own: naming it is allowed, naming another is not.
    """
    services = Service.objects.filter(provider_team=team).order_by("name")
    agents = team_agents(team) if agents is None else agents
    return FilterChoices(
        services=[(s.slug, s.name) for s in services.only("slug", "name")],
        customer_teams=list(
            Team.objects.filter(is_active=True).order_by("name").values_list("slug", "name")
        ),
        provider_teams=[(team.slug, team.name)],
        agents=[(str(person.pk), person.full_name) for person in agents],
    )


@dataclass(frozen=True)
class QueueQuery:
    """A queue's filters, sort and cursor as the query string spells them.

    ``open`` defaults to open requests only when no status is asked for.
    """

    filters: FilterQuery = FilterQuery()
    sort: str = SORT_DUE
    cursor: str = ""

    def filters_for(self, person: Person | policy.Viewer) -> RequestFilters:
        return self.filters.filters_for(person, open_by_default=True)

    def pairs(self, *, with_cursor: bool = False) -> list[tuple[str, str]]:
        """The query as (name, value) pairs in a fixed order, defaults left out."""
        found = self.filters.pairs()
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


def parse_queue_query(
    params: QueryDict | Mapping[str, str] | str, *, choices: FilterChoices | None = None
) -> QueueQuery:
    """Read a queue's query string strictly: unknown names and values are refused by name.

    With ``choices``, the service, teams and assignee must be ones the page offers.
    Raises ``InvalidInput`` whose ``fields`` say what is wrong with which.
    """
    if isinstance(params, str):
        params = QueryDict(params)
    elif not isinstance(params, QueryDict):
        mapping = params
        params = QueryDict(mutable=True)
        for name, value in mapping.items():
            params.appendlist(name, value)
    filters, errors = read_filter_query(
        params,
        also=QUEUE_PARAMS,
        not_a_filter=_("“%(name)s” is not a filter of this queue."),
        choices=choices,
    )
    sort = params.get("sort", "").strip() or SORT_DUE
    cursor = params.get("cursor", "").strip()
    if sort not in SORTS:
        errors["sort"] = _("Unknown sort “%(value)s”. Sort by “due” or “newest”.") % {"value": sort}
    if cursor:
        try:
            _decode_position(cursor, sort if sort in SORTS else SORT_DUE)
        except InvalidInput as exc:
            errors.update(exc.fields)
    if errors:
        raise invalid_filters(errors)
    return QueueQuery(filters=filters, sort=sort, cursor=cursor)


# --- keyset pagination ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Position:
    """Where the previous page ended: its last row's due time (None: undated part) and id."""

    due: datetime | None
    id: int


def _position_cursor(sort: str, request: ListedRequest) -> str:
    if sort == SORT_NEWEST:
        return encode_cursor("new", request.id)
    if request.resolution_due_at is None:
        return encode_cursor("undated", request.id)
    return encode_cursor("due", request.resolution_due_at.isoformat(), request.id)


def _decode_position(cursor: str, sort: str) -> _Position:
    kind, key = decode_cursor(cursor)
    if not key[-1].isdigit():
        raise invalid_cursor()
    if len(key) == 1 and (sort, kind) in ((SORT_NEWEST, "new"), (SORT_DUE, "undated")):
        return _Position(due=None, id=int(key[0]))
    if len(key) == 2 and (sort, kind) == (SORT_DUE, "due"):
        try:
            due = parse_datetime(key[0])
        except ValueError:
            due = None
        if due is not None and due.tzinfo is not None:
            return _Position(due=due, id=int(key[1]))
    raise invalid_cursor()


@dataclass(frozen=True)
class QueueRow:
    request: ListedRequest
    # "breached", "at_risk", "paused", "running" or "" (no running resolution target).
    due_state: str


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None


def _column(table: str, column: str) -> str:
    return f"{connection.ops.quote_name(table)}.{connection.ops.quote_name(column)}"


# The page's rows are read with two kinds of column the ORM would compile on every call
# at a cost of milliseconds (a CASE over four EXISTS took 3 ms of Python, ten names as
# subqueries 4 ms more, where the statement runs in 1): both are written here as SQL,
# the same on SQLite and PostgreSQL, with every value a parameter. They refer to the
# request by its table's name: they are only used in the page's outermost SELECT, where
# the ORM reads ``desk_request`` unaliased.
_REQUEST = Request._meta.db_table


def _due_state(now: datetime) -> RawSQL:
    """How a request stands against its targets, worked out by the database from its clocks.

    Breached: flagged by the sweep, or a running clock (neither paused nor stopped) past
    its due time. At risk: a running clock past its warning time. Otherwise how its
    resolution clock stands: "paused", "running", or "" (none, or stopped). Asked in the
    page's own query (an index look-up of each row's clocks by ``clock_unique_kind``), so
    the clocks are not a second round trip and a hundred clock rows are not converted.
    """
    clock = Clock._meta.db_table
    kind, due_at, warn_at = (_column(clock, name) for name in ("kind", "due_at", "warn_at"))
    paused_at, stopped_at = _column(clock, "paused_at"), _column(clock, "stopped_at")
    of_the_row = f"{_column(clock, 'request_id')} = {_column(_REQUEST, 'id')}"
    # Only quoted table and column names go into the text; the values are parameters.
    clocks = f"SELECT 1 FROM {connection.ops.quote_name(clock)} WHERE {of_the_row}"  # noqa: S608
    running = f"{stopped_at} IS NULL AND {paused_at} IS NULL"
    resolution = f"{kind} = %s AND {stopped_at} IS NULL"
    at = connection.ops.adapt_datetimefield_value(now)
    return RawSQL(  # noqa: S611
        f"CASE WHEN {_column(_REQUEST, 'sla_breached')}"
        f" OR EXISTS ({clocks} AND {running} AND {due_at} < %s) THEN 'breached'"
        f" WHEN EXISTS ({clocks} AND {running} AND {warn_at} <= %s) THEN 'at_risk'"
        f" WHEN EXISTS ({clocks} AND {resolution} AND {paused_at} IS NOT NULL) THEN 'paused'"
        f" WHEN EXISTS ({clocks} AND {resolution}) THEN 'running' ELSE '' END",
        (at, at, ClockKind.RESOLUTION.value, ClockKind.RESOLUTION.value),
        output_field=CharField(),
    )


def _name_of(model: type[Model], column: str, key: str) -> RawSQL:
    """One name a row shows, looked up by primary key in the row's own SELECT."""
    table = model._meta.db_table
    primary_key = _column(table, model._meta.pk.column)
    return RawSQL(  # noqa: S611
        # Quoted table and column names only.
        f"SELECT {_column(table, column)} FROM {connection.ops.quote_name(table)}"  # noqa: S608
        f" WHERE {primary_key} = {_column(_REQUEST, key)}",
        (),
        output_field=CharField(),
    )


# The names a queue row shows, each a look-up by primary key rather than a join:
# PostgreSQL plans a join of five tables to the page's semi-join in 3 to 5 ms on every
# call (it runs in 2), the look-ups in 1 to 2 ms; SQLite reads them alike either way.
# Named as ``ListedRequest`` names them.
_SHOWN_NAMES = {
    "service_slug": (Service, "slug", "service_id"),
    "service_name": (Service, "name", "service_id"),
    "provider_team_slug": (Team, "slug", "provider_team_id"),
    "provider_team_name": (Team, "name", "provider_team_id"),
    "customer_team_slug": (Team, "slug", "customer_team_id"),
    "customer_team_name": (Team, "name", "customer_team_id"),
    "requester_full_name": (Person, "full_name", "requester_id"),
    "requester_email": (Person, "email", "requester_id"),
    "assignee_full_name": (Person, "full_name", "assignee_id"),
    "assignee_email": (Person, "email", "assignee_id"),
}
_ROW_COLUMNS = tuple(field.name for field in fields(ListedRequest))


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
    position = _decode_position(cursor, sort) if cursor else None
    requests = filter_requests(team_queue(viewer, team), replace(filters, provider_team=None))

    # One index range per status, each cut to a page, and the page taken from their
    # union: no database sorts every open request of the team to show the first 50.
    statuses = _statuses_shown(filters)
    now = timezone.now()
    rows: list[QueueRow]
    if sort == SORT_NEWEST:
        if position is not None:
            requests = requests.filter(pk__lt=position.id)
        rows = _page_over_statuses(requests, statuses, ("-pk",), limit + 1, now)
    else:
        rows = []
        if position is None or position.due is not None:
            dated = requests.filter(resolution_due_at__isnull=False)
            if position is not None:
                dated = dated.filter(
                    Q(resolution_due_at__gt=position.due)
                    | Q(resolution_due_at=position.due, pk__gt=position.id)
                )
            rows = _page_over_statuses(dated, statuses, ("resolution_due_at", "pk"), limit + 1, now)
        if len(rows) <= limit:
            undated = requests.filter(resolution_due_at__isnull=True)
            if position is not None and position.due is None:
                undated = undated.filter(pk__gt=position.id)
            rows += _page_over_statuses(undated, statuses, ("pk",), limit + 1 - len(rows), now)

    has_more = len(rows) > limit
    items = rows[:limit]
    return QueuePage(
        rows=items,
        next_cursor=_position_cursor(sort, items[-1].request) if has_more and items else None,
    )


def _statuses_shown(filters: RequestFilters) -> list[str]:
    """The statuses a queue filter can show, in the order of ``Status``."""
    shown = [str(status) for status in Status.values]
    if filters.status:
        shown = [status for status in shown if status in filters.status]
    if filters.open is not None:
        shown = [status for status in shown if (status in OPEN_STATUSES) == filters.open]
    return shown


def _page_over_statuses(
    requests: QuerySet[Request],
    statuses: Sequence[str],
    order: tuple[str, ...],
    size: int,
    now: datetime,
) -> list[QueueRow]:
    """The first ``size`` of ``requests`` in ``order``, read as one ordered index range
    (team, status, due time) per status and merged, in one query, each with how it stands
    against its targets at ``now``."""
    if not statuses or size <= 0:
        return []
    first_of_each = Q(pk__in=[])
    for status in statuses:
        first_of_each |= Q(
            pk__in=requests.filter(status=status).order_by(*order).values("pk")[:size]
        )
    # The page's ids come from the team's range checked against the branches, reading
    # ids alone (no join: SQLite would otherwise walk the team's whole history); the
    # rows shown are then looked up by those few ids. Asked of the whole table instead,
    # PostgreSQL scans every request to test the branches.
    page_ids = requests.filter(first_of_each).order_by(*order).values("pk")[:size]
    shown = (
        Request.objects.filter(pk__in=page_ids)
        .order_by(*order)
        .annotate(
            **{name: _name_of(*look_up) for name, look_up in _SHOWN_NAMES.items()},
            due_state=_due_state(now),
        )
        .values_list(*_ROW_COLUMNS, "due_state")
    )
    return [QueueRow(request=ListedRequest(*row[:-1]), due_state=row[-1]) for row in shown]


# --- counts ---------------------------------------------------------------------------------


# Counting stops here: a team's whole history can be millions of rows, and how many
# more than this is no help to anyone reading a tab.
COUNT_CAP = 10_000


class Tally(int):
    """A count that may have stopped at ``COUNT_CAP``; it reads "10,000+" then."""

    at_least: bool

    def __new__(cls, value: int, *, at_least: bool = False) -> "Tally":
        tally = super().__new__(cls, min(value, COUNT_CAP) if at_least else value)
        tally.at_least = at_least
        return tally

    def __str__(self) -> str:
        return f"{int(self):,}+" if self.at_least else str(int(self))


def _sum(tallies: Sequence[Tally]) -> Tally:
    return Tally(sum(tallies), at_least=any(tally.at_least for tally in tallies))


@dataclass(frozen=True)
class QueueCounts:
    by_status: dict[str, Tally]
    # Saved view id -> how many requests it shows now; None when its query no longer parses.
    by_view: dict[int, Tally | None]

    @property
    def open(self) -> Tally:
        return _sum([self.by_status.get(status, Tally(0)) for status in OPEN_STATUSES])

    @property
    def total(self) -> Tally:
        return _sum(list(self.by_status.values()))


def queue_counts(
    person: Person | policy.Viewer, team: Team, saved_views: Sequence[SavedView] = ()
) -> QueueCounts:
    """Requests per status and per saved view, in one statement.

    Each count reads at most ``COUNT_CAP`` + 1 entries of an index range (team and
    status, or the view's filters), so the page costs the same with a year of history
    as with a week's.
    """
    viewer = policy.as_viewer(person)
    if not policy.works_queue(viewer, team):
        raise NotFound("No such queue.")
    # Whoever works the queue sees all of it (``team_queue``).
    held = Request.objects.filter(provider_team=team)
    counted: dict[str, QuerySet[Request]] = {
        f"status:{status}": held.filter(status=status) for status in Status.values
    }
    broken: list[int] = []
    for view in saved_views:
        try:
            filters = parse_queue_query(view.query).filters_for(viewer)
        except InvalidInput:
            broken.append(view.pk)
            continue
        counted[f"view:{view.pk}"] = filter_requests(held, replace(filters, provider_team=None))
    totals = _capped_counts(counted)
    return QueueCounts(
        by_status={status: totals[f"status:{status}"] for status in Status.values},
        by_view={
            view.pk: None if view.pk in broken else totals[f"view:{view.pk}"]
            for view in saved_views
        },
    )


def _capped_counts(counted: dict[str, QuerySet[Request]]) -> dict[str, Tally]:
    """How many rows each query finds, up to the cap, all in one round trip."""
    parts: list[str] = []
    params: list[Any] = []
    for index, rows in enumerate(counted.values()):
        sql, row_params = rows.values("pk")[: COUNT_CAP + 1].query.sql_with_params()
        # The ORM compiled the SQL; every value stays a parameter.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{index})")  # noqa: S608
        params.extend(row_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        found = cursor.fetchone()
    return {
        name: Tally(count, at_least=count > COUNT_CAP)
        for name, count in zip(counted, found, strict=True)
    }
