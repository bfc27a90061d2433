"""Catalog pages: the catalog everyone browses, and a lead's pages to shape their team's part.

Manage pages answer 404 to anyone who cannot manage the team, whether or not it
exists, and every change goes through ``catalog.services``, which checks
permission again. A team's calendar pages, under the same address, are in
``sla.views``.
"""

import html
from contextlib import suppress
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from inhouse import policy
from inhouse.catalog.forms import AgreementForm, FormFieldForm, ServiceForm
from inhouse.catalog.models import Agreement, FormField, Priority, Service
from inhouse.catalog.selectors import (
    ExpectedTimes,
    agreements_for_service,
    agreements_of_team,
    applicable_agreement,
    default_customer_team,
    expected_times_by_service,
    form_fields_in_order,
    get_form_field,
    get_service_for,
    get_team_agreement,
    get_team_service,
    services_of_team,
    services_visible_to,
    targets_by_priority,
    team_managed_by,
    teams_managed_by,
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
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.core.text import render_markdown
from inhouse.org.models import Team
from inhouse.org.selectors import teams_by_id
from inhouse.pages import not_found_as_404, refused_as_404, viewer_or_404, wants_partial
from inhouse.sla.forms import add_service_errors
from inhouse.sla.models import Calendar
from inhouse.sla.selectors import calendars_used_by

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
        return str(Priority(self.priority).label)


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
    return [
        TargetRow(
            priority=target.priority,
            first_response_minutes=target.first_response_minutes,
            resolution_minutes=target.resolution_minutes,
            calendar=agreement.calendar,
        )
        for target in targets_by_priority(agreement)
    ]


@login_required
@require_GET
def catalog_index(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    text = request.GET.get("q", "").strip()[:200]
    services = list(services_visible_to(viewer, text=text or None))
    expected = expected_times_by_service(services, default_customer_team(viewer))
    parent_ids = {s.provider_team.parent_id for s in services if s.provider_team.parent_id}
    parents = teams_by_id(parent_ids)

    departments: dict[int, DepartmentGroup] = {}
    for service in services:
        team = service.provider_team
        department = parents.get(team.parent_id, team) if team.parent_id else team
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
    with not_found_as_404():
        service = get_service_for(viewer, slug)
    customer_team = default_customer_team(viewer)
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
    with not_found_as_404():
        return team_managed_by(viewer, team_slug)


def _managed_service(team: Team, slug: str) -> Service:
    with not_found_as_404():
        return get_team_service(team, slug=slug)


def _service_url(team: Team, service: Service, anchor: str = "") -> str:
    url = reverse("catalog:service-edit", args=[team.slug, service.slug])
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
def manage_index(request: HttpRequest) -> HttpResponse:
    viewer = viewer_or_404(request)
    teams = teams_managed_by(viewer)
    if len(teams) == 1:
        return redirect("catalog:manage", teams[0].slug)
    return render(request, "catalog/manage_index.html", {"teams": teams})


@login_required
@require_GET
def manage_team(request: HttpRequest, team_slug: str) -> HttpResponse:
    team = _managed_team(viewer_or_404(request), team_slug)
    return render(
        request,
        "catalog/manage_team.html",
        {
            "team": team,
            "services": services_of_team(team),
            "agreements": [
                (agreement, _target_rows(agreement)) for agreement in agreements_of_team(team)
            ],
            "calendars": calendars_used_by(team),
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
            with refused_as_404():
                service = create_service(actor=person, team=team, details=form.details())
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
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
    return render(
        request,
        "catalog/service_edit.html",
        {
            "team": team,
            "service": service,
            "form": service_form or ServiceForm(service=service),
            "field_form": field_form or FormFieldForm(),
            "form_fields": form_fields_in_order(service),
            "agreements": agreements_for_service(team, service),
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
            with refused_as_404():
                update_service(actor=person, service=service, details=form.details())
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
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
    if wants_partial(request):
        return render(
            request,
            "catalog/partials/form_editor_swap.html",
            {
                "team": team,
                "service": service,
                "form_fields": form_fields_in_order(service),
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
            with refused_as_404():
                added = add_form_field(
                    actor=person,
                    service=service,
                    key=form.cleaned_data["key"],
                    details=form.details(),
                )
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
        else:
            status = _("Added “%s” at the end of the form.") % added.label
            return _form_editor(request, team, service, status=status)
    return _form_editor(request, team, service, field_form=form)


def _managed_field(service: Service, key: str) -> FormField:
    with not_found_as_404():
        return get_form_field(service, key)


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
            with refused_as_404():
                update_form_field(actor=person, form_field=form_field, details=form.details())
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
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
    with refused_as_404():
        remove_form_field(actor=person, form_field=form_field)
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
    labels = {form_field.key: form_field.label for form_field in form_fields_in_order(service)}
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
        with refused_as_404():
            reorder_form_fields(actor=person, service=service, keys_in_order=keys)
    except InvalidInput as exc:
        return _form_editor(request, team, service, status=exc.message)
    position = keys.index(key) + 1
    status = _("Moved “%(label)s” to position %(position)d of %(count)d.") % {
        "label": labels[key],
        "position": position,
        "count": len(keys),
    }
    return _form_editor(request, team, service, status=status)


# --- agreements ------------------------------------------------------------------------


def _managed_agreement(team: Team, pk: int) -> Agreement:
    with not_found_as_404():
        return get_team_agreement(team, pk)


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
            with refused_as_404():
                saved = save_agreement(
                    actor=person, team=team, agreement=agreement, details=form.details()
                )
        except InvalidInput as exc:
            add_service_errors(form, exc.fields, exc.message)
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
    # An unknown service in the link only means no service is picked yet.
    if request.GET.get("service"):
        with suppress(NotFound):
            prefill = get_team_service(team, slug=request.GET["service"])
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
    if service_id.isdigit() and len(service_id) <= 18:
        with suppress(NotFound):
            service = get_team_service(team, pk=int(service_id))
    form = AgreementForm(team=team, service=service)
    return render(
        request,
        "catalog/partials/obligations.html",
        {"field": form["customer_obligations"], "choices": form.obligation_choices},
    )


@login_required
@require_POST
def agreement_deactivate(request: HttpRequest, team_slug: str, pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    person = viewer.person
    team = _managed_team(viewer, team_slug)
    agreement = _managed_agreement(team, pk)
    with refused_as_404():
        deactivate_agreement(actor=person, agreement=agreement)
    messages.success(
        request,
        _("“%s” no longer applies to new requests; the next most specific agreement does.")
        % agreement.name,
    )
    return redirect(reverse("catalog:manage", args=[team.slug]) + "#agreements")
