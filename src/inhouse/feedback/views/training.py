"""Training pages: the upcoming sessions for the viewer (with the ones suggested to the
teams they lead), a session with sign-up, cancel and rating, and a lead's announce and
edit forms. Every form works as a plain POST with a redirect; htmx swaps the session's
sign-up box in place."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inhouse import policy
from inhouse.core.errors import DomainError
from inhouse.feedback.models import TrainingSession
from inhouse.feedback.selectors.training import (
    get_session_for,
    session_page,
    suggested_sessions_for,
    upcoming_sessions_for,
)
from inhouse.feedback.services.training import (
    SessionDetails,
    cancel_training_signup,
    rate_training_session,
    schedule_training_session,
    sign_up_for_training,
    update_training_session,
)
from inhouse.org.models import Team
from inhouse.org.selectors import get_team
from inhouse.pages import not_found_as_404, refused_as_404, viewer_or_404, wants_partial

_LOCAL_TIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SessionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("What it covers"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts"), widget=_LOCAL_TIME)
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends"), widget=_LOCAL_TIME)
    place = forms.CharField(label=gettext_lazy("Place"), required=False, max_length=200)
    link = forms.URLField(
        label=gettext_lazy("Link"), required=False, max_length=200, assume_scheme="https"
    )
    capacity = forms.IntegerField(label=gettext_lazy("Seats"), min_value=1, max_value=10_000)
    audience_teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("For teams"),
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: for everyone."),
    )

    def details(self) -> SessionDetails:
        data = self.cleaned_data
        return SessionDetails(
            title=data["title"],
            description=data["description"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            place=data["place"],
            link=data["link"],
            capacity=data["capacity"],
            audience_teams=list(data["audience_teams"]),
        )


def _session_url(session: TrainingSession) -> str:
    return reverse("kudos:training-session", args=[session.pk])


def _add_errors(form: forms.Form, exc: DomainError) -> None:
    form.add_error(None, exc.message)
    for field, message in exc.fields.items():
        if field in form.fields:
            form.add_error(field, message)


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    return render(
        request,
        "feedback/training/list.html",
        {
            "sessions": upcoming_sessions_for(viewer),
            "suggestions": suggested_sessions_for(viewer),
            "lead_teams": Team.objects.filter(pk__in=viewer.lead_team_ids).order_by("name"),
        },
    )


def _detail_context(viewer: policy.Viewer, session_id: int) -> dict[str, Any]:
    with not_found_as_404():
        session = get_session_for(viewer, session_id)
    return {"page": session_page(viewer, session)}


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    return render(request, "feedback/training/session.html", _detail_context(viewer, pk))


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Sign up, cancel or rate, then show the session (or its sign-up box to htmx)."""
    viewer = viewer_or_404(request)
    with not_found_as_404():
        session = get_session_for(viewer, pk)
    error = ""
    try:
        with not_found_as_404():
            if action == "signup":
                sign_up_for_training(actor=viewer.person, session=session)
                done = _("You have a seat. We will remind you a day before.")
            elif action == "cancel":
                cancel_training_signup(actor=viewer.person, session=session)
                done = _("Your seat is given up.")
            else:
                rating = request.POST.get("rating", "")
                rate_training_session(
                    actor=viewer.person,
                    session=session,
                    rating=int(rating) if rating.isdigit() and len(rating) == 1 else 0,
                )
                done = _("Thank you for rating the session.")
    except DomainError as exc:
        error = exc.message
    if wants_partial(request):
        context = {**_detail_context(viewer, pk), "error": error, "done": "" if error else done}
        return render(request, "feedback/training/partials/seat.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(_session_url(session))


@login_required
@require_POST
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "signup")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "cancel")


@login_required
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "rate")


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, team_slug: str) -> HttpResponse:
    """A lead announces a session of their team; to anyone else the page does not exist."""
    viewer = viewer_or_404(request)
    with not_found_as_404():
        team = get_team(team_slug)
    if not policy.can_manage_team(viewer, team):
        raise Http404
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with refused_as_404():
                session = schedule_training_session(
                    actor=viewer.person, provider_team=team, details=form.details()
                )
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The session is announced."))
            return redirect(_session_url(session))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "feedback/training/form.html", {"form": form, "team": team}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    with not_found_as_404():
        session = get_session_for(viewer, pk)
    if not policy.can_manage_team(viewer, session.provider_team):
        raise Http404
    initial = {
        "title": session.title,
        "description": session.description,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "place": session.place,
        "link": session.link,
        "capacity": session.capacity,
        "audience_teams": list(session.audience_teams.all()),
    }
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with refused_as_404():
                update_training_session(
                    actor=viewer.person, session=session, details=form.details()
                )
        except DomainError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The session is saved."))
            return redirect(_session_url(session))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "feedback/training/form.html",
        {"form": form, "team": session.provider_team, "session": session},
        status=status,
    )
