"""The requester's side: ask for a service, follow the request, talk to the team.

Every page reads through the selectors (which apply visibility) and every
change goes through one service call; a request the viewer may not see is a
404 on every URL here, reads and writes alike. Domain errors come back as
messages or form errors on the page, never as a server error.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.catalog.selectors import default_customer_team, expected_times, get_service_for
from inhouse.core.errors import DomainError, InvalidInput, StaleVersion, TooLarge
from inhouse.core.ids import database_id
from inhouse.core.pagination import KeysetPage
from inhouse.desk.audit import AuditDoor, record_confidential_view
from inhouse.desk.downloads import attachment_response
from inhouse.desk.forms.portal import ReplyForm, RequestForm
from inhouse.desk.models import Request, Status
from inhouse.desk.selectors import (
    RequestFilters,
    attachments_visible_to,
    clocks_of,
    comments_visible_to,
    filter_requests,
    get_attachment_for,
    get_request_for,
    page_of_requests,
    requests_involving,
)
from inhouse.desk.selectors.answers import answers_of
from inhouse.desk.selectors.request_page import conversation_page
from inhouse.desk.services import Upload, add_comment, submit_request, transition_request
from inhouse.desk.views.drafts import keep_drafts, posted_drafts, take_drafts
from inhouse.feedback.selectors.followups import follow_up_panel
from inhouse.feedback.selectors.ratings import requester_rating_panel
from inhouse.org.models import Membership, Person, Team
from inhouse.pages import not_found_as_404, viewer_or_404, wants_partial
from inhouse.sla.selectors import ClockState, clock_state

REQUESTS_PER_PAGE = 25
# A long conversation opens on its newest messages; the earlier ones are a link away.
COMMENTS_PER_PAGE = 50
# "My requests" filters by any one status or by one of these two groups.
OPEN, DONE = "open", "done"


def _visible_request(viewer: policy.Viewer, reference: str) -> Request:
    with not_found_as_404():
        return get_request_for(viewer, reference)


def _request_url(request: Request) -> str:
    return reverse("portal:request", kwargs={"reference": request.reference})


# --- asking ---------------------------------------------------------------------------------


def _teams_of(person: Person) -> list[Team]:
    """The viewer's teams, first joined first: the first is the default customer team."""
    return [
        membership.team
        for membership in Membership.objects.filter(person=person, team__is_active=True)
        .select_related("team")
        .order_by("id")
    ]


def _request_form(
    viewer: policy.Viewer, service: Service, *args: Any, **kwargs: Any
) -> RequestForm:
    return RequestForm(
        *args,
        service=service,
        teams=_teams_of(viewer.person),
        # Filing for someone else is for those who work the service's queue.
        may_file_for_others=policy.works_queue(viewer, service.provider_team),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, slug: str) -> HttpResponse:
    """The service's form; on success, the new request's page with its reference."""
    viewer = viewer_or_404(request)
    with not_found_as_404():
        service = get_service_for(viewer.person, slug)
    if request.method == "GET":
        return _form_page(request, viewer, _request_form(viewer, service))

    form = _request_form(viewer, service, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with not_found_as_404():
                created = submit_request(
                    actor=viewer.person,
                    viewer=viewer,
                    service=service,
                    subject=data["subject"] or "",
                    description=data["description"] or "",
                    form_answers=form.answers(),
                    files=form.uploads(),
                    # The standard fields the service does not offer are not in the form.
                    priority=data.get("priority") or None,
                    impact=data.get("impact") or None,
                    urgency=data.get("urgency") or None,
                    requester=data.get("requester"),
                    customer_team=data.get("customer_team"),
                    external_ref=data.get("external_ref") or "",
                )
        except (InvalidInput, TooLarge) as exc:
            form.add_domain_error(exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Request %(reference)s submitted.") % {"reference": created.reference}
            )
            return redirect(_request_url(created))
    return _form_page(request, viewer, form, status=400)


def _form_page(
    request: HttpRequest, viewer: policy.Viewer, form: RequestForm, *, status: int = 200
) -> HttpResponse:
    service = form.service
    expected = expected_times(service, default_customer_team(viewer), service.default_priority)
    return render(
        request,
        "desk/portal/request_form.html",
        {"form": form, "service": service, "expected": expected},
        status=status,
    )


# --- my requests --------------------------------------------------------------------------


def _filters_for(status: str) -> RequestFilters:
    if status == OPEN:
        return RequestFilters(open=True)
    if status == DONE:
        return RequestFilters(open=False)
    return RequestFilters(status=[status] if status else None)


@login_required
@require_GET
def my_requests(request: HttpRequest) -> HttpResponse:
    """Requests the viewer filed or watches, newest first, a page at a time."""
    viewer = viewer_or_404(request)
    status = request.GET.get("status", "")
    cursor = request.GET.get("cursor") or None
    response_status = 200
    try:
        page = page_of_requests(
            filter_requests(requests_involving(viewer), _filters_for(status)),
            cursor=cursor,
            limit=REQUESTS_PER_PAGE,
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
        page, response_status = KeysetPage[Request](items=[], next_cursor=None), 400
    context = {
        "page": page,
        "status": status,
        "cursor": cursor,
        "status_choices": [
            ("", _("All")),
            (OPEN, _("Open")),
            (DONE, _("Resolved, closed or cancelled")),
            *Status.choices,
        ],
    }
    template = (
        "desk/portal/partials/request_list.html"
        if wants_partial(request)
        else "desk/portal/my_requests.html"
    )
    response = render(request, template, context, status=response_status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- one request ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    to: str
    label: str | Promise
    # Actions with a note open a small form first: ``prompt`` opens it.
    prompt: str | Promise = ""
    note_label: str | Promise = ""
    style: str = "secondary"


# What a requester may do, worded for them, in the order they are offered.
_ACTIONS = {
    Status.CLOSED: Action(Status.CLOSED, gettext_lazy("Accept and close"), style="primary"),
    Status.IN_PROGRESS: Action(
        Status.IN_PROGRESS,
        gettext_lazy("Reopen request"),
        prompt=gettext_lazy("Not solved? Reopen it"),
        note_label=gettext_lazy("What is still not right? (optional)"),
    ),
    Status.CANCELLED: Action(
        Status.CANCELLED,
        gettext_lazy("Cancel request"),
        prompt=gettext_lazy("No longer needed? Cancel it"),
        note_label=gettext_lazy("Why? (optional)"),
        style="danger",
    ),
}


def _clock_states(request: Request) -> list[ClockState]:
    now = timezone.now()
    return [clock_state(clock, now=now) for clock in clocks_of(request)]


def _request_context(
    viewer: policy.Viewer,
    request: Request,
    *,
    reply_form: ReplyForm,
    cursor: str | None = None,
) -> dict[str, Any]:
    """What the page shows; ``cursor`` (``InvalidInput`` if broken) picks the messages' page."""
    attachments = list(attachments_visible_to(viewer, request))
    answers = answers_of(request, attachments=attachments)
    answered_files = {answer.attachment.pk for answer in answers if answer.attachment}
    allowed = policy.transitions_for(viewer, request)
    accepts_reply = request.is_open or request.status == Status.RESOLVED
    return {
        "req": request,
        "is_requester": request.requester_id == viewer.person_id,
        "conversation": conversation_page(
            comments_visible_to(viewer, request), cursor=cursor, limit=COMMENTS_PER_PAGE
        ),
        "cursor": cursor,
        # Files sent with the request itself; those sent with a reply show under it.
        "request_files": [
            a for a in attachments if a.comment_id is None and a.pk not in answered_files
        ],
        "answers": answers,
        "clocks": _clock_states(request),
        "actions": [action for to, action in _ACTIONS.items() if to in allowed],
        "accepts_reply": accepts_reply,
        # The actions' controls join the reply form while there is one (request_side.html).
        "actions_form": "reply-form" if accepts_reply else "request-actions",
        "reply_form": reply_form,
        "follow_ups": follow_up_panel(request),
        "rating_panel": requester_rating_panel(viewer, request),
    }


@login_required
@require_GET
def request_detail(request: HttpRequest, reference: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    found = _visible_request(viewer, reference)
    if policy.can_work_request(viewer, found):
        # The provider's agents get the workspace's view of the same request.
        return redirect(f"/work/requests/{found.reference}/")
    if reference != found.reference:
        # An old reference from before a transfer: send them to today's address.
        return redirect(_request_url(found))
    record_confidential_view(viewer, found, door=AuditDoor.WEB, what="opened the page of")
    cursor = request.GET.get("cursor") or None
    if cursor and wants_partial(request):
        response = _earlier_messages(request, viewer, found, cursor)
    else:
        response = _request_page(request, viewer, found, cursor)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _request_page(
    request: HttpRequest, viewer: policy.Viewer, found: Request, cursor: str | None
) -> HttpResponse:
    drafts = take_drafts(request, found.pk)
    reply_form = ReplyForm(initial={"body": drafts["body"]} if "body" in drafts else None)
    try:
        context = _request_context(viewer, found, reply_form=reply_form, cursor=cursor)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        context = _request_context(viewer, found, reply_form=reply_form)
        return render(request, "desk/portal/request.html", context, status=400)
    return render(request, "desk/portal/request.html", context)


def _earlier_messages(
    request: HttpRequest, viewer: policy.Viewer, found: Request, cursor: str
) -> HttpResponse:
    """The next page of messages, for htmx to put in place of the "Earlier" link."""
    try:
        conversation = conversation_page(
            comments_visible_to(viewer, found), cursor=cursor, limit=COMMENTS_PER_PAGE
        )
    except InvalidInput as exc:
        return render(
            request, "desk/partials/page_link_broken.html", {"message": exc.message}, status=400
        )
    return render(
        request,
        "desk/portal/partials/conversation_items.html",
        {"req": found, "conversation": conversation},
    )


def _rerender(
    request: HttpRequest, viewer: policy.Viewer, found: Request, reply_form: ReplyForm
) -> HttpResponse:
    """The page again after a change or a refusal, keeping what the viewer typed."""
    found = _visible_request(viewer, found.reference)
    context = _request_context(viewer, found, reply_form=reply_form)
    if wants_partial(request):
        return render(request, "desk/portal/partials/conversation_swap.html", context)
    status = 400 if reply_form.errors else 200
    return render(request, "desk/portal/request.html", context, status=status)


@login_required
@require_POST
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    """A public reply, optionally with a file; the typed text survives a refusal."""
    viewer = viewer_or_404(request)
    found = _visible_request(viewer, reference)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = form.cleaned_data["attachment"]
        uploads = (
            [
                Upload(
                    name=uploaded.name or "upload",
                    content_type=uploaded.content_type or "application/octet-stream",
                    stream=uploaded,
                )
            ]
            if uploaded
            else []
        )
        try:
            with not_found_as_404():
                add_comment(
                    actor=viewer.person,
                    request=found,
                    body=form.cleaned_data["body"],
                    attachments=uploads,
                )
        except DomainError as exc:
            # The service's words for the text itself, its whole message for the rest.
            if "body" in exc.fields:
                form.add_error("body", exc.fields["body"])
            else:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("Reply sent."))
            if wants_partial(request):
                return _rerender(request, viewer, found, ReplyForm())
            return redirect(_request_url(found) + "#conversation")
    return _rerender(request, viewer, found, form)


@login_required
@require_POST
def transition(request: HttpRequest, reference: str) -> HttpResponse:
    """Cancel, reopen, or accept and close: whatever ``policy`` lets the viewer do now.

    The reply typed on the page comes along (``body``) and is put back afterwards:
    in place with htmx, which swaps only what the move changed, and through the
    session across the redirect without JavaScript.
    """
    viewer = viewer_or_404(request)
    found = _visible_request(viewer, reference)
    to = request.POST.get("to", "")
    version = request.POST.get("version", "")
    # Each action's note box is named for its move, as they share the reply form.
    note = request.POST.get(f"note-{to}", request.POST.get("note", ""))
    try:
        with not_found_as_404():
            transition_request(
                actor=viewer.person,
                request=found,
                to=to,
                comment=note or None,
                expected_version=database_id(version),
            )
    except StaleVersion:
        messages.error(
            request,
            _("The request changed while you were reading it. Check it again, then retry."),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        done_messages: dict[str, str] = {
            Status.CANCELLED: _("Request %(reference)s cancelled."),
            Status.IN_PROGRESS: _("Request %(reference)s reopened."),
            Status.CLOSED: _("Request %(reference)s closed. Thank you!"),
        }
        done = done_messages.get(to, _("Request %(reference)s updated."))
        messages.success(request, done % {"reference": found.reference})
    drafts = posted_drafts(request.POST, ["body"])
    if wants_partial(request):
        fresh = _visible_request(viewer, found.reference)
        context = _request_context(viewer, fresh, reply_form=ReplyForm(initial=drafts))
        response = render(request, "desk/portal/partials/request_swap.html", context)
        response["HX-Reswap"] = "none"
        return response
    keep_drafts(request, found.pk, drafts)
    return redirect(_request_url(found))


@login_required
@require_GET
def attachment_download(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    """A download, never inline: the file is only found inside a request the viewer sees."""
    viewer = viewer_or_404(request)
    found = _visible_request(viewer, reference)
    with not_found_as_404():
        attachment = get_attachment_for(viewer, found, attachment_id)
        return attachment_response(attachment, viewer=viewer, door=AuditDoor.WEB)
