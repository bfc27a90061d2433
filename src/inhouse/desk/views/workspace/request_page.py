"""The agent's request page: everything about one request, and the forms that change it.

The change handlers (``request_changes``) render this page again with their form
bound when a change is refused or overtaken, so what the agent typed is kept.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from inhouse import policy
from inhouse.core.errors import NotFound
from inhouse.core.ids import database_id
from inhouse.desk.audit import AuditDoor, record_confidential_view
from inhouse.desk.forms.workspace import (
    AssignForm,
    CommentForm,
    DependencyForm,
    PriorityForm,
    TransferForm,
    TransitionForm,
)
from inhouse.desk.models import Request, Status
from inhouse.desk.selectors import (
    attachments_visible_to,
    blocked_by_this,
    blockers_of,
    comments_visible_to,
    get_request_for,
)
from inhouse.desk.selectors.answers import answers_of
from inhouse.desk.selectors.canned import canned_replies_for, get_canned_reply_for
from inhouse.desk.selectors.history import HistoryEntry, history_entries
from inhouse.desk.selectors.queue import team_agents
from inhouse.desk.selectors.request_page import (
    clock_views,
    conversation_of,
    hidden_blocker_count,
    membership_teams,
    recent_requests_of,
    transfer_services,
)
from inhouse.desk.services.workspace import render_canned_reply
from inhouse.desk.views.workspace.shared import agent_url
from inhouse.pages import not_found_as_404, viewer_or_404

LATEST_COMMENTS = 100
# How each move reads on its button, from the agent's side.
TRANSITION_LABELS: dict[str, Promise] = {
    Status.IN_PROGRESS: gettext_lazy("Start work"),
    Status.WAITING_ON_CUSTOMER: gettext_lazy("Wait on customer"),
    Status.WAITING_ON_SUPPLIER: gettext_lazy("Wait on supplier"),
    Status.RESOLVED: gettext_lazy("Resolve"),
    Status.CLOSED: gettext_lazy("Close"),
    Status.CANCELLED: gettext_lazy("Cancel request"),
}


def workable_request(viewer: policy.Viewer, reference: str) -> Request:
    """The request if the viewer may see it (404 otherwise); callers check they work it."""
    with not_found_as_404():
        return get_request_for(viewer, reference)


def worked_request(viewer: policy.Viewer, reference: str) -> Request:
    """For changes: a request the viewer sees but does not work is as good as missing."""
    found = workable_request(viewer, reference)
    if not policy.can_work_request(viewer, found):
        raise Http404
    return found


@dataclass(frozen=True)
class StaleNotice:
    changes: list[HistoryEntry]
    # What the agent was doing, in words; it is kept in the form, unsaved.
    kept: str


def forms_for(
    viewer: policy.Viewer, found: Request, *, loaded_at: str
) -> dict[str, Callable[..., forms.Form]]:
    """Makers of the page's forms; each takes the same arguments as a Django form."""
    versioned = {"version": found.version, "loaded_at": loaded_at}
    agents = team_agents(found.provider_team)
    return {
        "reply": lambda *a, **k: CommentForm(*a, public=True, **k),
        "note": lambda *a, **k: CommentForm(*a, public=False, **k),
        "transition": lambda *a, **k: TransitionForm(*a, initial=versioned, **k),
        "assign": lambda *a, **k: AssignForm(
            *a,
            agents=agents,
            initial={**versioned, "assignee": str(found.assignee_id or "")},
            **k,
        ),
        "priority": lambda *a, **k: PriorityForm(
            *a, initial={**versioned, "priority": found.priority}, **k
        ),
        "dependency": lambda *a, **k: DependencyForm(*a, initial=versioned, **k),
        "transfer": lambda *a, **k: TransferForm(
            *a, services=transfer_services(viewer, found), initial=versioned, **k
        ),
    }


def render_request(
    request: HttpRequest,
    viewer: policy.Viewer,
    found: Request,
    *,
    bound: dict[str, forms.Form] | None = None,
    reply_text: str = "",
    stale: StaleNotice | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    loaded_at = now.isoformat()
    makers = forms_for(viewer, found, loaded_at=loaded_at)
    page_forms: dict[str, forms.Form] = {}
    for name, make in makers.items():
        if bound and name in bound:
            page_forms[name] = bound[name]
        elif name == "reply":
            page_forms[name] = make(initial={"body": reply_text})
        else:
            page_forms[name] = make()
    comments, comment_total = conversation_of(
        comments_visible_to(viewer, found), latest=LATEST_COMMENTS
    )
    allowed = policy.transitions_for(viewer, found)
    attachments = list(attachments_visible_to(viewer, found))
    context = {
        "req": found,
        "forms": page_forms,
        "stale": stale,
        "loaded_at": loaded_at,
        "now": now,
        "transitions": [
            (
                to,
                _("Reopen")
                if to == Status.IN_PROGRESS and found.status == Status.RESOLVED
                else TRANSITION_LABELS.get(to, Status(to).label),
            )
            for to in allowed
        ],
        "clocks": clock_views(found, now=now),
        "answers": answers_of(found, attachments=attachments),
        "comments": comments,
        "comment_total": comment_total,
        "attachments": attachments,
        "history": history_entries(viewer, found),
        "blockers": list(blockers_of(viewer, found).order_by("pk")),
        "blocking": list(blocked_by_this(viewer, found).order_by("pk")),
        "hidden_blockers": hidden_blocker_count(viewer, found),
        "recent": recent_requests_of(viewer, found.requester, besides=found),
        "requester_teams": membership_teams(found.requester),
        "canned_replies": canned_replies_for(viewer, found.provider_team),
    }
    return render(request, "desk/workspace/request.html", context, status=status)


@login_required
@require_GET
def request_page(request: HttpRequest, reference: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    found = workable_request(viewer, reference)
    if not policy.can_work_request(viewer, found):
        return redirect("portal:request", reference=found.reference)
    if found.reference != reference:
        # An old reference (before a transfer) or another spelling: one address per request.
        return redirect(agent_url(found))
    record_confidential_view(viewer, found, door=AuditDoor.WEB, what="opened the agent's page of")
    reply_text = ""
    canned_id = request.GET.get("canned", "")
    if canned_id:
        reply = None
        canned_pk = database_id(canned_id)
        if canned_pk is not None:
            try:
                reply = get_canned_reply_for(viewer, found.provider_team, canned_pk)
            except NotFound:
                reply = None
        if reply is None:
            messages.error(request, _("That canned reply does not exist (any more)."))
        else:
            reply_text = render_canned_reply(reply=reply, request=found, agent=viewer.person)
    return render_request(request, viewer, found, reply_text=reply_text)


@login_required
@require_GET
def canned_text(request: HttpRequest, reference: str, reply_id: int) -> HttpResponse:
    """A canned reply filled in for this request, as plain text for the picker to insert."""
    viewer = viewer_or_404(request)
    found = worked_request(viewer, reference)
    with not_found_as_404():
        reply = get_canned_reply_for(viewer, found.provider_team, reply_id)
    text = render_canned_reply(reply=reply, request=found, agent=viewer.person)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def request_clocks(request: HttpRequest, reference: str) -> HttpResponse:
    """The clocks panel alone; the page polls it so the countdown stays true."""
    viewer = viewer_or_404(request)
    found = worked_request(viewer, reference)
    now = timezone.now()
    return render(
        request,
        "desk/workspace/partials/clocks.html",
        {"req": found, "clocks": clock_views(found, now=now), "now": now},
    )
