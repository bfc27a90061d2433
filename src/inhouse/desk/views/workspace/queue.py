"""The team's queue: its filters, pages and counts, and bulk work on what is selected."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inhouse.catalog.models import Priority
from inhouse.core.errors import InvalidInput
from inhouse.desk.forms.workspace import BulkForm, SavedViewForm
from inhouse.desk.models import Status
from inhouse.desk.selectors.filters import FILTER_PARAMS, SEARCH_PARAMS
from inhouse.desk.selectors.queue import (
    QUEUE_PARAMS,
    SORT_DUE,
    QueueQuery,
    parse_queue_query,
    queue_choices,
    queue_counts,
    queue_for,
    queue_teams_for,
    team_agents,
)
from inhouse.desk.selectors.saved_views import saved_views_of
from inhouse.desk.services.workspace import bulk_assign, bulk_transition
from inhouse.desk.views.workspace.queue_rows import queue_rows_html
from inhouse.desk.views.workspace.shared import back_to_queue, queue_team, queue_url
from inhouse.pages import viewer_or_404, wants_partial


@login_required
@require_GET
def work_home(request: HttpRequest) -> HttpResponse:
    """Straight to the viewer's first queue."""
    viewer = viewer_or_404(request)
    teams = queue_teams_for(viewer)
    if not teams:
        raise Http404
    return redirect("workspace:queue", team_slug=teams[0].slug)


def _selected(params: QueryDict) -> dict[str, list[str]]:
    """What the filter controls show: the values as sent, even ones that were refused."""
    selected = {name: params.getlist(name) for name in (*FILTER_PARAMS, *QUEUE_PARAMS)}
    # One search box, whichever name the link used.
    selected["text"] = [value for name in SEARCH_PARAMS for value in params.getlist(name)][-1:]
    return selected


@login_required
@require_GET
def queue(request: HttpRequest, team_slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = queue_team(viewer, team_slug)
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
        "rows": page.rows if page else [],
        "rows_html": queue_rows_html(page.rows) if page else "",
        "choices": choices,
        "selected": _selected(request.GET),
        "sort": request.GET.get("sort") or SORT_DUE,
        "priorities": Priority.choices,
        "querystring": query.querystring() if query else "",
        "back": query.querystring(with_cursor=True) if query else "",
        "active_filters": len([name for name, _value in query.pairs() if name != "sort"])
        if query
        else 0,
        "first_page_url": queue_url(team, query) if query and query.cursor else "",
        "next_page_url": queue_url(team, query.with_cursor(page.next_cursor), with_cursor=True)
        if query and page and page.next_cursor
        else "",
        "bulk_form": BulkForm(agents=agents),
        "save_form": SavedViewForm(initial={"query": query.querystring() if query else ""}),
    }
    if wants_partial(request):
        response = render(
            request, "desk/workspace/partials/queue_results.html", context, status=status
        )
        if query is not None:
            response["HX-Push-Url"] = queue_url(team, query, with_cursor=True)
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


@login_required
@require_POST
def queue_bulk(request: HttpRequest, team_slug: str) -> HttpResponse:
    """Assign or move the selected requests; each one's outcome is reported."""
    viewer = viewer_or_404(request)
    team = queue_team(viewer, team_slug)
    form = BulkForm(request.POST, agents=team_agents(team))
    back = back_to_queue(team, request.POST.get("back", ""))
    if not form.is_valid():
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
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
