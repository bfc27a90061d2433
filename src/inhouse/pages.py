"""What every web page shares: who is looking, hidden things as 404, htmx fragments.

The web doors (portal, workspace, catalog, org chart, home) call these instead of
keeping their own copies; the API has its own authentication in ``inhouse.api``.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import Http404, HttpRequest

from inhouse import policy
from inhouse.core.errors import NotFound, PermissionDenied


def current_viewer(request: HttpRequest) -> policy.Viewer | None:
    """The signed-in, active person as the policy sees them; worked out once per request.

    Computed afresh for every HTTP request, so a changed membership counts at once.
    """
    if not hasattr(request, "_inhouse_viewer"):
        person = getattr(request.user, "person", None) if request.user.is_authenticated else None
        viewer = policy.viewer_for(person) if person is not None and person.is_active else None
        request._inhouse_viewer = viewer  # type: ignore[attr-defined]
    return request._inhouse_viewer  # type: ignore[attr-defined]


def viewer_or_404(request: HttpRequest) -> policy.Viewer:
    """A login without an active person (a bare admin account) has no portal."""
    viewer = current_viewer(request)
    if viewer is None:
        raise Http404
    return viewer


@contextmanager
def not_found_as_404() -> Iterator[None]:
    """A service or selector saying "no such thing" is the page's 404.

    The message is not shown: it could name what the caller may not see.
    """
    try:
        yield
    except NotFound as exc:
        raise Http404 from exc


@contextmanager
def refused_as_404() -> Iterator[None]:
    """A service refusing a change, or not finding its object, is the page's 404.

    For pages that exist only for the people allowed to use them (a team's
    configuration): to anyone else they do not exist, so a refusal is not a 403.
    """
    with not_found_as_404():
        try:
            yield
        except PermissionDenied as exc:
            raise Http404 from exc


def wants_partial(request: HttpRequest) -> bool:
    """htmx asking for a fragment; restoring history after "back" needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request  # type: ignore[attr-defined]
