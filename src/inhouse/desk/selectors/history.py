"""The request's history in words, as the agent's page and its stale-change notice show it."""

from datetime import datetime

from inhouse import policy
from inhouse.desk.events import HistoryEntry, describe
from inhouse.desk.models import Request
from inhouse.desk.selectors.requests import history_visible_to, requests_visible_to
from inhouse.org.models import Person

__all__ = ["HistoryEntry", "history_entries"]


def history_entries(
    person: Person | policy.Viewer,
    request: Request,
    *,
    since: datetime | None = None,
) -> list[HistoryEntry]:
    """The request's history as the viewer may see it, each change spelled out in words.

    A linked request the viewer may not see stays unnamed (``events.describe``).
    """
    events = history_visible_to(person, request)
    if since is not None:
        events = events.filter(created_at__gt=since)
    return describe(list(events), visible_requests=requests_visible_to(person))
