"""Creating and changing a service: its name and address, who may request it, its
priorities, the standard fields it asks, its retention and follow-ups."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from inhouse.catalog.models import (
    MAX_RETENTION_DAYS,
    RETENTION_NEEDS_CONFIDENTIAL,
    Priority,
    PriorityFrom,
    ProcessCategory,
    Service,
    StandardField,
    Visibility,
    default_standard_fields,
    follow_up_cadence_problem,
)
from inhouse.catalog.services._common import logger, require_manager, require_service_manager
from inhouse.catalog.snapshot import catalog_changed
from inhouse.core.errors import InvalidInput
from inhouse.org.models import Person, PersonKind, Team

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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
    require_manager(actor, team, what="services")
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
    require_service_manager(actor, service)
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
