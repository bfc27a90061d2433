"""The ideas forum's pages: the list (sorted and filtered, a page at a time), proposing,
one idea with its votes, comments and status history, and the owning team's answer.

Each page reads through ``knowledge.selectors.ideas`` and changes through one call to
``knowledge.services.ideas``; bad input comes back as a message or a field error with a
400, never a server error. Voting works as a plain POST form that redirects back, and
htmx swaps just the vote button in place.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inhouse import policy
from inhouse.core.errors import DomainError, InvalidInput
from inhouse.core.pagination import KeysetPage, page_by_id
from inhouse.knowledge.models.ideas import Idea, IdeaComment, IdeaStatus
from inhouse.knowledge.selectors.ideas import (
    EVERYONE,
    IdeaSort,
    comments_of,
    get_idea_for,
    history_of,
    page_of_ideas,
    read_idea_filters,
    teams_for_ideas,
)
from inhouse.knowledge.services.ideas import (
    comment_on_idea,
    may_set_status,
    propose_idea,
    remove_vote_for_idea,
    set_idea_status,
    vote_for_idea,
)
from inhouse.org.models import Team
from inhouse.pages import not_found_as_404, viewer_or_404, wants_partial

IDEAS_PER_PAGE = 25
COMMENTS_PER_PAGE = 50

_SORT_LABELS = {
    IdeaSort.VOTES: gettext_lazy("Most votes"),
    IdeaSort.RECENT: gettext_lazy("Newest"),
    IdeaSort.STATUS: gettext_lazy("Status"),
}


def _idea_url(idea: Idea | int) -> str:
    pk = idea if isinstance(idea, int) else idea.pk
    return reverse("ideas:detail", kwargs={"idea_id": pk})


def _visible_idea(viewer: policy.Viewer, idea_id: int) -> Idea:
    with not_found_as_404():
        return get_idea_for(viewer, idea_id)


# --- the list --------------------------------------------------------------------------------


@login_required
@require_GET
def idea_list(request: HttpRequest) -> HttpResponse:
    """Every idea, most votes first unless told otherwise, filtered by team and status."""
    viewer = viewer_or_404(request)
    sort = request.GET.get("sort") or IdeaSort.VOTES
    team = request.GET.get("team", "")
    status = request.GET.get("status", "")
    cursor = request.GET.get("cursor") or None
    response_status = 200
    try:
        page = page_of_ideas(
            viewer,
            read_idea_filters(team=team or None, status=status or None),
            sort=sort,
            cursor=cursor,
            limit=IDEAS_PER_PAGE,
        )
    except InvalidInput as exc:
        messages.error(request, " ".join([exc.message, *exc.fields.values()]))
        page, response_status = KeysetPage[Idea](items=[], next_cursor=None), 400
    context = {
        "page": page,
        "sort": sort,
        "team": team,
        "status": status,
        "cursor": cursor,
        "everyone": EVERYONE,
        "sort_choices": list(_SORT_LABELS.items()),
        "status_choices": IdeaStatus.choices,
        "teams": teams_for_ideas(),
    }
    template = (
        "knowledge/ideas/partials/idea_list.html"
        if wants_partial(request)
        else "knowledge/ideas/list.html"
    )
    response = render(request, template, context, status=response_status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- proposing -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest) -> HttpResponse:
    """The form to propose an idea to a team or to everyone."""
    viewer = viewer_or_404(request)
    values = {"title": "", "body": "", "team": request.GET.get("team", "")}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in values}
        team = None
        if values["team"]:
            team = Team.objects.filter(slug=values["team"], is_active=True).first()
            if team is None:
                errors["team"] = _("No such team.")
        if not errors:
            try:
                idea = propose_idea(
                    actor=viewer.person,
                    title=values["title"],
                    body=values["body"],
                    owning_team=team,
                )
            except DomainError as exc:
                errors = exc.fields or {"__all__": exc.message}
            else:
                messages.success(request, _("Your idea is proposed."))
                return redirect(_idea_url(idea))
    return render(
        request,
        "knowledge/ideas/new.html",
        {"values": values, "errors": errors, "teams": teams_for_ideas()},
        status=400 if errors else 200,
    )


# --- one idea --------------------------------------------------------------------------------


def _detail_context(
    viewer: policy.Viewer,
    idea: Idea,
    *,
    cursor: str | None = None,
    comment_body: str = "",
    errors: dict[str, str] | None = None,
    status_values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the idea's page shows; ``cursor`` (``InvalidInput`` if broken) pages the comments."""
    comments: KeysetPage[IdeaComment] = page_by_id(
        comments_of(idea), cursor=cursor, limit=COMMENTS_PER_PAGE, newest_first=False
    )
    return {
        "idea": idea,
        "comments": comments,
        "cursor": cursor,
        "history": history_of(idea),
        "may_set_status": may_set_status(viewer, idea),
        "status_choices": [choice for choice in IdeaStatus.choices if choice[0] != idea.status],
        "comment_body": comment_body,
        "errors": errors or {},
        "status_values": status_values or {},
        "back": _idea_url(idea),
    }


@login_required
@require_GET
def idea_detail(request: HttpRequest, idea_id: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    idea = _visible_idea(viewer, idea_id)
    cursor = request.GET.get("cursor") or None
    try:
        context = _detail_context(viewer, idea, cursor=cursor)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return render(
            request, "knowledge/ideas/detail.html", _detail_context(viewer, idea), status=400
        )
    return render(request, "knowledge/ideas/detail.html", context)


def _back_to(request: HttpRequest, idea: Idea) -> str:
    """Where a plain form returns to: the page it was sent from, if it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return _idea_url(idea)


@login_required
@require_POST
def vote(request: HttpRequest, idea_id: int) -> HttpResponse:
    """Vote (``vote=add``) or take the vote back (``vote=remove``); htmx gets the button."""
    viewer = viewer_or_404(request)
    idea = _visible_idea(viewer, idea_id)
    choice = request.POST.get("vote", "")
    try:
        with not_found_as_404():
            if choice == "add":
                vote_for_idea(actor=viewer.person, idea=idea)
            elif choice == "remove":
                remove_vote_for_idea(actor=viewer.person, idea=idea)
            else:
                raise InvalidInput(_("Choose to vote or to take your vote back."))
    except DomainError as exc:
        messages.error(request, exc.message)
    if wants_partial(request):
        # Answered 200 even when refused, as htmx swaps only success: the button shows
        # the vote as it stands and a refusal arrives with the page's messages.
        return render(
            request,
            "knowledge/ideas/partials/vote_swap.html",
            {"idea": _visible_idea(viewer, idea_id), "back": _back_to(request, idea)},
        )
    return redirect(_back_to(request, idea))


@login_required
@require_POST
def comment(request: HttpRequest, idea_id: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    idea = _visible_idea(viewer, idea_id)
    body = request.POST.get("body", "")
    try:
        with not_found_as_404():
            comment_on_idea(actor=viewer.person, idea=idea, body=body)
    except DomainError as exc:
        context = _detail_context(
            viewer, idea, comment_body=body, errors={"body": exc.fields.get("body", exc.message)}
        )
        return render(request, "knowledge/ideas/detail.html", context, status=exc.status)
    messages.success(request, _("Comment added."))
    return redirect(_idea_url(idea) + "#comments")


@login_required
@require_POST
def change_status(request: HttpRequest, idea_id: int) -> HttpResponse:
    """The owning team's answer: a status with its public reason."""
    viewer = viewer_or_404(request)
    idea = _visible_idea(viewer, idea_id)
    values = {"status": request.POST.get("status", ""), "reason": request.POST.get("reason", "")}
    try:
        with not_found_as_404():
            set_idea_status(
                actor=viewer.person, idea=idea, status=values["status"], reason=values["reason"]
            )
    except DomainError as exc:
        errors = {f"status_{key}": message for key, message in exc.fields.items()} or {
            "status_form": exc.message
        }
        context = _detail_context(viewer, idea, errors=errors, status_values=values)
        return render(request, "knowledge/ideas/detail.html", context, status=exc.status)
    messages.success(request, _("Status set; the proposer and the voters are told."))
    return redirect(_idea_url(idea))
