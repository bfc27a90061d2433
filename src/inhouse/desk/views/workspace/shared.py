"""What the workspace's pages share: the queue in the address, the way back, form errors."""

from collections.abc import Mapping

from django import forms
from django.urls import reverse

from inhouse import policy
from inhouse.core.errors import DomainError, InvalidInput
from inhouse.desk.models import Request
from inhouse.desk.selectors.queue import QueueQuery, get_queue_team, parse_queue_query
from inhouse.org.models import Team
from inhouse.pages import not_found_as_404


def queue_team(viewer: policy.Viewer, slug: str) -> Team:
    """The team whose queue the address names, if the viewer works it; 404 otherwise."""
    with not_found_as_404():
        return get_queue_team(viewer, slug)


def queue_url(team: Team, query: QueueQuery | None = None, *, with_cursor: bool = False) -> str:
    url = reverse("workspace:queue", kwargs={"team_slug": team.slug})
    querystring = query.querystring(with_cursor=with_cursor) if query else ""
    return f"{url}?{querystring}" if querystring else url


def back_to_queue(team: Team, querystring: str) -> str:
    """The queue as it was, if the query still reads; the plain queue otherwise."""
    try:
        return queue_url(team, parse_queue_query(querystring.lstrip("?")), with_cursor=True)
    except InvalidInput:
        return queue_url(team)


def agent_url(request: Request, anchor: str = "") -> str:
    url = reverse("workspace:request", kwargs={"reference": request.reference})
    return f"{url}#{anchor}" if anchor else url


def add_errors(
    form: forms.Form, exc: DomainError, *, field_names: Mapping[str, str] | None = None
) -> None:
    """Put a service's complaints on the fields they name, the rest on the whole form.

    ``field_names`` maps a service's name for an input to the form's (the service's
    ``blocker`` is the dependency form's ``reference``).
    """
    placed = False
    for name, message in exc.fields.items():
        name = (field_names or {}).get(name, name)
        if name in form.fields and name not in ("version", "loaded_at"):
            form.add_error(name, message)
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, exc.message)
