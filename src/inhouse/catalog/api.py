from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from inhouse.catalog.models import Agreement, Service
from inhouse.catalog.schemas import (
    AgreementOut,
    FormFieldOut,
    ServiceDetailOut,
    ServiceOut,
    TargetOut,
)
from inhouse.catalog.selectors import (
    applicable_agreement,
    default_customer_team,
    get_service_for,
    services_visible_to,
)
from inhouse.core.schemas import ErrorOut, TeamRef
from inhouse.org.auth import CallerRequest

router = Router(tags=["services"])


class ServiceFilters(Schema):
    model_config = ConfigDict(extra="forbid")

    team: str | None = Field(None, max_length=80, description="Provider team or department slug")
    q: str | None = Field(None, max_length=200, description="Words to look for")


@router.get("", response={200: list[ServiceOut], 400: ErrorOut, 401: ErrorOut})
def list_services(request: CallerRequest, filters: Query[ServiceFilters]) -> list[Service]:
    """The services the caller may request, optionally of one team or matching words."""
    return list(services_visible_to(request.auth, team_slug=filters.team, text=filters.q))


def _agreement_out(agreement: Agreement | None) -> AgreementOut | None:
    if agreement is None:
        return None
    return AgreementOut(
        name=agreement.name,
        calendar=agreement.calendar.name,
        timezone=agreement.calendar.timezone,
        customer_team=TeamRef.model_validate(agreement.customer_team)
        if agreement.customer_team
        else None,
        customer_obligations=agreement.customer_obligations,
        targets=[
            TargetOut.model_validate(target)
            for target in agreement.targets.order_by("first_response_minutes")
        ],
    )


@router.get("/{slug}", response={200: ServiceDetailOut, 401: ErrorOut, 404: ErrorOut})
def get_service(request: CallerRequest, slug: str) -> ServiceDetailOut:
    """A service with its request form and the agreement that applies to the caller's team."""
    service = get_service_for(request.auth, slug)
    agreement = applicable_agreement(service, default_customer_team(request.auth))
    return ServiceDetailOut(
        slug=service.slug,
        name=service.name,
        description=service.description,
        provider_team=TeamRef.model_validate(service.provider_team),
        process_category=service.process_category,
        confidential=service.confidential,
        default_priority=service.default_priority,
        priority_from=service.priority_from,
        offered_fields=service.offered_fields,
        follow_up_cadence=service.follow_up_cadence,
        form=[FormFieldOut.model_validate(field) for field in service.form_fields.all()],
        agreement=_agreement_out(agreement),
    )
