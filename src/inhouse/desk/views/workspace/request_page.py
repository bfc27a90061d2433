"""The agent's request page: everything about one request, and the forms that change it.

The change handlers (``request_changes``) render this page again with their form
bound when a change is refused or overtaken, so what the agent typed is kept.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.core.ids import database_id
from inhouse.desk.audit import AuditDoor, record_confidential_view
from inhouse.desk.forms.workspace import (
    AssignForm,
    CommentForm,
    DependencyForm,
    LegalHoldForm,
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
from inhouse.desk.selectors.history import HistoryEntry, history_page
from inhouse.desk.selectors.queue import team_agents
from inhouse.desk.selectors.request_page import (
    clock_views,
    conversation_page,
    hidden_blocker_count,
    membership_teams,
    recent_requests_of,
    transfer_services,
)
from inhouse.desk.services.workspace import render_canned_reply
from inhouse.desk.views.drafts import take_drafts
from inhouse.desk.views.workspace.shared import agent_url
from inhouse.feedback.selectors.ratings import provider_rating_panel
from inhouse.pages import not_found_as_404, viewer_or_404, wants_partial

# Pages of a long conversation and history: the newest first, the rest a link away.
COMMENTS_PER_PAGE = 50
EVENTS_PER_PAGE = 50
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


# The free-text box of each of the page's forms that keeps what was typed in it while
# another form is sent (``drafts``): the reply above all, and every other note too.
# (The internal note has its own form and is not among them: its box is named like
# the reply's, and with JavaScript no action ever touches it.)
# The internal note's box shares the reply form (``side.html`` says why), so its name
# must differ from the reply's ``body``.
NOTE_PREFIX = "note"
DRAFT_FIELDS = {
    "reply": "body",
    "transition": "comment",
    "dependency": "reference",
    "transfer": "note",
    "note": f"{NOTE_PREFIX}-body",
}


def forms_for(
    viewer: policy.Viewer,
    found: Request,
    *,
    loaded_at: str,
    drafts: Mapping[str, str] | None = None,
) -> dict[str, Callable[..., forms.Form]]:
    """Makers of the page's forms; each takes the same arguments as a Django form.

    ``drafts`` (box name to text) fills the free-text boxes of unbound forms, so a
    page shown after another change keeps what was typed in them.
    """
    versioned = {"version": found.version, "loaded_at": loaded_at}
    drafts = drafts or {}

    def draft(name: str) -> dict[str, str]:
        box = DRAFT_FIELDS.get(name)
        return {box: drafts[box]} if box and box in drafts else {}

    agents = team_agents(found.provider_team)
    return {
        "reply": lambda *a, **k: CommentForm(*a, public=True, initial=draft("reply"), **k),
        "note": lambda *a, **k: CommentForm(
            *a,
            public=False,
            prefix=NOTE_PREFIX,
            # A form's initial values go by field name, without its prefix.
            initial={"body": text} if (text := draft("note").get(DRAFT_FIELDS["note"])) else None,
            **k,
        ),
        "transition": lambda *a, **k: TransitionForm(
            *a, initial={**versioned, **draft("transition")}, **k
        ),
        "assign": lambda *a, **k: AssignForm(
            *a,
            agents=agents,
            initial={**versioned, "assignee": str(found.assignee_id or "")},
            **k,
        ),
        "priority": lambda *a, **k: PriorityForm(
            *a, initial={**versioned, "priority": found.priority}, **k
        ),
        "dependency": lambda *a, **k: DependencyForm(
            *a, initial={**versioned, **draft("dependency")}, **k
        ),
        "transfer": lambda *a, **k: TransferForm(
            *a,
            services=transfer_services(viewer, found),
            initial={**versioned, **draft("transfer")},
            **k,
        ),
        "legal_hold": lambda *a, **k: LegalHoldForm(*a, **k),
    }


REPLY_FORM_ID = "reply"


def _join_reply_form(form: forms.Form) -> None:
    """Make the action's controls part of the reply form (``side.html`` says why).

    The reply form judges what the browser checks before sending it, so an
    action's own required boxes must not stop a reply: the server judges them.
    """
    form.use_required_attribute = False
    for field in form.fields.values():
        field.widget.attrs["form"] = REPLY_FORM_ID


def render_request(
    request: HttpRequest,
    viewer: policy.Viewer,
    found: Request,
    *,
    bound: dict[str, forms.Form] | None = None,
    drafts: Mapping[str, str] | None = None,
    stale: StaleNotice | None = None,
    status: int = 200,
    comments_cursor: str | None = None,
    history_cursor: str | None = None,
    sent: str | None = None,
) -> HttpResponse:
    """The whole page, or for htmx after a change the parts it changed.

    The parts never include the reply or note form, unless that form was the one
    ``sent`` (it comes back empty, or with its errors): whatever is typed there
    stays untouched by every other action.
    """
    now = timezone.now()
    loaded_at = now.isoformat()
    makers = forms_for(viewer, found, loaded_at=loaded_at, drafts=drafts)
    page_forms: dict[str, forms.Form] = {
        name: bound[name] if bound and name in bound else make() for name, make in makers.items()
    }
    for name, form in page_forms.items():
        if name != "reply":
            _join_reply_form(form)
    try:
        conversation = conversation_page(
            comments_visible_to(viewer, found), cursor=comments_cursor, limit=COMMENTS_PER_PAGE
        )
        history = history_page(viewer, found, cursor=history_cursor, limit=EVENTS_PER_PAGE)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        conversation = conversation_page(
            comments_visible_to(viewer, found), cursor=None, limit=COMMENTS_PER_PAGE
        )
        history = history_page(viewer, found, cursor=None, limit=EVENTS_PER_PAGE)
        comments_cursor = history_cursor = None
        status = 400
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
        "conversation": conversation,
        "comments_cursor": comments_cursor,
        "history": history,
        "history_cursor": history_cursor,
        "attachments": attachments,
        "blockers": list(blockers_of(viewer, found).order_by("pk")),
        "blocking": list(blocked_by_this(viewer, found).order_by("pk")),
        "hidden_blockers": hidden_blocker_count(viewer, found),
        "recent": recent_requests_of(viewer, found.requester, besides=found),
        "requester_teams": membership_teams(found.requester),
        "canned_replies": canned_replies_for(viewer, found.provider_team),
        "sent": sent,
        # Only a confidential case is ever removed, so only there does a hold matter.
        "may_hold": found.confidential and policy.can_manage_team(viewer, found.provider_team),
        "rating_panel": provider_rating_panel(viewer, found),
    }
    if request.method == "POST" and wants_partial(request):
        return render(request, "desk/workspace/partials/request_swap.html", context, status=status)
    return render(request, "desk/workspace/request.html", context, status=status)


def _earlier(request: HttpRequest, viewer: policy.Viewer, found: Request) -> HttpResponse:
    """The next page of messages or of history, for htmx to put in place of the link."""
    context: dict[str, Any] = {"req": found}
    try:
        if "history_cursor" in request.GET:
            context["history"] = history_page(
                viewer, found, cursor=request.GET["history_cursor"], limit=EVENTS_PER_PAGE
            )
            template = "desk/workspace/partials/history_items.html"
        else:
            context["conversation"] = conversation_page(
                comments_visible_to(viewer, found),
                cursor=request.GET["cursor"],
                limit=COMMENTS_PER_PAGE,
            )
            template = "desk/workspace/partials/conversation_items.html"
    except InvalidInput as exc:
        return render(
            request, "desk/partials/page_link_broken.html", {"message": exc.message}, status=400
        )
    return render(request, template, context)


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
    if wants_partial(request) and ("cursor" in request.GET or "history_cursor" in request.GET):
        response = _earlier(request, viewer, found)
        patch_vary_headers(response, ["HX-Request"])
        return response
    drafts = take_drafts(request, found.pk)
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
            drafts["body"] = render_canned_reply(reply=reply, request=found, agent=viewer.person)
    response = render_request(
        request,
        viewer,
        found,
        drafts=drafts,
        comments_cursor=request.GET.get("cursor") or None,
        history_cursor=request.GET.get("history_cursor") or None,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


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
