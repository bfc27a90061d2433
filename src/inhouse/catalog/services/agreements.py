"""A team's agreements: their scope, targets per priority and customer obligations."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from inhouse.catalog.models import Agreement, AgreementTarget, Priority, Service
from inhouse.catalog.services._common import (
    FIELD_KEY,
    logger,
    require_agreement_manager,
    require_manager,
)
from inhouse.catalog.snapshot import catalog_changed
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.org.models import Person, Team
from inhouse.sla.models import Calendar

# A target above a year of round-the-clock minutes is surely a typo.
MAX_TARGET_MINUTES = 366 * 24 * 60


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
    elif any(not FIELD_KEY.match(key) for key in obligations):
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
        require_agreement_manager(actor, agreement)
    require_manager(actor, team, what="agreements")
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
    require_agreement_manager(actor, agreement)
    if agreement.is_active:
        agreement.is_active = False
        with transaction.atomic():
            agreement.save(update_fields=["is_active"])
            catalog_changed()
    return agreement
