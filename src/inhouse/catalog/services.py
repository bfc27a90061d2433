"""Changes a team lead (or an org admin) makes to the catalog.

Every function takes the acting person and asks ``inhouse.policy.can_manage_team``
about the provider team. A caller who may not even see the object (a restricted
service they cannot request) gets ``NotFound``; one who sees it but does not
lead its team gets ``PermissionDenied``. Invalid input raises ``InvalidInput``
whose ``fields`` name every problem at once, so a form can show them all.
"""

import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max

from inhouse import policy
from inhouse.catalog.models import (
    MAX_RETENTION_DAYS,
    RETENTION_NEEDS_CONFIDENTIAL,
    Agreement,
    AgreementTarget,
    FieldKind,
    FormField,
    Priority,
    PriorityFrom,
    ProcessCategory,
    Service,
    StandardField,
    Visibility,
    default_standard_fields,
    follow_up_cadence_problem,
)
from inhouse.catalog.snapshot import catalog_changed
from inhouse.core.errors import InvalidInput, NotFound, PermissionDenied
from inhouse.org.models import Person, PersonKind, Team
from inhouse.sla.models import Calendar

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Form keys end up in answers, API payloads and agreements; keep them plain.
_FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_CHOICES = 100
# A target above a year of round-the-clock minutes is surely a typo.
MAX_TARGET_MINUTES = 366 * 24 * 60
CHOICE_KINDS = (FieldKind.CHOICE, FieldKind.MULTI_CHOICE)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceDetails:
    """What a lead sets on a service; the same shape for creating and editing."""

    name: str
    slug: str
    description: str = ""
    keywords: str = ""
    process_category: str = ProcessCategory.SUPPORT
    visibility: str = Visibility.EVERYONE
    visible_to_teams: Sequence[Team] = ()
    visible_to_kinds: Sequence[str] = ()
    confidential: bool = False
    default_priority: str = Priority.NORMAL
    priority_from: str = PriorityFrom.DEFAULT
    standard_fields: Sequence[str] = field(default_factory=default_standard_fields)
    is_active: bool = True
    # Days a closed or cancelled confidential case is kept; None keeps it for good.
    retention_days: int | None = None
    # Follow-ups after resolution ("2d", "2w", "2m"); empty asks none.
    follow_up_cadence: Sequence[str] = ()


@dataclass(frozen=True)
class FormFieldDetails:
    """One question of a request form. ``choices`` only for choice kinds, limits
    (both included, None for none) only for numbers."""

    label: str
    kind: str = FieldKind.TEXT
    required: bool = False
    choices: Sequence[str] = ()
    help_text: str = ""
    min_value: float | None = None
    max_value: float | None = None


@dataclass(frozen=True)
class Target:
    first_response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True)
class AgreementDetails:
    """An agreement's terms. ``service`` None covers every service of the team;
    ``customer_team`` None means everyone. ``targets`` maps priorities to minutes
    of business time; a priority left out has no target."""

    name: str
    calendar: Calendar
    targets: Mapping[str, Target]
    service: Service | None = None
    customer_team: Team | None = None
    customer_obligations: Sequence[str] = ()
    obligations_note: str = ""
    is_active: bool = True


# --- permission ----------------------------------------------------------------------


def _refuse(actor: Person, team: Team, what: str) -> None:
    logger.warning(
        "catalog change refused: person %s is no lead of team %s (%s)", actor.pk, team.pk, what
    )


def _require_manager(actor: Person, team: Team, *, what: str) -> None:
    if not policy.can_manage_team(actor, team):
        _refuse(actor, team, what)
        raise PermissionDenied(f"Only the leads of {team.name} can change its {what}.")


def _require_service_manager(actor: Person, service: Service) -> None:
    viewer = policy.viewer_for(actor)
    if not policy.can_manage_team(viewer, service.provider_team):
        _refuse(actor, service.provider_team, f"service {service.pk}")
        # A restricted service someone cannot request stays hidden, as everywhere.
        if not policy.can_request_service(viewer, service):
            raise NotFound("No such service.")
        raise PermissionDenied(f"Only the leads of {service.provider_team.name} can change it.")


def _require_agreement_manager(actor: Person, agreement: Agreement) -> None:
    if agreement.service is not None:
        _require_service_manager(actor, agreement.service)
    else:
        _require_manager(actor, agreement.provider_team, what="agreements")


# --- services --------------------------------------------------------------------------


def _check_service(details: ServiceDetails, *, current: Service | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not details.name.strip():
        errors["name"] = "Give the service a name."
    elif len(details.name.strip()) > 200:
        errors["name"] = "Keep the name under 200 characters."
    if not _SLUG.match(details.slug) or len(details.slug) > 100:
        errors["slug"] = "Use lowercase letters, digits and single dashes, at most 100 characters."
    else:
        taken = Service.objects.filter(slug=details.slug)
        if current is not None:
            taken = taken.exclude(pk=current.pk)
        if taken.exists():
            errors["slug"] = f"Another service already uses the address '{details.slug}'."
    if details.process_category not in ProcessCategory.values:
        errors["process_category"] = "Choose a process category."
    if details.default_priority not in Priority.values:
        errors["default_priority"] = "Choose a priority."
    if details.priority_from not in PriorityFrom.values:
        errors["priority_from"] = "Choose where the priority of new requests comes from."
    unknown_fields = set(details.standard_fields) - set(StandardField.values)
    if unknown_fields:
        errors["standard_fields"] = "Unknown standard fields: " + ", ".join(sorted(unknown_fields))
    if details.visibility not in Visibility.values:
        errors["visibility"] = "Choose who may request the service."
    unknown_kinds = set(details.visible_to_kinds) - set(PersonKind.values)
    if unknown_kinds:
        errors["visible_to_kinds"] = "Unknown person kinds: " + ", ".join(sorted(unknown_kinds))
    elif (
        details.visibility == Visibility.RESTRICTED
        and not details.visible_to_teams
        and not details.visible_to_kinds
    ):
        errors["visible_to_teams"] = "List at least one team or person kind who may request it."
    if details.retention_days is not None:
        if not 1 <= details.retention_days <= MAX_RETENTION_DAYS:
            errors["retention_days"] = f"Keep cases between 1 and {MAX_RETENTION_DAYS} days."
        elif not details.confidential:
            errors["retention_days"] = str(RETENTION_NEEDS_CONFIDENTIAL)
    cadence_problem = follow_up_cadence_problem(list(details.follow_up_cadence))
    if cadence_problem:
        errors["follow_up_cadence"] = cadence_problem
    return errors


def _apply_service(service: Service, details: ServiceDetails) -> None:
    restricted = details.visibility == Visibility.RESTRICTED
    service.name = details.name.strip()
    service.slug = details.slug
    service.description = details.description.strip()
    service.keywords = details.keywords.strip()
    service.process_category = details.process_category
    service.visibility = details.visibility
    # Lists only mean something for a restricted service; keep none that would mislead.
    service.visible_to_kinds = sorted(set(details.visible_to_kinds)) if restricted else []
    service.confidential = details.confidential
    service.default_priority = details.default_priority
    service.priority_from = details.priority_from
    # Stored in the form's order, so two services asking the same compare equal.
    service.standard_fields = [
        name for name in StandardField.values if name in details.standard_fields
    ]
    service.is_active = details.is_active
    service.retention_days = details.retention_days
    service.follow_up_cadence = list(details.follow_up_cadence)


_SERVICE_FIELDS = [
    "name",
    "slug",
    "description",
    "keywords",
    "process_category",
    "visibility",
    "visible_to_kinds",
    "confidential",
    "default_priority",
    "priority_from",
    "standard_fields",
    "is_active",
    "retention_days",
    "follow_up_cadence",
]


def create_service(*, actor: Person, team: Team, details: ServiceDetails) -> Service:
    _require_manager(actor, team, what="services")
    errors = _check_service(details, current=None)
    if errors:
        raise InvalidInput("The service could not be created.", fields=errors)
    try:
        with transaction.atomic():
            service = Service(provider_team=team)
            _apply_service(service, details)
            service.save()
            catalog_changed()
            if details.visibility == Visibility.RESTRICTED:
                service.visible_to_teams.set(details.visible_to_teams)
    except IntegrityError as exc:
        raise _slug_taken(details.slug) from exc
    logger.info("service %s created by person %s", service.pk, actor.pk)
    return service


def _slug_taken(slug: str) -> InvalidInput:
    # Someone took the address between our check and the insert.
    return InvalidInput(
        "The service could not be saved.",
        fields={"slug": f"Another service already uses the address '{slug}'."},
    )


def update_service(*, actor: Person, service: Service, details: ServiceDetails) -> Service:
    _require_service_manager(actor, service)
    errors = _check_service(details, current=service)
    if errors:
        raise InvalidInput("The service could not be saved.", fields=errors)
    try:
        with transaction.atomic():
            _apply_service(service, details)
            service.save(update_fields=_SERVICE_FIELDS)
            catalog_changed()
            restricted = details.visibility == Visibility.RESTRICTED
            service.visible_to_teams.set(details.visible_to_teams if restricted else [])
    except IntegrityError as exc:
        service.refresh_from_db()
        raise _slug_taken(details.slug) from exc
    logger.info("service %s changed by person %s", service.pk, actor.pk)
    return service


# --- request forms ---------------------------------------------------------------------


def _clean_choices(choices: Iterable[str]) -> list[str]:
    return [choice.strip() for choice in choices if choice.strip()]


def _check_form_field(details: FormFieldDetails) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not details.label.strip():
        errors["label"] = "Give the field a label."
    elif len(details.label.strip()) > 200:
        errors["label"] = "Keep the label under 200 characters."
    if details.kind not in FieldKind.values:
        errors["kind"] = "Choose a field kind."
    choices = _clean_choices(details.choices)
    if details.kind in CHOICE_KINDS:
        if not choices:
            errors["choices"] = "A choice field needs at least one choice, one a line."
        elif len(set(choices)) != len(choices):
            errors["choices"] = "Each choice may appear only once."
        elif len(choices) > MAX_CHOICES:
            errors["choices"] = f"Offer at most {MAX_CHOICES} choices."
        elif any(len(choice) > 200 for choice in choices):
            errors["choices"] = "Keep each choice under 200 characters."
    elif choices:
        errors["choices"] = "Only choice fields have choices; clear them or pick a choice kind."
    if len(details.help_text.strip()) > 300:
        errors["help_text"] = "Keep the help text under 300 characters."
    errors.update(_check_limits(details))
    return errors


def _check_limits(details: FormFieldDetails) -> dict[str, str]:
    """A number field's limits: finite, the smallest not above the largest."""
    limits = {"min_value": details.min_value, "max_value": details.max_value}
    if details.kind != FieldKind.NUMBER:
        return {
            name: "Only number fields have limits; clear it or pick the number kind."
            for name, limit in limits.items()
            if limit is not None
        }
    errors = {
        name: "Enter a finite number."
        for name, limit in limits.items()
        if limit is not None and (isinstance(limit, bool) or not math.isfinite(limit))
    }
    low, high = details.min_value, details.max_value
    if not errors and low is not None and high is not None and low > high:
        errors["max_value"] = "The largest number allowed cannot be below the smallest."
    return errors


def _apply_form_field(form_field: FormField, details: FormFieldDetails) -> None:
    form_field.label = details.label.strip()
    form_field.kind = details.kind
    form_field.required = details.required
    form_field.choices = _clean_choices(details.choices)
    form_field.help_text = details.help_text.strip()
    form_field.min_value = details.min_value
    form_field.max_value = details.max_value


def add_form_field(
    *, actor: Person, service: Service, key: str, details: FormFieldDetails
) -> FormField:
    """Add a question at the end of the service's form."""
    _require_service_manager(actor, service)
    errors = _check_form_field(details)
    if not _FIELD_KEY.match(key) or len(key) > 60:
        errors["key"] = (
            "Start with a lowercase letter; then lowercase letters, digits and underscores "
            "(at most 60 characters)."
        )
    elif service.form_fields.filter(key=key).exists():
        errors["key"] = f"This form already has a field with the key '{key}'."
    if errors:
        raise InvalidInput("The field could not be added.", fields=errors)
    try:
        with transaction.atomic():
            last = service.form_fields.aggregate(last=Max("position"))["last"]
            form_field = FormField(
                service=service, key=key, position=0 if last is None else last + 1
            )
            _apply_form_field(form_field, details)
            form_field.save()
            catalog_changed()
    except IntegrityError as exc:
        raise InvalidInput(
            "The field could not be added.",
            fields={"key": f"This form already has a field with the key '{key}'."},
        ) from exc
    return form_field


def update_form_field(
    *, actor: Person, form_field: FormField, details: FormFieldDetails
) -> FormField:
    """Change a question. Its key stays: answers already given and agreements use it."""
    _require_service_manager(actor, form_field.service)
    errors = _check_form_field(details)
    if errors:
        raise InvalidInput("The field could not be saved.", fields=errors)
    _apply_form_field(form_field, details)
    with transaction.atomic():
        form_field.save(
            update_fields=[
                "label", "kind", "required", "choices", "help_text", "min_value", "max_value",
            ]
        )  # fmt: skip
        catalog_changed()
    return form_field


def remove_form_field(*, actor: Person, form_field: FormField) -> None:
    """Remove a question; agreements of the service stop obliging customers to answer it."""
    service = form_field.service
    _require_service_manager(actor, service)
    with transaction.atomic():
        for agreement in Agreement.objects.select_for_update().filter(service=service):
            if form_field.key in agreement.customer_obligations:
                agreement.customer_obligations = [
                    key for key in agreement.customer_obligations if key != form_field.key
                ]
                agreement.save(update_fields=["customer_obligations"])
        form_field.delete()
        catalog_changed()


def reorder_form_fields(*, actor: Person, service: Service, keys_in_order: Sequence[str]) -> None:
    """Put the form's questions in this order; every key must appear exactly once."""
    _require_service_manager(actor, service)
    with transaction.atomic():
        fields = {f.key: f for f in service.form_fields.select_for_update()}
        if len(keys_in_order) != len(set(keys_in_order)) or set(keys_in_order) != set(fields):
            raise InvalidInput(
                "The form changed since you loaded it; reload and try again.",
                fields={"keys_in_order": "Name every field of the form exactly once."},
            )
        moved = []
        for position, key in enumerate(keys_in_order):
            if fields[key].position != position:
                fields[key].position = position
                moved.append(fields[key])
        FormField.objects.bulk_update(moved, ["position"])
        catalog_changed()


# --- agreements ------------------------------------------------------------------------


def _check_agreement(
    team: Team, details: AgreementDetails, *, current: Agreement | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not details.name.strip():
        errors["name"] = "Give the agreement a name."
    elif len(details.name.strip()) > 200:
        errors["name"] = "Keep the name under 200 characters."
    if details.service is not None and details.service.provider_team_id != team.pk:
        errors["service"] = f"Choose one of {team.name}'s services."
    errors.update(_check_targets(details.targets))
    errors.update(_check_obligations(details))
    same_scope = Agreement.objects.filter(
        provider_team=team, service=details.service, customer_team=details.customer_team
    )
    if current is not None:
        same_scope = same_scope.exclude(pk=current.pk)
    clash = same_scope.first()
    if clash is not None:
        errors["customer_team"] = (
            f"'{clash.name}' already covers this service and customer; edit that one instead."
        )
    return errors


def _check_targets(targets: Mapping[str, Target]) -> dict[str, str]:
    errors: dict[str, str] = {}
    unknown = set(targets) - set(Priority.values)
    if unknown:
        errors["targets"] = "Unknown priorities: " + ", ".join(sorted(unknown))
    elif not targets:
        errors["targets"] = "Set targets for at least one priority."
    for priority, target in targets.items():
        problems = {}
        for part in ("first_response_minutes", "resolution_minutes"):
            minutes = getattr(target, part)
            if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
                problems[part] = "Enter a positive whole number of minutes."
            elif minutes > MAX_TARGET_MINUTES:
                problems[part] = "That is more than a year; enter a shorter target."
        if not problems and target.first_response_minutes > target.resolution_minutes:
            problems["first_response_minutes"] = (
                "The first response cannot be due after the resolution."
            )
        for part, message in problems.items():
            errors[f"{part.removesuffix('_minutes')}_{priority}"] = message
    return errors


def _check_obligations(details: AgreementDetails) -> dict[str, str]:
    obligations = list(details.customer_obligations)
    if len(set(obligations)) != len(obligations):
        return {"customer_obligations": "Name each field only once."}
    if details.service is not None:
        form_keys = set(details.service.form_fields.values_list("key", flat=True))
        unknown = [key for key in obligations if key not in form_keys]
        if unknown:
            return {
                "customer_obligations": "Not fields of this service's form: " + ", ".join(unknown)
            }
    elif any(not _FIELD_KEY.match(key) for key in obligations):
        return {"customer_obligations": "Obligations are form field keys."}
    return {}


def save_agreement(
    *,
    actor: Person,
    team: Team,
    details: AgreementDetails,
    agreement: Agreement | None = None,
) -> Agreement:
    """Create an agreement of ``team`` (or change ``agreement``) with its targets.

    Requests already open keep the clocks they started with; the new terms
    apply from the next request on.
    """
    if agreement is not None:
        if agreement.provider_team_id != team.pk:
            raise NotFound("No such agreement.")
        _require_agreement_manager(actor, agreement)
    _require_manager(actor, team, what="agreements")
    errors = _check_agreement(team, details, current=agreement)
    if errors:
        raise InvalidInput("The agreement could not be saved.", fields=errors)
    target = agreement or Agreement(provider_team=team)
    try:
        with transaction.atomic():
            _apply_agreement(target, details)
            catalog_changed()
    except IntegrityError as exc:
        # Another agreement took this scope between our check and the save.
        if agreement is not None:
            agreement.refresh_from_db()
        raise InvalidInput(
            "The agreement could not be saved.",
            fields={"customer_team": "Another agreement already covers this service and customer."},
        ) from exc
    logger.info("agreement %s saved by person %s", target.pk, actor.pk)
    return target


def _apply_agreement(agreement: Agreement, details: AgreementDetails) -> None:
    agreement.name = details.name.strip()
    agreement.service = details.service
    agreement.customer_team = details.customer_team
    agreement.calendar = details.calendar
    agreement.customer_obligations = list(details.customer_obligations)
    agreement.obligations_note = details.obligations_note.strip()
    agreement.is_active = details.is_active
    agreement.save()
    agreement.targets.exclude(priority__in=list(details.targets)).delete()
    for priority, target in details.targets.items():
        AgreementTarget.objects.update_or_create(
            agreement=agreement,
            priority=priority,
            defaults={
                "first_response_minutes": target.first_response_minutes,
                "resolution_minutes": target.resolution_minutes,
            },
        )


def deactivate_agreement(*, actor: Person, agreement: Agreement) -> Agreement:
    """Stop an agreement applying to new requests; the next most specific one takes over."""
    _require_agreement_manager(actor, agreement)
    if agreement.is_active:
        agreement.is_active = False
        with transaction.atomic():
            agreement.save(update_fields=["is_active"])
            catalog_changed()
    return agreement
