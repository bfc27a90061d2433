"""Kudos pages: the give form (from a person, a team or a resolved request), the panel
on the org pages (htmx swaps it in place), a team's wall, and the sharing choice.

Every form also works as a plain POST answered with a redirect (or the form again
with its errors); htmx gets the panel back, errors included.
"""

from http import HTTPStatus

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inhouse import policy
from inhouse.core.errors import DomainError, NotFound
from inhouse.core.ids import database_id
from inhouse.desk.selectors.requests import get_request_for
from inhouse.feedback.models.kudos import KUDOS_MESSAGE_MAX_LENGTH
from inhouse.feedback.selectors.kudos import (
    WALL_LIMIT,
    ThanksTargets,
    kudos_panel_for_person,
    kudos_panel_for_team,
    page_of_kudos,
    team_wall,
    thanks_targets_for,
)
from inhouse.feedback.services.kudos import (
    grant_kudos,
    set_kudos_sharing,
    set_team_kudos_sharing,
)
from inhouse.org.models import Person, Team
from inhouse.org.selectors import get_person, get_team
from inhouse.pages import (
    audit_refused_page_change,
    not_found_as_404,
    viewer_or_404,
    wants_partial,
)


class KudosForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Your thanks"),
        max_length=KUDOS_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("A few words; Markdown works."),
    )
    # Whom to thank, as "person:<id>" or "team:<slug>".
    recipient = forms.CharField(widget=forms.HiddenInput, max_length=100)
    request = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)


def _recipient_named(value: str) -> Person | Team:
    kind, _sep, key = value.partition(":")
    if kind == "person" and (pk := database_id(key)) is not None:
        return get_person(pk)
    if kind == "team":
        return get_team(key)
    raise NotFound


def _panel_for(viewer: policy.Viewer, recipient: Person | Team) -> object:
    if isinstance(recipient, Person):
        return kudos_panel_for_person(viewer, recipient)
    return kudos_panel_for_team(viewer, recipient)


def _targets(viewer: policy.Viewer, reference: str) -> ThanksTargets | None:
    try:
        return thanks_targets_for(viewer, get_request_for(viewer, reference))
    except NotFound:
        return None


def _page(
    request: HttpRequest,
    form: KudosForm,
    recipient: Person | Team,
    targets: ThanksTargets | None,
    *,
    status: int = 200,
) -> HttpResponse:
    choices = (
        [
            (f"team:{targets.team.slug}", targets.team.name),
            *((f"person:{person.pk}", person.full_name) for person in targets.people),
        ]
        if targets
        else []
    )
    return render(
        request,
        "feedback/kudos/give.html",
        {
            "form": form,
            "recipient": recipient,
            "targets": targets,
            "choices": choices,
            "chosen": form["recipient"].value(),
        },
        status=status,
    )


def _recipient_url(recipient: Person | Team) -> str:
    if isinstance(recipient, Person):
        return reverse("org:person", args=[recipient.pk])
    return reverse("org:team", args=[recipient.slug])


@login_required
@require_http_methods(["GET", "POST"])
def give_kudos(request: HttpRequest) -> HttpResponse:
    """The give form: ``?person=<id>``, ``?team=<slug>`` or ``?request=<reference>``."""
    viewer = viewer_or_404(request)
    reference = (request.POST if request.method == "POST" else request.GET).get("request", "")
    targets = _targets(viewer, reference.strip()[:40]) if reference else None
    if request.method == "GET":
        initial: dict[str, str] = {"request": targets.request.reference if targets else ""}
        if "person" in request.GET:
            initial["recipient"] = f"person:{request.GET['person']}"
        elif "team" in request.GET:
            initial["recipient"] = f"team:{request.GET['team']}"
        elif targets is not None:
            initial["recipient"] = f"team:{targets.team.slug}"
        with not_found_as_404():
            named = _recipient_named(initial.get("recipient", ""))
        return _page(request, KudosForm(initial=initial), named, targets)
    form = KudosForm(request.POST)
    recipient: Person | Team | None = None
    if form.is_valid():
        with not_found_as_404():
            recipient = _recipient_named(form.cleaned_data["recipient"])
        try:
            grant_kudos(
                actor=viewer.person,
                message=form.cleaned_data["message"],
                to_person=recipient if isinstance(recipient, Person) else None,
                to_team=recipient if isinstance(recipient, Team) else None,
                request_reference=form.cleaned_data["request"] or None,
            )
        except DomainError as exc:
            if exc.status == HTTPStatus.TOO_MANY_REQUESTS:
                # Over the daily cap: a refused change, recorded as the API's is.
                audit_refused_page_change(request, status=exc.status, reason=exc.message)
            form.add_error(None, exc.message)
            for field, message in exc.fields.items():
                if field in form.fields and field not in ("recipient", "request"):
                    form.add_error(field, message)
        else:
            if wants_partial(request):
                return render(
                    request,
                    "feedback/kudos/partials/panel.html",
                    {"kudos_panel": _panel_for(viewer, recipient), "sent": True},
                )
            messages.success(request, _("Your kudos are on their way."))
            return redirect(_recipient_url(recipient))
    if recipient is None:
        with not_found_as_404():
            recipient = _recipient_named(request.POST.get("recipient", ""))
    if wants_partial(request):
        # htmx swaps only successful answers: the form's errors come back as a 200 panel.
        return render(
            request,
            "feedback/kudos/partials/panel.html",
            {"kudos_panel": _panel_for(viewer, recipient), "form": form},
        )
    return _page(request, form, recipient, targets, status=400)


@login_required
@require_GET
def wall(request: HttpRequest, slug: str) -> HttpResponse:
    """A team's wall: kudos to the team and to the people in it, newest first."""
    viewer = viewer_or_404(request)
    with not_found_as_404():
        team = get_team(slug)
        items, next_cursor = page_of_kudos(
            viewer, team_wall(team), cursor=request.GET.get("cursor") or None, limit=WALL_LIMIT
        )
    return render(
        request,
        "feedback/kudos/wall.html",
        {"team": team, "items": items, "next_cursor": next_cursor},
    )


@login_required
@require_POST
def sharing(request: HttpRequest) -> HttpResponse:
    """Whether one's manager hears, weekly, of the kudos one receives."""
    viewer = viewer_or_404(request)
    share = request.POST.get("share_with_manager") == "on"
    set_kudos_sharing(actor=viewer.person, share_with_manager=share)
    if wants_partial(request):
        return render(
            request,
            "feedback/kudos/partials/panel.html",
            {"kudos_panel": kudos_panel_for_person(viewer, viewer.person), "saved": True},
        )
    messages.success(
        request,
        _("Your manager will hear of your kudos each week.")
        if share
        else _("Your manager will not hear of your kudos."),
    )
    return redirect(reverse("org:person", args=[viewer.person_id]))


@login_required
@require_POST
def team_sharing(request: HttpRequest, slug: str) -> HttpResponse:
    """For the team's leads: whether the team's manager hears, weekly, of its kudos."""
    viewer = viewer_or_404(request)
    share = request.POST.get("share_with_manager") == "on"
    with not_found_as_404():
        team = get_team(slug)
        set_team_kudos_sharing(actor=viewer.person, team=team, share_with_manager=share)
    if wants_partial(request):
        return render(
            request,
            "feedback/kudos/partials/panel.html",
            {"kudos_panel": kudos_panel_for_team(viewer, team), "saved": True},
        )
    messages.success(
        request,
        _("The team's manager will hear of its kudos each week.")
        if share
        else _("The team's manager will not hear of its kudos."),
    )
    return redirect(reverse("org:team", args=[team.slug]))
