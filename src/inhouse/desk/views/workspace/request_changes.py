"""The agent's changes to one request: reply, note, move, assign, prioritise, link, transfer.

Each handler validates its form and calls one service. A refusal is shown on the
request page with the form still filled in; a change someone else made meanwhile
(``StaleVersion``) is spelled out and the agent's choice is kept to send again.

Every action's controls belong to the reply form, so each POST also carries what
is typed in the page's other boxes (the reply above all). They come back with the
page: in the parts htmx swaps (never the reply form itself, unless it was the one
sent) or, after the redirect of a plain POST, through the session (``drafts``).
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from inhouse import policy
from inhouse.catalog.models import Priority
from inhouse.core.errors import DomainError, InvalidInput, NotFound, StaleVersion
from inhouse.desk.audit import AuditDoor
from inhouse.desk.forms.workspace import AssignForm, CommentForm, TransferForm, VersionedForm
from inhouse.desk.models import Request, Status
from inhouse.desk.selectors import get_request_for
from inhouse.desk.selectors.history import history_entries
from inhouse.desk.selectors.request_page import parse_loaded_at
from inhouse.desk.services import (
    add_blocker,
    add_comment,
    remove_blocker,
    set_legal_hold,
    transfer_request,
    transition_request,
    update_request,
)
from inhouse.desk.views.drafts import keep_drafts, posted_drafts
from inhouse.desk.views.workspace.request_page import (
    DRAFT_FIELDS,
    NOTE_PREFIX,
    StaleNotice,
    forms_for,
    render_request,
    workable_request,
    worked_request,
)
from inhouse.desk.views.workspace.shared import add_errors, agent_url, queue_url
from inhouse.pages import not_found_as_404, viewer_or_404, wants_partial


def _kept_summary(name: str, form: forms.Form) -> str:
    data = getattr(form, "cleaned_data", {})
    if name == "transition" and data.get("to") in Status.values:
        return _("You were moving it to “%(status)s”.") % {"status": Status(data["to"]).label}
    if isinstance(form, AssignForm) and "assignee" in data:
        assignee = form.chosen_assignee()
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
    if isinstance(form, TransferForm) and data.get("service"):
        return _("You were transferring it to %(service)s.") % {
            "service": form.chosen_service().name
        }
    return _("You were changing it.")


def _drafts_besides(request: HttpRequest, name: str) -> dict[str, str]:
    """What is typed in the page's other boxes; every action's POST carries them along."""
    return posted_drafts(request.POST, [box for form, box in DRAFT_FIELDS.items() if form != name])


def _leave(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect; for htmx, one the browser follows as a whole new page."""
    if wants_partial(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _done(
    request: HttpRequest,
    viewer: policy.Viewer,
    found: Request,
    changed: Request,
    name: str,
    confirmation: str,
) -> HttpResponse:
    """After a change: the changed parts for htmx, else a redirect that keeps the drafts."""
    messages.success(request, confirmation)
    if not policy.can_work_request(viewer, changed):
        # Handed to a team the agent is not in: the request is theirs now.
        return _leave(request, queue_url(found.provider_team))
    drafts = _drafts_besides(request, name)
    if wants_partial(request) and changed.reference == found.reference:
        fresh = workable_request(viewer, changed.reference)
        return render_request(request, viewer, fresh, drafts=drafts, sent=name)
    # A whole page comes next (after a transfer, at the request's new address): the
    # drafts wait for it in the session.
    keep_drafts(request, changed.pk, drafts)
    return _leave(request, agent_url(changed, "conversation" if name in ("reply", "note") else ""))


def _comment(request: HttpRequest, reference: str, *, public: bool) -> HttpResponse:
    viewer = viewer_or_404(request)
    found = worked_request(viewer, reference)
    name = "reply" if public else "note"
    form = CommentForm(request.POST, public=public, prefix=None if public else NOTE_PREFIX)
    if form.is_valid():
        try:
            with not_found_as_404():
                add_comment(
                    actor=viewer.person,
                    request=found,
                    body=form.cleaned_data["body"],
                    public=public,
                )
        except DomainError as exc:
            add_errors(form, exc)
        else:
            confirmation = _("Reply sent.") if public else _("Internal note added.")
            return _done(request, viewer, found, found, name, confirmation)
    return render_request(
        request,
        viewer,
        found,
        bound={name: form},
        drafts=_drafts_besides(request, name),
        sent=name,
        status=400,
    )


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
    found = worked_request(viewer, reference)
    make = forms_for(viewer, found, loaded_at="")[name]
    form = make(request.POST)
    drafts = _drafts_besides(request, name)
    if not form.is_valid():
        return render_request(
            request, viewer, found, bound={name: form}, drafts=drafts, sent=name, status=400
        )
    try:
        with not_found_as_404():
            changed, confirmation = apply(viewer, found, form)
    except StaleVersion:
        return _stale(request, viewer, found, name, form)
    except DomainError as exc:
        add_errors(form, exc, field_names={"blocker": "reference"})
        return render_request(
            request, viewer, found, bound={name: form}, drafts=drafts, sent=name, status=exc.status
        )
    return _done(request, viewer, found, changed, name, confirmation)


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
    fresh = workable_request(viewer, found.reference)
    if not policy.can_work_request(viewer, fresh):
        raise Http404
    loaded_at = parse_loaded_at(str(form.data.get("loaded_at", "")))
    changes = history_entries(viewer, fresh, since=loaded_at) if loaded_at else []
    bound = {}
    if name is not None:
        # The form was bound to the posted data: send that again with the new version.
        data = request.POST.copy()
        data["version"] = str(fresh.version)
        data["loaded_at"] = timezone.now().isoformat()
        bound[name] = forms_for(viewer, fresh, loaded_at="")[name](data)
        kept = kept or _kept_summary(name, form)
    return render_request(
        request,
        viewer,
        fresh,
        bound=bound,
        drafts=_drafts_besides(request, name or ""),
        stale=StaleNotice(changes=changes[-10:], kept=kept),
        sent=name,
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


def _add_blocker(viewer: policy.Viewer, found: Request, form: Any) -> tuple[Request, str]:
    reference = form.cleaned_data["reference"]
    try:
        blocker = get_request_for(viewer, reference)
    except NotFound as exc:
        raise InvalidInput(
            _("No such request."),
            fields={"reference": _("No request %(reference)s.") % {"reference": reference}},
        ) from exc
    changed = add_blocker(
        actor=viewer.person,
        request=found,
        blocker=blocker,
        expected_version=form.cleaned_data["version"],
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


def _legal_hold(viewer: policy.Viewer, found: Request, form: Any) -> tuple[Request, str]:
    hold = form.cleaned_data["hold"]
    changed = set_legal_hold(
        actor=viewer.person,
        request=found,
        hold=hold,
        reason=form.cleaned_data["reason"],
        door=AuditDoor.WEB,
    )
    if hold:
        return changed, _("%(reference)s is on legal hold: it is kept past its retention.") % {
            "reference": changed.reference
        }
    return changed, _("The legal hold on %(reference)s is lifted.") % {
        "reference": changed.reference
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


def _named_blocker(viewer: policy.Viewer, reference: str) -> Request:
    """The blocker the address names; one the viewer cannot see is as good as not linked."""
    try:
        return get_request_for(viewer, reference)
    except NotFound as exc:
        raise InvalidInput(_("That request does not block this one.")) from exc


@login_required
@require_POST
def request_dependency_remove(
    request: HttpRequest, reference: str, blocker_reference: str
) -> HttpResponse:
    viewer = viewer_or_404(request)
    found = worked_request(viewer, reference)
    form = VersionedForm(request.POST)
    drafts = _drafts_besides(request, "")
    if not form.is_valid():
        messages.error(request, _("This page is out of date. Reload it and try again."))
        return render_request(request, viewer, found, drafts=drafts, status=400)
    blocker_reference = blocker_reference.upper()
    try:
        with not_found_as_404():
            remove_blocker(
                actor=viewer.person,
                request=found,
                blocker=_named_blocker(viewer, blocker_reference),
                expected_version=form.cleaned_data["version"],
            )
    except StaleVersion:
        return _stale(
            request,
            viewer,
            found,
            None,
            form,
            kept=_("You were removing %(reference)s as a blocker.")
            % {"reference": blocker_reference},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return render_request(request, viewer, found, drafts=drafts, status=exc.status)
    confirmation = _("%(blocker)s no longer blocks %(reference)s.") % {
        "blocker": blocker_reference,
        "reference": found.reference,
    }
    return _done(request, viewer, found, found, "", confirmation)


@login_required
@require_POST
def request_transfer(request: HttpRequest, reference: str) -> HttpResponse:
    return _change(request, reference, "transfer", _transfer)


@login_required
@require_POST
def request_legal_hold(request: HttpRequest, reference: str) -> HttpResponse:
    return _change(request, reference, "legal_hold", _legal_hold)
