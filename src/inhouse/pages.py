"""What every web page shares: who is looking, hidden things as 404, refusals audited,
htmx fragments.

The web doors (portal, workspace, catalog, org chart, home) call these instead of
keeping their own copies; the API has its own authentication in ``inhouse.api``.

A change a page refuses is audited here, in the helpers every view already passes
its service calls through (``not_found_as_404``, ``refused_as_404``) and in the 404
and 403 pages (``audit_refused_page_change``, from ``inhouse.urls``), so no view
audits by itself.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.http import Http404, HttpRequest

from inhouse import policy
from inhouse.audit.models import AuditDoor
from inhouse.audit.refusals import RefusedChange, record_refused_change
from inhouse.core.correlation import current_correlation_id
from inhouse.core.errors import DomainError, NotFound, PermissionDenied
from inhouse.desk.audit import target_named_by

_READS = frozenset({"GET", "HEAD", "OPTIONS"})

# The pages' changes in words, completed by their object ("assign" request IT-12);
# a route missing here is recorded by its name.
_OPERATIONS = {
    "portal:request-new": "submit a request for",
    "portal:reply": "reply to",
    "portal:transition": "change the status of",
    "workspace:reply": "reply to",
    "workspace:note": "add an internal note to",
    "workspace:transition": "change the status of",
    "workspace:assign": "assign",
    "workspace:priority": "change the priority of",
    "workspace:dependency-add": "add a blocker to",
    "workspace:dependency-remove": "remove a blocker from",
    "workspace:transfer": "transfer",
    "workspace:bulk": "change requests in bulk in the queue of",
    "workspace:view-save": "save a view of the queue of",
    "workspace:view-delete": "delete",
    "workspace:view-move": "move",
    "workspace:canned": "add a canned reply for",
    "workspace:canned-edit": "change",
    "workspace:canned-delete": "delete",
    "notification-read": "mark as read",
    "notifications-read-all": "mark all notifications as read",
    "catalog:service-create": "add a service to",
    "catalog:service-edit": "change",
    "catalog:field-add": "add a field to",
    "catalog:field-edit": "change",
    "catalog:field-move": "move",
    "catalog:field-remove": "remove",
    "catalog:agreement-create": "add an agreement to",
    "catalog:agreement-obligations": "change the obligations of",
    "catalog:agreement-edit": "change",
    "catalog:agreement-deactivate": "deactivate",
    "sla:calendar-edit": "change",
    "sla:closed-day-add": "add a closed day to",
    "sla:closed-day-remove": "remove",
    "ideas:new": "propose an idea",
    "ideas:vote": "vote for",
    "ideas:comment": "comment on",
    "ideas:status": "set the status of",
    "knowledge:article-new": "write an article",
    "knowledge:edit": "change",
    "knowledge:publish": "publish",
    "knowledge:unpublish": "unpublish",
    "knowledge:revision-restore": "restore a revision of",
    "knowledge:vote": "say whether it helped:",
    "feedback:rate": "rate",
    "feedback:clarity": "rate the clarity of",
    "followups:answer": "answer a follow-up of",
    "followups:turn-off": "turn off the follow-ups of",
    "surveys:list": "schedule a survey of",
    "surveys:answer": "answer",
    "kudos:give": "give kudos",
    "kudos:sharing": "change their kudos sharing",
    "kudos:training-new": "announce a training session of",
    "kudos:training-edit": "change",
    "kudos:training-signup": "sign up for",
    "kudos:training-cancel": "cancel the sign-up for",
    "kudos:training-rate": "rate",
}

# The HTTP request a page is answering, so the helpers below (which views call without
# it) can say who was refused what. Set by ``current_viewer``, which every page calls
# before anything it could refuse; only for writes, as only writes are audited.
_page_request: ContextVar[HttpRequest | None] = ContextVar("page_request", default=None)


def current_viewer(request: HttpRequest) -> policy.Viewer | None:
    """The signed-in, active person as the policy sees them; worked out once per request.

    Computed afresh for every HTTP request, so a changed membership counts at once.
    """
    if not hasattr(request, "_inhouse_viewer"):
        person = getattr(request.user, "person", None) if request.user.is_authenticated else None
        viewer = policy.viewer_for(person) if person is not None and person.is_active else None
        request._inhouse_viewer = viewer  # type: ignore[attr-defined]
        _page_request.set(None if request.method in _READS else request)
    return request._inhouse_viewer  # type: ignore[attr-defined]


def viewer_or_404(request: HttpRequest) -> policy.Viewer:
    """A login without an active person (a bare admin account) has no portal."""
    viewer = current_viewer(request)
    if viewer is None:
        raise Http404
    return viewer


def audit_refused_page_change(request: HttpRequest, *, status: int, reason: str) -> None:
    """Record that a page refused a write: who, what, which object, with the correlation id.

    Reads are never recorded here. Called once the refusal has left the service, whose
    transaction is over by then, so the record is kept.
    """
    match = request.resolver_match
    if request.method in _READS or match is None:
        return
    viewer = current_viewer(request)
    method = request.method or ""
    credentials = ""
    if viewer is None:
        credentials = "signed in without a person" if request.user.is_authenticated else "none"
    record_refused_change(
        RefusedChange(
            door=AuditDoor.WEB,
            actor=viewer.person if viewer is not None else None,
            operation=_OPERATIONS.get(match.view_name, f"{method} {match.view_name}"),
            method=method,
            route=match.view_name,
            path=request.path,
            status=status,
            reason=reason,
            remote_address=request.META.get("REMOTE_ADDR", ""),
            credentials=credentials,
        ),
        target=target_named_by(match.kwargs, namespace=match.namespace),
    )


# Set on a refusal once it is recorded: helpers may be nested, and the 404 page sees
# the refusal again as the cause of its Http404.
_AUDITED = "_inhouse_refusal_audited"


def _audit_refusal(exc: DomainError) -> None:
    if getattr(exc, _AUDITED, False):
        return
    request = _page_request.get()
    correlation_id = current_correlation_id()
    # The variable outlives its request in a reused thread: only this request's counts.
    if request is None or correlation_id is None:
        return
    if getattr(request, "correlation_id", None) != correlation_id:
        return
    audit_refused_page_change(request, status=exc.status, reason=exc.message)
    setattr(exc, _AUDITED, True)


def refusal_audited_already(exception: BaseException) -> bool:
    """Whether a 404 or 403 page's exception stands for a refusal the helpers below
    have recorded on its way out."""
    return bool(getattr(exception.__cause__, _AUDITED, False))


@contextmanager
def not_found_as_404() -> Iterator[None]:
    """A service or selector saying "no such thing" is the page's 404.

    The message is not shown: it could name what the caller may not see. On a write,
    "no such thing" and a refusal passing through on its way to a form error are
    audited as refused changes.
    """
    try:
        yield
    except NotFound as exc:
        _audit_refusal(exc)
        raise Http404 from exc
    except PermissionDenied as exc:
        _audit_refusal(exc)
        raise


@contextmanager
def refused_as_404() -> Iterator[None]:
    """A service refusing a change, or not finding its object, is the page's 404.

    For pages that exist only for the people allowed to use them (a team's
    configuration): to anyone else they do not exist, so a refusal is not a 403.
    """
    try:
        with not_found_as_404():
            yield
    except PermissionDenied as exc:
        raise Http404 from exc


def wants_partial(request: HttpRequest) -> bool:
    """htmx asking for a fragment; restoring history after "back" needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request  # type: ignore[attr-defined]
