"""What the agent's request page shows besides the request itself.

Every read keeps to what the viewer may see: it starts from ``requests_visible_to``
or from a request ``get_request_for`` already let them open.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.core.pagination import page_by_id
from inhouse.desk.models import Comment, Dependency, Request
from inhouse.desk.selectors.requests import clocks_of, requests_visible_to
from inhouse.org.models import Membership, Person, Team
from inhouse.sla.models import ClockKind
from inhouse.sla.selectors import ClockState, clock_state


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
    """How many of the request's blockers the viewer cannot see; changes to the others keep them."""
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
                label=str(ClockKind(state.kind).label),
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


def parse_loaded_at(value: str) -> datetime | None:
    """The moment a page was rendered, as its hidden ``loaded_at`` field carried it."""
    moment = parse_datetime(value.strip()) if value else None
    if moment is None or moment.tzinfo is None:
        return None
    return moment


@dataclass(frozen=True)
class ConversationPage:
    """A page of the conversation, newest first, and how many messages there are in all."""

    comments: list[Comment]
    total: int
    # Where the next, earlier page starts; ``None`` on the page with the first message.
    earlier_cursor: str | None


def conversation_page(
    comments: QuerySet[Comment], *, cursor: str | None, limit: int
) -> ConversationPage:
    """``limit`` messages newest first, from ``cursor`` on (``InvalidInput`` if it is broken).

    Keyed on the id like the API's pages, so a page costs the same at any depth and
    a message arriving meanwhile never repeats one on the next page.
    """
    page = page_by_id(comments, cursor=cursor, limit=limit, newest_first=True)
    return ConversationPage(
        comments=page.items, total=comments.count(), earlier_cursor=page.next_cursor
    )


def membership_teams(person: Person) -> list[Team]:
    """The requester's teams, for the "who is asking" panel."""
    return [
        membership.team
        for membership in Membership.objects.filter(person=person, team__is_active=True)
        .select_related("team")
        .order_by("id")
    ]
