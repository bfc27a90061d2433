"""The request's history in words, as the agent's page and its stale-change notice show it."""

from dataclasses import dataclass
from datetime import datetime

from inhouse import policy
from inhouse.core.pagination import page_by_id
from inhouse.desk.history_reader import HistoryEntry, describe
from inhouse.desk.models import Request
from inhouse.desk.selectors.requests import history_visible_to, requests_visible_to
from inhouse.org.models import Person

__all__ = ["HistoryEntry", "HistoryPage", "history_entries", "history_page"]


def history_entries(
    person: Person | policy.Viewer,
    request: Request,
    *,
    since: datetime | None = None,
) -> list[HistoryEntry]:
    """The request's history as the viewer may see it, each change spelled out in words.

    A linked request the viewer may not see stays unnamed (``history_reader.describe``).
    """
    events = history_visible_to(person, request)
    if since is not None:
        events = events.filter(created_at__gt=since)
    return describe(list(events), visible_requests=requests_visible_to(person))


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    # Where the next, earlier page starts; ``None`` on the page with the first event.
    earlier_cursor: str | None


def history_page(
    person: Person | policy.Viewer, request: Request, *, cursor: str | None, limit: int
) -> HistoryPage:
    """``limit`` events newest first, from ``cursor`` on (``InvalidInput`` if it is broken).

    Keyed on the id like the API's history, so a request with thousands of events
    reads one page of them, described with the same few queries as a short one.
    """
    page = page_by_id(
        history_visible_to(person, request), cursor=cursor, limit=limit, newest_first=True
    )
    return HistoryPage(
        entries=describe(page.items, visible_requests=requests_visible_to(person)),
        earlier_cursor=page.next_cursor,
    )
