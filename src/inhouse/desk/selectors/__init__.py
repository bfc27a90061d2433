"""Reads of requests that every door shares, by topic; visibility is always applied.

``requests`` (who sees which request, one request and what it holds), ``filters``
(the one filter definition of every list), ``queue`` (a team's queue), ``request_page``
and ``answers`` (what the request pages show), ``history``, ``canned`` and
``saved_views``. What other apps import is re-exported here.
"""

from inhouse.desk.selectors.filters import RequestFilters, filter_requests
from inhouse.desk.selectors.queue import parse_queue_query
from inhouse.desk.selectors.requests import (
    attachments_visible_to,
    blocked_by_this,
    blockers_of,
    clocks_of,
    comments_visible_to,
    get_attachment_for,
    get_request_for,
    history_visible_to,
    page_of_requests,
    page_of_requests_visible_to,
    requests_involving,
    requests_visible_to,
    team_queue,
)

__all__ = [
    "RequestFilters",
    "attachments_visible_to",
    "blocked_by_this",
    "blockers_of",
    "clocks_of",
    "comments_visible_to",
    "filter_requests",
    "get_attachment_for",
    "get_request_for",
    "history_visible_to",
    "page_of_requests",
    "page_of_requests_visible_to",
    "parse_queue_query",
    "requests_involving",
    "requests_visible_to",
    "team_queue",
]
