"""Reads of the ideas forum: the list in its three orders with its filters, one idea,
its comments and its history. Every active person sees every idea.

The list is read a page at a time with a keyset cursor (``inhouse.core.pagination``)
whose kind names the order it belongs to, so a cursor from one order is refused in
another. Ordered by votes, the key is the counter as the page's last row had it: an
idea whose votes change while someone pages may move past the cut, as on any board
that ranks by a moving number.
"""

from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.core.ids import database_id
from inhouse.core.pagination import KeysetPage, decode_cursor, encode_cursor, invalid_cursor
from inhouse.knowledge.models.ideas import (
    Idea,
    IdeaComment,
    IdeaStatus,
    IdeaStatusChange,
    IdeaVote,
)
from inhouse.org.models import Team


class IdeaSort:
    VOTES = "votes"
    RECENT = "recent"
    STATUS = "status"
    ALL = (VOTES, RECENT, STATUS)


# The ``team`` filter's word for ideas directed at everyone.
EVERYONE = "everyone"

# "By status" reads the lifecycle in order, newest first within a status.
_STATUS_ORDER = [value for value, _label in IdeaStatus.choices]


@dataclass(frozen=True)
class IdeaFilters:
    """What the list is narrowed to: ``team`` is a team or ``EVERYONE``'s ideas."""

    team: Team | None = None
    everyone_only: bool = False
    status: str | None = None


def read_idea_filters(*, team: str | None, status: str | None) -> IdeaFilters:
    """The list's filters from the words a caller sent; ``InvalidInput`` names a bad one."""
    errors: dict[str, str] = {}
    found_team = None
    if status and status not in IdeaStatus.values:
        errors["status"] = _("Choose one of: %(choices)s.") % {
            "choices": ", ".join(IdeaStatus.values)
        }
    if team and team != EVERYONE:
        found_team = Team.objects.filter(slug=team, is_active=True).first()
        if found_team is None:
            errors["team"] = _("No such team.")
    if errors:
        raise InvalidInput(_("Some filters need fixing."), fields=errors)
    return IdeaFilters(team=found_team, everyone_only=team == EVERYONE, status=status or None)


def _status_rank() -> Case:
    return Case(
        *(When(status=value, then=Value(rank)) for rank, value in enumerate(_STATUS_ORDER)),
        output_field=IntegerField(),
    )


def ideas_for(viewer: policy.Viewer) -> QuerySet[Idea]:
    """Every idea with what a row shows, and whether the viewer voted for it."""
    voted = IdeaVote.objects.filter(idea_id=OuterRef("pk"), person_id=viewer.person_id)
    return Idea.objects.select_related("owning_team", "proposer").annotate(voted=Exists(voted))


def page_of_ideas(
    viewer: policy.Viewer, filters: IdeaFilters, *, sort: str, cursor: str | None, limit: int
) -> KeysetPage[Idea]:
    """One page of the list in ``sort`` order; ``InvalidInput`` for a bad sort or cursor."""
    if sort not in IdeaSort.ALL:
        message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(IdeaSort.ALL)}
        raise InvalidInput(message, fields={"sort": message})
    rows = ideas_for(viewer)
    if filters.everyone_only:
        rows = rows.filter(owning_team__isnull=True)
    elif filters.team is not None:
        rows = rows.filter(owning_team=filters.team)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if sort == IdeaSort.STATUS:
        rows = rows.annotate(status_rank=_status_rank())
    if cursor:
        rows = rows.filter(_after(sort, cursor))
    order = {
        IdeaSort.VOTES: ("-vote_count", "-id"),
        IdeaSort.RECENT: ("-id",),
        IdeaSort.STATUS: ("status_rank", "-id"),
    }[sort]
    found = list(rows.order_by(*order)[: limit + 1])
    items = found[:limit]
    next_cursor = None
    if len(found) > limit and items:
        last = items[-1]
        key = {
            IdeaSort.VOTES: (last.vote_count, last.pk),
            IdeaSort.RECENT: (last.pk,),
            IdeaSort.STATUS: (_STATUS_ORDER.index(last.status), last.pk),
        }[sort]
        next_cursor = encode_cursor(sort, *key)
    return KeysetPage(items=items, next_cursor=next_cursor)


def _after(sort: str, cursor: str) -> Q:
    """The rows that follow the cursor's row in ``sort`` order."""
    kind, parts = decode_cursor(cursor)
    numbers = [database_id(part) for part in parts]
    expected_parts = 1 if sort == IdeaSort.RECENT else 2
    if kind != sort or len(numbers) != expected_parts or None in numbers:
        raise invalid_cursor()
    if sort == IdeaSort.RECENT:
        return Q(pk__lt=numbers[0])
    value, last_id = numbers
    if sort == IdeaSort.VOTES:
        return Q(vote_count__lt=value) | Q(vote_count=value, pk__lt=last_id)
    return Q(status_rank__gt=value) | Q(status_rank=value, pk__lt=last_id)


def get_idea_for(viewer: policy.Viewer, idea_id: int) -> Idea:
    """One idea as the viewer sees it (``voted`` annotated); ``NotFound`` if there is none."""
    idea = ideas_for(viewer).filter(pk=idea_id).first()
    if idea is None:
        raise NotFound(_("No such idea."))
    return idea


def comments_of(idea: Idea) -> QuerySet[IdeaComment]:
    """The idea's conversation with its authors; callers page it by id."""
    return IdeaComment.objects.filter(idea_id=idea.pk).select_related("author")


def history_of(idea: Idea) -> list[IdeaStatusChange]:
    """Every status the idea was given, oldest first, with who gave it."""
    return list(
        IdeaStatusChange.objects.filter(idea_id=idea.pk).select_related("actor").order_by("id")
    )


def teams_for_ideas() -> list[Team]:
    """The teams an idea can be directed at or filtered by: every active team, by name."""
    return list(Team.objects.filter(is_active=True).order_by("name"))
