"""The agent's side: a team's queue, the request page, canned replies and saved views.

Pages read through the selectors (which apply visibility) and every change is one
service call. A queue or request the viewer may not work answers 404; a requester
who opens the agent page of their own request is sent to the portal page. Domain
errors come back as messages or form errors on the page, never as a server error.
Forms that change a request's fields carry its ``version``: a change made by
someone else meanwhile is explained on the page, and what the agent typed is kept.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inhouse import policy
from inhouse.catalog.models import Priority
from inhouse.core.errors import DomainError, InvalidInput, NotFound, StaleVersion
from inhouse.desk.models import Request, SavedView, Status
from inhouse.desk.selectors import (
    attachments_visible_to,
    blocked_by_this,
    blockers_of,
    comments_visible_to,
    get_request_for,
)
from inhouse.desk.selectors_workspace import (
    QUEUE_PARAMS,
    SORT_DUE,
    HistoryEntry,
    QueueQuery,
    canned_replies_for,
    clock_views,
    conversation_of,
    get_canned_reply_for,
    get_queue_team,
    get_saved_view_for,
    hidden_blocker_count,
    history_entries,
    membership_teams,
    parse_loaded_at,
    parse_queue_query,
    queue_choices,
    queue_counts,
    queue_for,
    queue_teams_for,
    recent_requests_of,
    saved_views_of,
    team_agents,
    transfer_services,
)
from inhouse.desk.services import add_comment, transfer_request, transition_request, update_request
from inhouse.desk.services.workspace import (
    bulk_assign,
    bulk_transition,
    create_canned_reply,
    delete_canned_reply,
    delete_saved_view,
    move_saved_view,
    render_canned_reply,
    save_view,
    update_canned_reply,
)
from inhouse.desk.workspace_forms import (
    AssignForm,
    BulkForm,
    CannedReplyForm,
    CommentForm,
    DependencyForm,
    PriorityForm,
    SavedViewForm,
    TransferForm,
    TransitionForm,
    VersionedForm,
)
from inhouse.org.models import Team
from inhouse.pages import viewer_or_404

LATEST_COMMENTS = 100
# How each move reads on its button, from the agent's side.
TRANSITION_LABELS = {
    Status.IN_PROGRESS: gettext_lazy("Start work"),
    Status.WAITING_ON_CUSTOMER: gettext_lazy("Wait on customer"),
    Status.WAITING_ON_SUPPLIER: gettext_lazy("Wait on supplier"),
    Status.RESOLVED: gettext_lazy("Resolve"),
    Status.CLOSED: gettext_lazy("Close"),
    Status.CANCELLED: gettext_lazy("Cancel request"),
}


def _queue_team(viewer: policy.Viewer, slug: str) -> Team:
    try:
        return get_queue_team(viewer, slug)
    except NotFound as exc:
        raise Http404 from exc


def _queue_url(team: Team, query: QueueQuery | None = None, *, with_cursor: bool = False) -> str:
    url = reverse("workspace:queue", kwargs={"team_slug": team.slug})
    querystring = query.querystring(with_cursor=with_cursor) if query else ""
    return f"{url}?{querystring}" if querystring else url


def _agent_url(request: Request, anchor: str = "") -> str:
    url = reverse("workspace:request", kwargs={"reference": request.reference})
    return f"{url}#{anchor}" if anchor else url


def _add_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service's complaints on the fields they name, the rest on the whole form."""
    placed = False
    for name, message in exc.fields.items():
        if name in form.fields and name not in ("version", "loaded_at"):
            form.add_error(name, message)
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, exc.message)


# --- /work/ ------------------------------------------------------------------------------------


@login_required
@require_GET
def work_home(request: HttpRequest) -> HttpResponse:
    """Straight to the viewer's first queue."""
    viewer = viewer_or_404(request)
    teams = queue_teams_for(viewer)
    if not teams:
        raise Http404
    return redirect("workspace:queue", team_slug=teams[0].slug)


# --- the queue ---------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest, team_slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = _queue_team(viewer, team_slug)
    agents = team_agents(team)
    choices = queue_choices(team, agents=agents)
    errors: dict[str, str] = {}
    query: QueueQuery | None = None
    page = None
    try:
        query = parse_queue_query(request.GET, choices=choices)
        page = queue_for(viewer, team, query.filters_for(viewer), query.sort, query.cursor or None)
    except InvalidInput as exc:
        errors = exc.fields or {"query": exc.message}
    status = 400 if errors else 200
    context: dict[str, Any] = {
        "team": team,
        "query": query,
        "errors": errors,
        "page": page,
        "choices": choices,
        "selected": {name: request.GET.getlist(name) for name in QUEUE_PARAMS},
        "sort": request.GET.get("sort") or SORT_DUE,
        "priorities": Priority.choices,
        "querystring": query.querystring() if query else "",
        "back": query.querystring(with_cursor=True) if query else "",
        "active_filters": len([name for name, _value in query.pairs() if name != "sort"])
        if query
        else 0,
        "first_page_url": _queue_url(team, query) if query and query.cursor else "",
        "next_page_url": _queue_url(team, query.with_cursor(page.next_cursor), with_cursor=True)
        if query and page and page.next_cursor
        else "",
        "bulk_form": BulkForm(agents=agents),
        "save_form": SavedViewForm(initial={"query": query.querystring() if query else ""}),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(
            request, "desk/workspace/partials/queue_results.html", context, status=status
        )
        if query is not None:
            response["HX-Push-Url"] = _queue_url(team, query, with_cursor=True)
        return response
    saved = saved_views_of(viewer, team)
    counts = queue_counts(viewer, team, saved)
    status_counts = [
        (value, label, counts.by_status.get(value, 0)) for value, label in Status.choices
    ]
    context.update(
        teams=queue_teams_for(viewer),
        counts=counts,
        status_counts=status_counts,
        # Closed and cancelled stay in the status filter; as tabs they would crowd out the work.
        status_tabs=[
            row for row in status_counts if row[0] not in (Status.CLOSED, Status.CANCELLED)
        ],
        saved_views=[
            (
                view,
                counts.by_view.get(view.pk),
                query is not None and view.query == query.querystring(),
            )
            for view in saved
        ],
    )
    return render(request, "desk/workspace/queue.html", context, status=status)


def _back_to_queue(team: Team, querystring: str) -> str:
    """The queue as it was, if the query still reads; the plain queue otherwise."""
    try:
        return _queue_url(team, parse_queue_query(querystring.lstrip("?")), with_cursor=True)
    except InvalidInput:
        return _queue_url(team)


@login_required
@require_POST
def queue_bulk(request: HttpRequest, team_slug: str) -> HttpResponse:
    """Assign or move the selected requests; each one's outcome is reported."""
    viewer = viewer_or_404(request)
    team = _queue_team(viewer, team_slug)
    form = BulkForm(request.POST, agents=team_agents(team))
    back = _back_to_queue(team, request.POST.get("back", ""))
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    try:
        if data["action"] == BulkForm.ASSIGN:
            assignee = form.chosen_assignee()
            outcomes = bulk_assign(actor=viewer.person, references=data["ref"], assignee=assignee)
            done = (
                _("Assigned to %(name)s") % {"name": assignee.full_name}
                if assignee
                else _("Unassigned")
            )
        else:
            outcomes = bulk_transition(actor=viewer.person, references=data["ref"], to=data["to"])
            done = _("Moved to “%(status)s”") % {"status": Status(data["to"]).label}
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect(back)
    succeeded = [outcome.reference for outcome in outcomes if outcome.ok]
    if succeeded:
        messages.success(request, f"{done}: {', '.join(succeeded)}.")
    for outcome in outcomes:
        if not outcome.ok:
            messages.error(
                request,
                _("%(reference)s not changed: %(reason)s")
                % {"reference": outcome.reference, "reason": outcome.message},
            )
    return redirect(back)


# --- saved views -------------------------------------------------------------------------------


@login_required
@require_POST
def view_save(request: HttpRequest, team_slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = _queue_team(viewer, team_slug)
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name (at most 100 characters)."))
        return redirect(_back_to_queue(team, request.POST.get("query", "")))
    try:
        view = save_view(
            actor=viewer.person,
            team=team,
            name=form.cleaned_data["name"],
            query=form.cleaned_data["query"],
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect(_back_to_queue(team, form.cleaned_data["query"]))
    messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
    return redirect(_back_to_queue(team, view.query))


def _own_saved_view(viewer: policy.Viewer, team: Team, view_id: int) -> SavedView:
    try:
        return get_saved_view_for(viewer, team, view_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_POST
def view_delete(request: HttpRequest, team_slug: str, view_id: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = _queue_team(viewer, team_slug)
    view = _own_saved_view(viewer, team, view_id)
    delete_saved_view(actor=viewer.person, view=view)
    messages.success(request, _("Removed the view “%(name)s”.") % {"name": view.name})
    return redirect(_queue_url(team))


@login_required
@require_POST
def view_move(request: HttpRequest, team_slug: str, view_id: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = _queue_team(viewer, team_slug)
    view = _own_saved_view(viewer, team, view_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    move_saved_view(actor=viewer.person, view=view, offset=offset)
    return redirect(_back_to_queue(team, request.POST.get("back", "")))


# --- canned replies ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def canned_list(request: HttpRequest, team_slug: str) -> HttpResponse:
    """The team's canned replies, and a form to add one."""
    viewer = viewer_or_404(request)
    team = _queue_team(viewer, team_slug)
    form = CannedReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reply = create_canned_reply(actor=viewer.person, team=team, **form.cleaned_data)
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Added “%(title)s”.") % {"title": reply.title})
                return redirect("workspace:canned", team_slug=team.slug)
        status = 400
    return render(
        request,
        "desk/workspace/canned_list.html",
        {"team": team, "replies": canned_replies_for(viewer, team), "form": form},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def canned_edit(request: HttpRequest, team_slug: str, reply_id: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = _queue_team(viewer, team_slug)
    try:
        reply = get_canned_reply_for(viewer, team, reply_id)
    except NotFound as exc:
        raise Http404 from exc
    form = CannedReplyForm(request.POST or None, initial={"title": reply.title, "body": reply.body})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                update_canned_reply(actor=viewer.person, reply=reply, **form.cleaned_data)
            except DomainError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Saved “%(title)s”.") % {"title": reply.title})
                return redirect("workspace:canned", team_slug=team.slug)
        status = 400
    return render(
        request,
        "desk/workspace/canned_edit.html",
        {"team": team, "reply": reply, "form": form},
        status=status,
    )


@login_required
@require_POST
def canned_delete(request: HttpRequest, team_slug: str, reply_id: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = _queue_team(viewer, team_slug)
    try:
        reply = get_canned_reply_for(viewer, team, reply_id)
        delete_canned_reply(actor=viewer.person, reply=reply)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Deleted “%(title)s”.") % {"title": reply.title})
    return redirect("workspace:canned", team_slug=team.slug)


# --- the agent's request page ------------------------------------------------------------------


def _workable_request(viewer: policy.Viewer, reference: str) -> Request:
    """The request if the viewer may see it (404 otherwise); callers check they work it."""
    try:
        return get_request_for(viewer, reference)
    except NotFound as exc:
        raise Http404 from exc


def _worked_request(viewer: policy.Viewer, reference: str) -> Request:
    """For changes: a request the viewer sees but does not work is as good as missing."""
    found = _workable_request(viewer, reference)
    if not policy.can_work_request(viewer, found):
        raise Http404
    return found


@dataclass(frozen=True)
class StaleNotice:
    changes: list[HistoryEntry]
    # What the agent was doing, in words; it is kept in the form, unsaved.
    kept: str


def _kept_summary(name: str, form: forms.Form) -> str:
    data = getattr(form, "cleaned_data", {})
    if name == "transition" and data.get("to") in Status.values:
        return _("You were moving it to “%(status)s”.") % {"status": Status(data["to"]).label}
    if name == "assign" and "assignee" in data:
        assignee = form.chosen_assignee()  # type: ignore[attr-defined]
        return (
            _("You were assigning it to %(name)s.") % {"name": assignee.full_name}
            if assignee
            else _("You were unassigning it.")
        )
    if name == "priority" and data.get("priority") in Priority.values:
        return _("You were changing the priority to %(priority)s.") % {
            "priority": Priority(data["priority"]).label.lower()
        }
    if name == "dependency" and data.get("reference"):
        return _("You were adding %(reference)s as a blocker.") % {"reference": data["reference"]}
    if name == "transfer" and data.get("service"):
        return _("You were transferring it to %(service)s.") % {
            "service": form.chosen_service().name  # type: ignore[attr-defined]
        }
    return _("You were changing it.")


@dataclass(frozen=True)
class Answer:
    label: str
    value: Any


def _answers(found: Request) -> list[Answer]:
    labels = {field.key: field.label for field in found.service.form_fields.all()}
    return [
        Answer(label=labels.get(key, key), value=value)
        for key, value in (found.form_answers or {}).items()
        if value not in (None, "", [])
    ]


def _forms_for(
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


def _render_request(
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
    makers = _forms_for(viewer, found, loaded_at=loaded_at)
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
        "answers": _answers(found),
        "comments": comments,
        "comment_total": comment_total,
        "attachments": list(attachments_visible_to(viewer, found)),
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
    found = _workable_request(viewer, reference)
    if not policy.can_work_request(viewer, found):
        return redirect("portal:request", reference=found.reference)
    if found.reference != reference:
        # An old reference (before a transfer) or another spelling: one address per request.
        return redirect(_agent_url(found))
    reply_text = ""
    canned_id = request.GET.get("canned", "")
    if canned_id:
        reply = None
        if canned_id.isdigit():
            try:
                reply = get_canned_reply_for(viewer, found.provider_team, int(canned_id))
            except NotFound:
                reply = None
        if reply is None:
            messages.error(request, _("That canned reply does not exist (any more)."))
        else:
            reply_text = render_canned_reply(reply=reply, request=found, agent=viewer.person)
    return _render_request(request, viewer, found, reply_text=reply_text)


@login_required
@require_GET
def canned_text(request: HttpRequest, reference: str, reply_id: int) -> HttpResponse:
    """A canned reply filled in for this request, as plain text for the picker to insert."""
    viewer = viewer_or_404(request)
    found = _worked_request(viewer, reference)
    try:
        reply = get_canned_reply_for(viewer, found.provider_team, reply_id)
    except NotFound as exc:
        raise Http404 from exc
    text = render_canned_reply(reply=reply, request=found, agent=viewer.person)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def request_clocks(request: HttpRequest, reference: str) -> HttpResponse:
    """The clocks panel alone; the page polls it so the countdown stays true."""
    viewer = viewer_or_404(request)
    found = _worked_request(viewer, reference)
    now = timezone.now()
    return render(
        request,
        "desk/workspace/partials/clocks.html",
        {"req": found, "clocks": clock_views(found, now=now), "now": now},
    )


def _comment(request: HttpRequest, reference: str, *, public: bool) -> HttpResponse:
    viewer = viewer_or_404(request)
    found = _worked_request(viewer, reference)
    name = "reply" if public else "note"
    form = CommentForm(request.POST, public=public)
    if form.is_valid():
        try:
            add_comment(
                actor=viewer.person, request=found, body=form.cleaned_data["body"], public=public
            )
        except NotFound as exc:
            raise Http404 from exc
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Reply sent.") if public else _("Internal note added."))
            return redirect(_agent_url(found, "conversation"))
    return _render_request(request, viewer, found, bound={name: form}, status=400)


@login_required
@require_POST
def request_reply(request: HttpRequest, reference: str) -> HttpResponse:
    return _comment(request, reference, public=True)


@login_required
@require_POST
def request_note(request: HttpRequest, reference: str) -> HttpResponse:
    return _comment(request, reference, public=False)


def _change(
    request: HttpRequest,
    reference: str,
    name: str,
    apply: Callable[[policy.Viewer, Request, Any], tuple[Request, str]],
) -> HttpResponse:
    """Validate the named form, apply the change, and explain a stale version or a refusal.

    ``apply`` calls one service and returns the changed request and a confirmation.
    """
    viewer = viewer_or_404(request)
    found = _worked_request(viewer, reference)
    make = _forms_for(viewer, found, loaded_at="")[name]
    form = make(request.POST)
    if not form.is_valid():
        return _render_request(request, viewer, found, bound={name: form}, status=400)
    try:
        changed, confirmation = apply(viewer, found, form)
    except StaleVersion:
        return _stale(request, viewer, found, name, form)
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        _add_errors(form, exc)
        return _render_request(request, viewer, found, bound={name: form}, status=exc.status)
    messages.success(request, confirmation)
    if not policy.can_work_request(viewer, changed):
        # Handed to a team the agent is not in: the request is theirs now.
        return redirect(_queue_url(found.provider_team))
    return redirect(_agent_url(changed))


def _stale(
    request: HttpRequest,
    viewer: policy.Viewer,
    found: Request,
    name: str | None,
    form: forms.Form,
    *,
    kept: str = "",
) -> HttpResponse:
    """Show what changed since the agent loaded the page, keeping what they chose or typed.

    The kept form (``name``) now carries the current version: sending it again
    applies the change on top of what the agent has just been shown.
    """
    fresh = _workable_request(viewer, found.reference)
    if not policy.can_work_request(viewer, fresh):
        raise Http404
    loaded_at = parse_loaded_at(str(form.data.get("loaded_at", "")))
    changes = history_entries(viewer, fresh, since=loaded_at) if loaded_at else []
    bound = {}
    if name is not None:
        data: QueryDict = form.data.copy()
        data["version"] = str(fresh.version)
        data["loaded_at"] = timezone.now().isoformat()
        bound[name] = _forms_for(viewer, fresh, loaded_at="")[name](data)
        kept = kept or _kept_summary(name, form)
    return _render_request(
        request,
        viewer,
        fresh,
        bound=bound,
        stale=StaleNotice(changes=changes[-10:], kept=kept),
        status=409,
    )


def _transition(viewer: policy.Viewer, found: Request, form: Any) -> tuple[Request, str]:
    data = form.cleaned_data
    changed = transition_request(
        actor=viewer.person,
        request=found,
        to=data["to"],
        comment=data["comment"] or None,
        expected_version=data["version"],
    )
    return changed, _("%(reference)s is now “%(status)s”.") % {
        "reference": changed.reference,
        "status": Status(changed.status).label,
    }


def _assign(viewer: policy.Viewer, found: Request, form: Any) -> tuple[Request, str]:
    assignee = form.chosen_assignee()
    changed = update_request(
        actor=viewer.person,
        request=found,
        expected_version=form.cleaned_data["version"],
        assignee=assignee,
    )
    if assignee is None:
        return changed, _("%(reference)s is unassigned.") % {"reference": changed.reference}
    return changed, _("%(reference)s is assigned to %(name)s.") % {
        "reference": changed.reference,
        "name": assignee.full_name,
    }


def _priority(viewer: policy.Viewer, found: Request, form: Any) -> tuple[Request, str]:
    changed = update_request(
        actor=viewer.person,
        request=found,
        expected_version=form.cleaned_data["version"],
        priority=form.cleaned_data["priority"],
    )
    return changed, _("Priority is now %(priority)s.") % {
        "priority": Priority(changed.priority).label.lower()
    }


def _current_blockers(viewer: policy.Viewer, found: Request) -> list[Request]:
    if hidden_blocker_count(viewer, found):
        # update_request replaces the whole set, and the viewer cannot name what they cannot see.
        raise InvalidInput(
            _(
                "This request is also blocked by requests you cannot see, so its "
                "dependencies cannot be changed here. Ask an admin."
            )
        )
    return list(blockers_of(viewer, found).order_by("pk"))


def _add_blocker(viewer: policy.Viewer, found: Request, form: Any) -> tuple[Request, str]:
    reference = form.cleaned_data["reference"]
    try:
        blocker = get_request_for(viewer, reference)
    except NotFound as exc:
        raise InvalidInput(
            _("No such request."),
            fields={"reference": _("No request %(reference)s.") % {"reference": reference}},
        ) from exc
    current = _current_blockers(viewer, found)
    if blocker.pk in {r.pk for r in current}:
        raise InvalidInput(
            _("Already linked."),
            fields={
                "reference": _("%(reference)s already blocks this request.")
                % {"reference": blocker.reference}
            },
        )
    changed = update_request(
        actor=viewer.person,
        request=found,
        expected_version=form.cleaned_data["version"],
        blocked_by=[*current, blocker],
    )
    return changed, _("%(blocker)s now blocks %(reference)s.") % {
        "blocker": blocker.reference,
        "reference": changed.reference,
    }


def _transfer(viewer: policy.Viewer, found: Request, form: Any) -> tuple[Request, str]:
    service = form.chosen_service()
    changed = transfer_request(
        actor=viewer.person,
        request=found,
        service=service,
        expected_version=form.cleaned_data["version"],
        note=form.cleaned_data["note"],
    )
    return changed, _("Transferred to %(service)s (%(team)s) as %(reference)s.") % {
        "service": service.name,
        "team": service.provider_team.name,
        "reference": changed.reference,
    }


@login_required
@require_POST
def request_transition(request: HttpRequest, reference: str) -> HttpResponse:
    return _change(request, reference, "transition", _transition)


@login_required
@require_POST
def request_assign(request: HttpRequest, reference: str) -> HttpResponse:
    return _change(request, reference, "assign", _assign)


@login_required
@require_POST
def request_priority(request: HttpRequest, reference: str) -> HttpResponse:
    return _change(request, reference, "priority", _priority)


@login_required
@require_POST
def request_dependency_add(request: HttpRequest, reference: str) -> HttpResponse:
    return _change(request, reference, "dependency", _add_blocker)


@login_required
@require_POST
def request_dependency_remove(
    request: HttpRequest, reference: str, blocker_reference: str
) -> HttpResponse:
    viewer = viewer_or_404(request)
    found = _worked_request(viewer, reference)
    form = VersionedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect(_agent_url(found))
    try:
        current = _current_blockers(viewer, found)
        remaining = [r for r in current if r.reference != blocker_reference.upper()]
        if len(remaining) == len(current):
            raise InvalidInput(_("That request does not block this one."))
        update_request(
            actor=viewer.person,
            request=found,
            expected_version=form.cleaned_data["version"],
            blocked_by=remaining,
        )
    except StaleVersion:
        return _stale(
            request,
            viewer,
            found,
            None,
            form,
            kept=_("You were removing %(reference)s as a blocker.")
            % {"reference": blocker_reference.upper()},
        )
    except NotFound as exc:
        raise Http404 from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(blocker)s no longer blocks %(reference)s.")
            % {"blocker": blocker_reference.upper(), "reference": found.reference},
        )
    return redirect(_agent_url(found, "dependencies"))


@login_required
@require_POST
def request_transfer(request: HttpRequest, reference: str) -> HttpResponse:
    return _change(request, reference, "transfer", _transfer)
