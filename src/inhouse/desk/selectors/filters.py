"""The one definition of the request filters, shared by every door that lists requests.

``GET /api/v1/requests`` and the queue page read their query strings with
``read_filter_query``, so a filter has the same name, the same accepted values
and the same complaint about a wrong one wherever it is typed; ``filter_requests``
then applies it. The text search is ``q`` (as the API documents it) or ``text``
(as the queue's links and saved views spell it); both doors take either.
"""

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from inhouse import policy
from inhouse.catalog.models import Priority
from inhouse.core.errors import InvalidInput
from inhouse.core.ids import database_id, looks_like_id
from inhouse.desk.models import OPEN_STATUSES, Request, Status
from inhouse.org.models import Person
from inhouse.sla.models import Clock

SEARCH_PARAMS = ("q", "text")
FILTER_PARAMS = (
    "status",
    "priority",
    "assignee",
    "service",
    "customer_team",
    "provider_team",
    "requester",
    "breached",
    "at_risk",
    "open",
    *SEARCH_PARAMS,
)
MAX_TEXT = 200
MAX_HANDLE = 254
# ``assignee`` values besides a person's id, username or email.
ASSIGNEE_NONE = "none"
ASSIGNEE_ME = "me"
# ``open`` also takes "any", so a link can ask for every status where open ones are the default.
OPEN_ANY = "any"
# The spellings of a boolean that the API's schema (pydantic) accepts, so both doors agree.
_BOOLEANS = {
    **dict.fromkeys(("true", "1", "on", "yes", "t", "y"), True),
    **dict.fromkeys(("false", "0", "off", "no", "f", "n"), False),
}
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")


@dataclass(frozen=True)
class RequestFilters:
    """What a list of requests is narrowed to, as ``filter_requests`` applies it."""

    status: list[str] | None = None
    provider_team: str | None = None
    customer_team: str | None = None
    assignee: str | None = None
    priority: list[str] | None = None
    service: str | None = None
    breached: bool | None = None
    at_risk: bool | None = None
    open: bool | None = None
    requester: str | None = None
    text: str | None = None


def _overdue_clock(now: datetime) -> Exists:
    return Exists(
        Clock.objects.filter(
            request=OuterRef("pk"), stopped_at__isnull=True, paused_at__isnull=True, due_at__lt=now
        )
    )


def filter_requests(requests: QuerySet[Request], filters: RequestFilters) -> QuerySet[Request]:
    now = timezone.now()
    if filters.status:
        unknown = set(filters.status) - set(Status.values)
        if unknown:
            raise InvalidInput(
                "Unknown status filter.",
                fields={"status": f"Unknown: {', '.join(sorted(unknown))}."},
            )
        requests = requests.filter(status__in=filters.status)
    if filters.open is not None:
        requests = (
            requests.filter(status__in=OPEN_STATUSES)
            if filters.open
            else requests.exclude(status__in=OPEN_STATUSES)
        )
    if filters.priority:
        requests = requests.filter(priority__in=filters.priority)
    if filters.provider_team:
        requests = requests.filter(provider_team__slug=filters.provider_team)
    if filters.customer_team:
        requests = requests.filter(customer_team__slug=filters.customer_team)
    if filters.service:
        requests = requests.filter(service__slug=filters.service)
    if filters.assignee:
        if filters.assignee == "none":
            requests = requests.filter(assignee__isnull=True)
        else:
            requests = requests.filter(_person_matches("assignee", filters.assignee))
    if filters.requester:
        requests = requests.filter(_person_matches("requester", filters.requester))
    if filters.breached is not None:
        breached = Q(sla_breached=True) | _overdue_clock(now)
        requests = requests.filter(breached if filters.breached else ~breached)
    if filters.at_risk:
        requests = requests.filter(
            Exists(
                Clock.objects.filter(
                    request=OuterRef("pk"),
                    stopped_at__isnull=True,
                    paused_at__isnull=True,
                    breached_at__isnull=True,
                    warn_at__lte=now,
                    due_at__gte=now,
                )
            )
        )
    if filters.text:
        for word in filters.text.split()[:8]:
            requests = requests.filter(
                Q(subject__icontains=word)
                | Q(reference__iexact=word)
                | Q(description__icontains=word)
            )
    return requests


def _person_matches(field: str, value: str) -> Q:
    person_id = database_id(value)
    if person_id is not None:
        return Q(**{f"{field}_id": person_id})
    return Q(**{f"{field}__user__username": value}) | Q(**{f"{field}__email__iexact": value})


# --- reading a query string ----------------------------------------------------------------


@dataclass(frozen=True)
class FilterChoices:
    """The values a page offers as (value, label); anything else is refused by name.

    ``None`` leaves that filter open to any well-formed value (the API's case).
    """

    services: Sequence[tuple[str, str]] | None = None
    customer_teams: Sequence[tuple[str, str]] | None = None
    provider_teams: Sequence[tuple[str, str]] | None = None
    agents: Sequence[tuple[str, str]] | None = None


@dataclass(frozen=True)
class FilterQuery:
    """The filters as a query string spelled them, checked and normalised.

    ``assignee`` may still be "me": ``filters_for`` resolves it for the viewer.
    """

    status: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    assignee: str = ""
    service: str = ""
    customer_team: str = ""
    provider_team: str = ""
    requester: str = ""
    breached: bool | None = None
    at_risk: bool = False
    # "", "true", "false" or "any".
    open: str = ""
    text: str = ""

    def open_value(self, *, open_by_default: bool) -> bool | None:
        """The ``open`` filter; with ``open_by_default``, open ones unless a status is asked for."""
        if self.open:
            return None if self.open == OPEN_ANY else self.open == "true"
        return True if open_by_default and not self.status else None

    def filters_for(
        self, person: Person | policy.Viewer, *, open_by_default: bool
    ) -> RequestFilters:
        assignee = self.assignee or None
        if assignee == ASSIGNEE_ME:
            assignee = str(policy.as_viewer(person).person_id)
        return RequestFilters(
            status=list(self.status) or None,
            priority=list(self.priority) or None,
            assignee=assignee,
            service=self.service or None,
            customer_team=self.customer_team or None,
            provider_team=self.provider_team or None,
            requester=self.requester or None,
            breached=self.breached,
            at_risk=self.at_risk or None,
            open=self.open_value(open_by_default=open_by_default),
            text=self.text or None,
        )

    def pairs(self) -> list[tuple[str, str]]:
        """The filters as (name, value) pairs in a fixed order, the unset ones left out."""
        found: list[tuple[str, str]] = [("status", s) for s in self.status]
        found += [("priority", p) for p in self.priority]
        for name in ("assignee", "service", "customer_team", "provider_team", "requester"):
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
        return found


def _last(params: QueryDict, *names: str) -> str:
    """A single-valued parameter: the last value given wins, as everywhere in Django."""
    values = [value.strip() for name in names for value in params.getlist(name) if value.strip()]
    return values[-1] if values else ""


def _boolean(params: QueryDict, name: str, errors: dict[str, str]) -> bool | None:
    value = _last(params, name).lower()
    if not value:
        return None
    if value not in _BOOLEANS:
        errors[name] = _("Use true or false.")
        return None
    return _BOOLEANS[value]


def _many(
    params: QueryDict, name: str, allowed: Sequence[str], errors: dict[str, str]
) -> tuple[str, ...]:
    values = [value.strip() for value in params.getlist(name) if value.strip()]
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        errors[name] = _("Unknown %(name)s: %(values)s. Choose from: %(allowed)s.") % {
            "name": name,
            "values": ", ".join(unknown),
            "allowed": ", ".join(allowed),
        }
    return tuple(dict.fromkeys(value for value in values if value not in unknown))


def _offered(values: Iterable[tuple[str, str]] | None) -> set[str] | None:
    return None if values is None else {value for value, _label in values}


def _refuse_past_any_id(value: str, name: str, errors: dict[str, str]) -> None:
    """Digits name a person by id; more digits than any id can have name nobody."""
    if looks_like_id(value) and database_id(value) is None:
        errors[name] = _("No person has this id; give an id, a username or an email.")


def read_filter_query(
    params: QueryDict,
    *,
    also: Collection[str],
    not_a_filter: str,
    choices: FilterChoices | None = None,
) -> tuple[FilterQuery, dict[str, str]]:
    """Read the filters strictly: what is wrong is reported by parameter name.

    ``also`` names the door's own parameters (its cursor, sort or page size), read
    elsewhere; any other unknown name is reported with ``not_a_filter`` (which may
    say ``%(name)s``). Returns the filters and the errors; the caller raises.
    """
    errors: dict[str, str] = {}
    for name in sorted(set(params) - set(FILTER_PARAMS) - set(also)):
        errors[name] = not_a_filter % {"name": name}
    choices = choices or FilterChoices()

    assignee = _last(params, "assignee")
    if assignee and assignee not in (ASSIGNEE_NONE, ASSIGNEE_ME):
        agents = _offered(choices.agents)
        if agents is not None and assignee not in agents:
            errors["assignee"] = _("Choose “unassigned”, “me” or one of the team's agents.")
        elif len(assignee) > MAX_HANDLE:
            errors["assignee"] = _("Give at most %(count)d characters.") % {"count": MAX_HANDLE}
        else:
            _refuse_past_any_id(assignee, "assignee", errors)
    slugs = {}
    for name, offered in (
        ("service", _offered(choices.services)),
        ("customer_team", _offered(choices.customer_teams)),
        ("provider_team", _offered(choices.provider_teams)),
    ):
        slugs[name] = value = _last(params, name)
        if value and (not _SLUG.match(value) or (offered is not None and value not in offered)):
            errors[name] = _("Unknown %(name)s “%(value)s”.") % {"name": name, "value": value}
    requester = _last(params, "requester")
    if len(requester) > MAX_HANDLE:
        errors["requester"] = _("Give at most %(count)d characters.") % {"count": MAX_HANDLE}
    else:
        _refuse_past_any_id(requester, "requester", errors)
    open_ = _last(params, "open").lower()
    if open_ in _BOOLEANS:
        open_ = "true" if _BOOLEANS[open_] else "false"
    elif open_ and open_ != OPEN_ANY:
        errors["open"] = _("Use true, false or any.")
    text = " ".join(_last(params, *SEARCH_PARAMS).split())
    if len(text) > MAX_TEXT:
        given = next((name for name in SEARCH_PARAMS if params.getlist(name)), "text")
        errors[given] = _("Search for at most %(count)d characters.") % {"count": MAX_TEXT}
    query = FilterQuery(
        status=_many(params, "status", Status.values, errors),
        priority=_many(params, "priority", Priority.values, errors),
        assignee=assignee,
        service=slugs["service"],
        customer_team=slugs["customer_team"],
        provider_team=slugs["provider_team"],
        requester=requester,
        breached=_boolean(params, "breached", errors),
        at_risk=bool(_boolean(params, "at_risk", errors)),
        open=open_,
        text=text,
    )
    return query, errors


def invalid_filters(errors: dict[str, str]) -> InvalidInput:
    return InvalidInput(_("Some filters are not valid."), fields=errors)
