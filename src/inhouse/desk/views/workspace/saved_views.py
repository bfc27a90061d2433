"""An agent's saved views of a queue: save the filters on screen, remove, reorder."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inhouse.core.errors import InvalidInput
from inhouse.desk.forms.workspace import SavedViewForm
from inhouse.desk.selectors.saved_views import get_saved_view_for
from inhouse.desk.services.workspace import delete_saved_view, move_saved_view, save_view
from inhouse.desk.views.workspace.shared import back_to_queue, queue_team, queue_url
from inhouse.pages import not_found_as_404, viewer_or_404


@login_required
@require_POST
def view_save(request: HttpRequest, team_slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = queue_team(viewer, team_slug)
    form = SavedViewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the view a name (at most 100 characters)."))
        return redirect(back_to_queue(team, request.POST.get("query", "")))
    try:
        view = save_view(
            actor=viewer.person,
            team=team,
            name=form.cleaned_data["name"],
            query=form.cleaned_data["query"],
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect(back_to_queue(team, form.cleaned_data["query"]))
    messages.success(request, _("Saved the view “%(name)s”.") % {"name": view.name})
    return redirect(back_to_queue(team, view.query))


@login_required
@require_POST
def view_delete(request: HttpRequest, team_slug: str, view_id: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = queue_team(viewer, team_slug)
    with not_found_as_404():
        view = get_saved_view_for(viewer, team, view_id)
    delete_saved_view(actor=viewer.person, view=view)
    messages.success(request, _("Removed the view “%(name)s”.") % {"name": view.name})
    return redirect(queue_url(team))


@login_required
@require_POST
def view_move(request: HttpRequest, team_slug: str, view_id: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = queue_team(viewer, team_slug)
    with not_found_as_404():
        view = get_saved_view_for(viewer, team, view_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    move_saved_view(actor=viewer.person, view=view, offset=offset)
    return redirect(back_to_queue(team, request.POST.get("back", "")))
