"""Text typed on a request page but not sent, kept across a full-page change.

On both request pages every action's controls belong to the reply form (the
HTML ``form`` attribute), so even without JavaScript the POST of any action
carries what was typed in the other boxes. The handler redirects after the
change, so a reload never repeats it; the typed texts wait in the session for
the next view of that request's page and are put back in their boxes. With
JavaScript the actions swap only their own part of the page and the boxes are
never touched; this is what keeps a draft for the browser without it.
"""

from collections.abc import Iterable, Mapping

from django.http import HttpRequest, QueryDict

SESSION_KEY = "inhouse_drafts"


def posted_drafts(data: QueryDict, names: Iterable[str]) -> dict[str, str]:
    """The named boxes of a POST that hold any text, as typed."""
    found = {name: data.get(name, "") for name in names}
    return {name: text for name, text in found.items() if text.strip()}


def keep_drafts(request: HttpRequest, request_id: int, drafts: Mapping[str, str]) -> None:
    """Hold ``drafts`` for the next view of the request's page (replacing older ones)."""
    stored = dict(request.session.get(SESSION_KEY) or {})
    stored.pop(str(request_id), None)
    if drafts:
        stored[str(request_id)] = dict(drafts)
    if stored or SESSION_KEY in request.session:
        request.session[SESSION_KEY] = stored


def take_drafts(request: HttpRequest, request_id: int) -> dict[str, str]:
    """The drafts held for the request's page, once: a later view starts empty."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict) or str(request_id) not in stored:
        return {}
    kept = stored.pop(str(request_id))
    request.session[SESSION_KEY] = stored
    if not isinstance(kept, dict):
        return {}
    return {name: text for name, text in kept.items() if isinstance(text, str)}
