"""A team's canned replies: list, add, edit and delete them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from inhouse.core.errors import DomainError
from inhouse.desk.forms.workspace import CannedReplyForm
from inhouse.desk.selectors.canned import canned_replies_for, get_canned_reply_for
from inhouse.desk.services.workspace import (
    create_canned_reply,
    delete_canned_reply,
    update_canned_reply,
)
from inhouse.desk.views.workspace.shared import add_errors, queue_team
from inhouse.pages import not_found_as_404, viewer_or_404


@login_required
@require_http_methods(["GET", "POST"])
def canned_list(request: HttpRequest, team_slug: str) -> HttpResponse:
    """The team's canned replies, and a form to add one."""
    viewer = viewer_or_404(request)
    team = queue_team(viewer, team_slug)
    form = CannedReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with not_found_as_404():  # a refusal is audited, then shown below
                    reply = create_canned_reply(actor=viewer.person, team=team, **form.cleaned_data)
            except DomainError as exc:
                add_errors(form, exc)
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
    team = queue_team(viewer, team_slug)
    with not_found_as_404():
        reply = get_canned_reply_for(viewer, team, reply_id)
    form = CannedReplyForm(request.POST or None, initial={"title": reply.title, "body": reply.body})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                with not_found_as_404():  # a refusal is audited, then shown below
                    update_canned_reply(actor=viewer.person, reply=reply, **form.cleaned_data)
            except DomainError as exc:
                add_errors(form, exc)
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
    team = queue_team(viewer, team_slug)
    with not_found_as_404():
        reply = get_canned_reply_for(viewer, team, reply_id)
    try:
        with not_found_as_404():  # a refusal is audited, then shown below
            delete_canned_reply(actor=viewer.person, reply=reply)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Deleted “%(title)s”.") % {"title": reply.title})
    return redirect("workspace:canned", team_slug=team.slug)
