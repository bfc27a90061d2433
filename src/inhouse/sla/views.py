"""A team's business calendars: weekly hours, public holidays and closed days.

The pages sit among a lead's pages for their team (``/catalog/manage/<team>/``)
and, like those, answer 404 to anyone who cannot manage the team, and for a
calendar none of the team's agreements use. Every change goes through
``sla.calendar_services``, which checks permission again.
"""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from inhouse import policy
from inhouse.core.errors import InvalidInput
from inhouse.org.models import Team
from inhouse.org.selectors import get_team
from inhouse.pages import not_found_as_404, refused_as_404, viewer_or_404
from inhouse.sla.calendar_services import add_closed_day, remove_closed_day, update_calendar
from inhouse.sla.forms import CalendarForm, ClosedDayForm, add_service_errors
from inhouse.sla.models import Calendar
from inhouse.sla.selectors import (
    closed_days_from,
    get_calendar_used_by,
    other_teams_using,
    public_holidays_between,
)

UPCOMING_DAYS = 366


def _managed_calendar(viewer: policy.Viewer, team_slug: str, pk: int) -> tuple[Team, Calendar]:
    """The team, if the viewer may manage it, and one of the calendars its agreements use."""
    with not_found_as_404():
        team = get_team(team_slug, include_inactive=True)
        if not policy.can_manage_team(viewer, team):
            raise Http404
        return team, get_calendar_used_by(team, pk)


def _calendar_url(team: Team, calendar: Calendar, anchor: str = "") -> str:
    url = reverse("sla:calendar-edit", args=[team.slug, calendar.pk])
    return f"{url}#{anchor}" if anchor else url


def _calendar_page(
    request: HttpRequest,
    team: Team,
    calendar: Calendar,
    *,
    form: CalendarForm | None = None,
    closed_day_form: ClosedDayForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "sla/calendar_edit.html",
        {
            "team": team,
            "calendar": calendar,
            "form": form or CalendarForm(calendar=calendar),
            "closed_day_form": closed_day_form or ClosedDayForm(),
            "holidays": public_holidays_between(
                calendar, today, today + timedelta(days=UPCOMING_DAYS)
            ),
            "closed_days": closed_days_from(calendar, today),
            "shared_with": other_teams_using(calendar, besides=team),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, team_slug: str, pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    team, calendar = _managed_calendar(viewer, team_slug, pk)
    if request.method == "GET":
        return _calendar_page(request, team, calendar)
    form = CalendarForm(request.POST, calendar=calendar)
    if form.is_valid():
        try:
            with refused_as_404():
                update_calendar(
                    actor=viewer.person,
                    calendar=calendar,
                    weekly_hours=form.weekly_hours(),
                    timezone=form.cleaned_data["timezone"],
                    holiday_country=form.cleaned_data["holiday_country"],
                    holiday_subdivision=form.cleaned_data["holiday_subdivision"],
                )
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
        else:
            messages.success(request, _("Calendar saved; SLA clocks use it from now on."))
            return redirect(_calendar_url(team, calendar))
    return _calendar_page(request, team, calendar, form=form)


@login_required
@require_POST
def closed_day_add(request: HttpRequest, team_slug: str, pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    team, calendar = _managed_calendar(viewer, team_slug, pk)
    form = ClosedDayForm(request.POST)
    if form.is_valid():
        try:
            with refused_as_404():
                added = add_closed_day(
                    actor=viewer.person,
                    calendar=calendar,
                    day=form.cleaned_data["date"],
                    name=form.cleaned_data["name"],
                )
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
        else:
            messages.success(request, _("%(date)s is now closed.") % {"date": _day(added.date)})
            return redirect(_calendar_url(team, calendar, "closed-days"))
    return _calendar_page(request, team, calendar, closed_day_form=form)


@login_required
@require_POST
def closed_day_remove(request: HttpRequest, team_slug: str, pk: int, day_pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    team, calendar = _managed_calendar(viewer, team_slug, pk)
    with refused_as_404():
        remove_closed_day(actor=viewer.person, calendar=calendar, closed_day_id=day_pk)
    messages.success(request, _("The closed day was removed."))
    return redirect(_calendar_url(team, calendar, "closed-days"))


def _day(day: date) -> str:
    return date_format(day, "D j M Y")
