"""Catalog pages: the catalog everyone browses, and a lead's pages to shape their team's part.

Manage pages answer 404 to anyone who cannot manage the team, whether or not it
exists, and every change goes through ``catalog.services`` or
``sla.calendar_services``, which check permission again.
"""

import html
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inhouse import policy
from inhouse.catalog.forms import (
    AgreementForm,
    CalendarForm,
    ClosedDayForm,
    FormFieldForm,
    ServiceForm,
    add_service_errors,
)
from inhouse.catalog.models import Agreement, FormField, Priority, Service
from inhouse.catalog.selectors import (
    ExpectedTimes,
    applicable_agreement,
    default_customer_team,
    expected_times_by_service,
    get_service_for,
    services_visible_to,
)
from inhouse.catalog.services import (
    add_form_field,
    create_service,
    deactivate_agreement,
    remove_form_field,
    reorder_form_fields,
    save_agreement,
    update_form_field,
    update_service,
)
from inhouse.core.errors import InvalidInput, NotFound, PermissionDenied
from inhouse.core.text import render_markdown
from inhouse.org.models import Team
from inhouse.pages import viewer_or_404
from inhouse.sla.calendar_services import add_closed_day, remove_closed_day, update_calendar
from inhouse.sla.calendars import public_holidays
from inhouse.sla.models import Calendar

UPCOMING_DAYS = 366


# --- the catalog ---------------------------------------------------------------------


@dataclass
class TargetRow:
    """One priority's targets, shown in the business time of the agreement's calendar."""

    priority: str
    first_response_minutes: int
    resolution_minutes: int
    calendar: Calendar

    @property
    def label(self) -> str:
        return Priority(self.priority).label


@dataclass
class ServiceRow:
    service: Service
    expected: ExpectedTimes | None

    @property
    def summary(self) -> str:
        """The description as plain text: a card shows words, not Markdown."""
        return html.unescape(strip_tags(render_markdown(self.service.description))).strip()


@dataclass
class TeamGroup:
    team: Team
    can_manage: bool
    services: list[ServiceRow] = field(default_factory=list)


@dataclass
class DepartmentGroup:
    department: Team
    teams: dict[int, TeamGroup] = field(default_factory=dict)


def _target_rows(agreement: Agreement) -> list[TargetRow]:
    by_priority = {target.priority: target for target in agreement.targets.all()}
    return [
        TargetRow(
            priority=priority,
            first_response_minutes=by_priority[priority].first_response_minutes,
            resolution_minutes=by_priority[priority].resolution_minutes,
            calendar=agreement.calendar,
        )
        for priority in reversed(Priority.values)
        if priority in by_priority
    ]


@login_required
@require_GET
def catalog_index(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    text = request.GET.get("q", "").strip()[:200]
    # The selector accepts a Viewer as well as a Person (``policy.as_viewer``).
    services = list(services_visible_to(viewer, text=text or None))  # type: ignore[arg-type]
    expected = expected_times_by_service(services, default_customer_team(viewer.person))
    parent_ids = {s.provider_team.parent_id for s in services if s.provider_team.parent_id}
    parents = {team.pk: team for team in Team.objects.filter(pk__in=parent_ids)}

    departments: dict[int, DepartmentGroup] = {}
    for service in services:
        team = service.provider_team
        department = parents.get(team.parent_id, team)
        group = departments.setdefault(department.pk, DepartmentGroup(department=department))
        team_group = group.teams.setdefault(
            team.pk, TeamGroup(team=team, can_manage=policy.can_manage_team(viewer, team))
        )
        team_group.services.append(ServiceRow(service=service, expected=expected.get(service.pk)))
    ordered = sorted(departments.values(), key=lambda group: group.department.name)
    return render(
        request,
        "catalog/index.html",
        {
            "departments": [(group.department, list(group.teams.values())) for group in ordered],
            "query": text,
            "service_count": len(services),
            "can_manage_any": viewer.is_admin or bool(viewer.lead_team_ids),
        },
    )


@login_required
@require_GET
def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    try:
        service = get_service_for(viewer, slug)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404 from exc
    customer_team = default_customer_team(viewer.person)
    agreement = applicable_agreement(service, customer_team)
    form_fields = list(service.form_fields.all())
    obligations: list[str] = []
    if agreement is not None:
        labels = {form_field.key: form_field.label for form_field in form_fields}
        obligations = [labels.get(key, key) for key in agreement.customer_obligations]
    return render(
        request,
        "catalog/service_detail.html",
        {
            "service": service,
            "form_fields": form_fields,
            "agreement": agreement,
            "customer_team": customer_team,
            "targets": _target_rows(agreement) if agreement else [],
            "obligations": obligations,
            "can_manage": policy.can_manage_team(viewer, service.provider_team),
        },
    )


# --- managing a team's part of the catalog ---------------------------------------------


def _managed_team(viewer: policy.Viewer, team_slug: str) -> Team:
    """The team if the viewer may manage it; 404 otherwise, so nothing is revealed."""
    team = Team.objects.filter(slug=team_slug).first()
    if team is None or not policy.can_manage_team(viewer, team):
        raise Http404
    return team


def _managed_service(team: Team, slug: str) -> Service:
    service = (
        Service.objects.filter(provider_team=team, slug=slug)
        .select_related("provider_team")
        .first()
    )
    if service is None:
        raise Http404
    return service


def _form_fields(service: Service) -> list[FormField]:
    return list(service.form_fields.order_by("position", "id"))


def _service_url(team: Team, service: Service, anchor: str = "") -> str:
    url = reverse("catalog:service-edit", args=[team.slug, service.slug])
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
def manage_index(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    managed = Team.objects.filter(is_active=True).order_by("name")
    if not viewer.is_admin:
        managed = managed.filter(pk__in=viewer.lead_team_ids)
    teams = list(managed)
    if len(teams) == 1:
        return redirect("catalog:manage", teams[0].slug)
    return render(request, "catalog/manage_index.html", {"teams": teams})


@login_required
@require_GET
def manage_team(request: HttpRequest, team_slug: str) -> HttpResponse:
    team = _managed_team(viewer_or_404(request), team_slug)
    services = list(
        Service.objects.filter(provider_team=team)
        .annotate(field_count=Count("form_fields"))
        .order_by("-is_active", "name")
    )
    agreements = list(
        Agreement.objects.filter(provider_team=team)
        .select_related("service", "customer_team", "calendar")
        .prefetch_related("targets")
        .order_by("-is_active", "name")
    )
    calendars = list(
        Calendar.objects.filter(agreements__provider_team=team).distinct().order_by("name")
    )
    return render(
        request,
        "catalog/manage_team.html",
        {
            "team": team,
            "services": services,
            "agreements": [(agreement, _target_rows(agreement)) for agreement in agreements],
            "calendars": calendars,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest, team_slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    form = ServiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = create_service(actor=person, team=team, details=form.details())
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
        except (NotFound, PermissionDenied) as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Service created. Now add the questions of its form."))
            return redirect(_service_url(team, service, "form-editor"))
    return render(request, "catalog/service_create.html", {"team": team, "form": form})


def _service_page(
    request: HttpRequest,
    team: Team,
    service: Service,
    *,
    service_form: ServiceForm | None = None,
    field_form: FormFieldForm | None = None,
) -> HttpResponse:
    agreements = Agreement.objects.filter(provider_team=team, service=service).select_related(
        "customer_team", "calendar"
    )
    return render(
        request,
        "catalog/service_edit.html",
        {
            "team": team,
            "service": service,
            "form": service_form or ServiceForm(service=service),
            "field_form": field_form or FormFieldForm(),
            "form_fields": _form_fields(service),
            "agreements": list(agreements),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def service_edit(request: HttpRequest, team_slug: str, slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    service = _managed_service(team, slug)
    if request.method == "GET":
        return _service_page(request, team, service)
    form = ServiceForm(request.POST, service=service)
    if form.is_valid():
        try:
            update_service(actor=person, service=service, details=form.details())
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
        except (NotFound, PermissionDenied) as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Service saved."))
            return redirect(_service_url(team, service))
    return _service_page(request, team, service, service_form=form)


def _form_editor(
    request: HttpRequest,
    team: Team,
    service: Service,
    *,
    field_form: FormFieldForm | None = None,
    status: str = "",
) -> HttpResponse:
    """After a change to the form: htmx gets the editor fragment, a browser the page."""
    if request.htmx:
        return render(
            request,
            "catalog/partials/form_editor_swap.html",
            {
                "team": team,
                "service": service,
                "form_fields": _form_fields(service),
                "field_form": field_form or FormFieldForm(),
                "status": status,
            },
        )
    if field_form is not None and field_form.errors:
        return _service_page(request, team, service, field_form=field_form)
    if status:
        messages.success(request, status)
    return redirect(_service_url(team, service, "form-editor"))


@login_required
@require_POST
def field_add(request: HttpRequest, team_slug: str, slug: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    service = _managed_service(team, slug)
    form = FormFieldForm(request.POST)
    if form.is_valid():
        try:
            added = add_form_field(
                actor=person, service=service, key=form.cleaned_data["key"], details=form.details()
            )
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
        except (NotFound, PermissionDenied) as exc:
            raise Http404 from exc
        else:
            status = _("Added “%s” at the end of the form.") % added.label
            return _form_editor(request, team, service, status=status)
    return _form_editor(request, team, service, field_form=form)


def _managed_field(service: Service, key: str) -> FormField:
    form_field = service.form_fields.filter(key=key).select_related("service__provider_team")
    found = form_field.first()
    if found is None:
        raise Http404
    return found


@login_required
@require_http_methods(["GET", "POST"])
def field_edit(request: HttpRequest, team_slug: str, slug: str, key: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    service = _managed_service(team, slug)
    form_field = _managed_field(service, key)
    form = FormFieldForm(request.POST or None, form_field=form_field)
    if request.method == "POST" and form.is_valid():
        try:
            update_form_field(actor=person, form_field=form_field, details=form.details())
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
        except (NotFound, PermissionDenied) as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Field “%s” saved.") % form_field.label)
            return redirect(_service_url(team, service, "form-editor"))
    return render(
        request,
        "catalog/field_edit.html",
        {"team": team, "service": service, "form_field": form_field, "form": form},
    )


@login_required
@require_POST
def field_remove(request: HttpRequest, team_slug: str, slug: str, key: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    service = _managed_service(team, slug)
    form_field = _managed_field(service, key)
    try:
        remove_form_field(actor=person, form_field=form_field)
    except (NotFound, PermissionDenied) as exc:
        raise Http404 from exc
    return _form_editor(
        request, team, service, status=_("Removed “%s” from the form.") % form_field.label
    )


@login_required
@require_POST
def field_move(request: HttpRequest, team_slug: str, slug: str, key: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    service = _managed_service(team, slug)
    labels = {form_field.key: form_field.label for form_field in _form_fields(service)}
    keys = list(labels)
    if key not in keys:
        raise Http404
    step = {"up": -1, "down": 1, "top": None}.get(request.POST.get("direction", ""), 0)
    index = keys.index(key)
    if step is None:
        keys.insert(0, keys.pop(index))
    elif step and 0 <= index + step < len(keys):
        keys[index], keys[index + step] = keys[index + step], keys[index]
    try:
        reorder_form_fields(actor=person, service=service, keys_in_order=keys)
    except InvalidInput as exc:
        return _form_editor(request, team, service, status=exc.message)
    except (NotFound, PermissionDenied) as exc:
        raise Http404 from exc
    position = keys.index(key) + 1
    status = _("Moved “%(label)s” to position %(position)d of %(count)d.") % {
        "label": labels[key],
        "position": position,
        "count": len(keys),
    }
    return _form_editor(request, team, service, status=status)


# --- agreements ------------------------------------------------------------------------


def _managed_agreement(team: Team, pk: int) -> Agreement:
    agreement = (
        Agreement.objects.filter(provider_team=team, pk=pk)
        .select_related("provider_team", "service__provider_team", "customer_team", "calendar")
        .first()
    )
    if agreement is None:
        raise Http404
    return agreement


def _agreement_page(
    request: HttpRequest, team: Team, agreement: Agreement | None, prefill: Service | None
) -> HttpResponse:
    person = viewer_or_404(request).person
    # A new agreement starts from the service it was asked for, if any.
    initial = {} if agreement else {"initial": {"service": prefill, "is_active": True}}
    form = AgreementForm(
        request.POST if request.method == "POST" else None,
        team=team,
        agreement=agreement,
        service=prefill,
        **initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_agreement(
                actor=person, team=team, agreement=agreement, details=form.details()
            )
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
        except (NotFound, PermissionDenied) as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Agreement “%s” saved.") % saved.name)
            return redirect("catalog:manage", team.slug)
    return render(
        request,
        "catalog/agreement_form.html",
        {"team": team, "agreement": agreement, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agreement_create(request: HttpRequest, team_slug: str) -> HttpResponse:
    team = _managed_team(viewer_or_404(request), team_slug)
    prefill = None
    if request.GET.get("service"):
        prefill = Service.objects.filter(provider_team=team, slug=request.GET["service"]).first()
    return _agreement_page(request, team, None, prefill)


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: HttpRequest, team_slug: str, pk: int) -> HttpResponse:
    team = _managed_team(viewer_or_404(request), team_slug)
    return _agreement_page(request, team, _managed_agreement(team, pk), None)


@login_required
@require_GET
def agreement_obligations(request: HttpRequest, team_slug: str) -> HttpResponse:
    """The obligation checkboxes for the service picked in the agreement form (htmx)."""
    team = _managed_team(viewer_or_404(request), team_slug)
    service = None
    service_id = request.GET.get("service", "")
    if service_id.isdigit():
        service = Service.objects.filter(provider_team=team, pk=int(service_id)).first()
    field = AgreementForm(team=team, service=service)["customer_obligations"]
    return render(
        request,
        "catalog/partials/obligations.html",
        {"field": field, "choices": field.field.choices},
    )


@login_required
@require_POST
def agreement_deactivate(request: HttpRequest, team_slug: str, pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    agreement = _managed_agreement(team, pk)
    try:
        deactivate_agreement(actor=person, agreement=agreement)
    except (NotFound, PermissionDenied) as exc:
        raise Http404 from exc
    messages.success(
        request,
        _("“%s” no longer applies to new requests; the next most specific agreement does.")
        % agreement.name,
    )
    return redirect(reverse("catalog:manage", args=[team.slug]) + "#agreements")


# --- calendars -------------------------------------------------------------------------


def _managed_calendar(team: Team, pk: int) -> Calendar:
    """A calendar the team's agreements use; others are not this page's business."""
    calendar = Calendar.objects.filter(pk=pk, agreements__provider_team=team).distinct().first()
    if calendar is None:
        raise Http404
    return calendar


def _calendar_page(
    request: HttpRequest,
    team: Team,
    calendar: Calendar,
    *,
    form: CalendarForm | None = None,
    closed_day_form: ClosedDayForm | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    horizon = today + timedelta(days=UPCOMING_DAYS)
    holidays = sorted(
        (day, name)
        for day, name in public_holidays(
            calendar.holiday_country, calendar.holiday_subdivision
        ).items()
        if today <= day <= horizon
    )
    shared_with = list(
        Team.objects.filter(agreements_provided__calendar=calendar)
        .exclude(pk=team.pk)
        .distinct()
        .order_by("name")
    )
    return render(
        request,
        "catalog/calendar_edit.html",
        {
            "team": team,
            "calendar": calendar,
            "form": form or CalendarForm(calendar=calendar),
            "closed_day_form": closed_day_form or ClosedDayForm(),
            "holidays": holidays,
            "closed_days": list(calendar.closed_days.filter(date__gte=today)),
            "shared_with": shared_with,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, team_slug: str, pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    calendar = _managed_calendar(team, pk)
    if request.method == "GET":
        return _calendar_page(request, team, calendar)
    form = CalendarForm(request.POST, calendar=calendar)
    if form.is_valid():
        try:
            update_calendar(
                actor=person,
                calendar=calendar,
                weekly_hours=form.weekly_hours(),
                timezone=form.cleaned_data["timezone"],
                holiday_country=form.cleaned_data["holiday_country"],
                holiday_subdivision=form.cleaned_data["holiday_subdivision"],
            )
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
        except (NotFound, PermissionDenied) as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Calendar saved; SLA clocks use it from now on."))
            return redirect("catalog:calendar-edit", team.slug, calendar.pk)
    return _calendar_page(request, team, calendar, form=form)


@login_required
@require_POST
def closed_day_add(request: HttpRequest, team_slug: str, pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    calendar = _managed_calendar(team, pk)
    form = ClosedDayForm(request.POST)
    if form.is_valid():
        try:
            added = add_closed_day(
                actor=person,
                calendar=calendar,
                day=form.cleaned_data["date"],
                name=form.cleaned_data["name"],
            )
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
        except (NotFound, PermissionDenied) as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("%(date)s is now closed.") % {"date": _day(added.date)})
            return redirect(reverse("catalog:calendar-edit", args=[team.slug, pk]) + "#closed-days")
    return _calendar_page(request, team, calendar, closed_day_form=form)


@login_required
@require_POST
def closed_day_remove(request: HttpRequest, team_slug: str, pk: int, day_pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    calendar = _managed_calendar(team, pk)
    try:
        remove_closed_day(actor=person, calendar=calendar, closed_day_id=day_pk)
    except (NotFound, PermissionDenied) as exc:
        raise Http404 from exc
    messages.success(request, _("The closed day was removed."))
    return redirect(reverse("catalog:calendar-edit", args=[team.slug, pk]) + "#closed-days")


def _day(day: date) -> str:
    return date_format(day, "D j M Y")
