from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from inhouse.catalog.models import Agreement, AgreementTarget, FormField, Service
from inhouse.core.errors import NotFound
from inhouse.org.models import Membership, Person, Team
from inhouse.policy import as_viewer, can_request_service, visible_services_q


def services_visible_to(
    person: Person, *, team_slug: str | None = None, text: str | None = None
) -> QuerySet[Service]:
    viewer = as_viewer(person)
    services = (
        Service.objects.filter(is_active=True)
        .filter(pk__in=Service.objects.filter(visible_services_q(viewer)).values("pk"))
        .select_related("provider_team")
        .prefetch_related(
            Prefetch("form_fields", queryset=FormField.objects.order_by("position", "id"))
        )
        .order_by("provider_team__name", "name")
    )
    if team_slug:
        services = services.filter(
            Q(provider_team__slug=team_slug) | Q(provider_team__parent__slug=team_slug)
        )
    if text:
        for word in text.split()[:8]:
            services = services.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(provider_team__name__icontains=word)
            )
    return services


def get_service_for(person: Person, slug: str) -> Service:
    service = (
        Service.objects.select_related("provider_team")
        .prefetch_related(
            Prefetch("form_fields", queryset=FormField.objects.order_by("position", "id"))
        )
        .filter(slug=slug)
        .first()
    )
    if service is None or not can_request_service(person, service):
        raise NotFound("No such service.")
    return service


def team_lineage(team: Team | None) -> list[int]:
    """The team's id followed by its ancestors' ids, nearest first."""
    lineage: list[int] = []
    seen: set[int] = set()
    while team is not None and team.pk not in seen:
        lineage.append(team.pk)
        seen.add(team.pk)
        team = team.parent
    return lineage


def applicable_agreement(service: Service, customer_team: Team | None) -> Agreement | None:
    """The most specific active agreement for a request.

    Order of precedence: an agreement for this service beats one for the whole
    provider team; within each, one for the customer team itself beats one for
    its parent department (nearest ancestor first), which beats one for everyone.
    """
    lineage = team_lineage(customer_team)
    candidates = (
        Agreement.objects.filter(is_active=True, provider_team_id=service.provider_team_id)
        .filter(Q(service=service) | Q(service__isnull=True))
        .filter(Q(customer_team__isnull=True) | Q(customer_team_id__in=lineage))
        .select_related("calendar")
    )

    def specificity(agreement: Agreement) -> tuple[int, int]:
        scope = 0 if agreement.service_id else 1
        closeness = (
            lineage.index(agreement.customer_team_id)
            if agreement.customer_team_id is not None
            else len(lineage)
        )
        return scope, closeness

    return min(candidates, key=specificity, default=None)


@dataclass(frozen=True)
class ExpectedTimes:
    agreement: Agreement
    priority: str
    first_response_minutes: int
    resolution_minutes: int


def target_for(agreement: Agreement | None, priority: str) -> AgreementTarget | None:
    if agreement is None:
        return None
    return agreement.targets.filter(priority=priority).first()


def expected_times(
    service: Service, customer_team: Team | None, priority: str
) -> ExpectedTimes | None:
    agreement = applicable_agreement(service, customer_team)
    target = target_for(agreement, priority)
    if agreement is None or target is None:
        return None
    return ExpectedTimes(
        agreement=agreement,
        priority=priority,
        first_response_minutes=target.first_response_minutes,
        resolution_minutes=target.resolution_minutes,
    )


def default_customer_team(person: Person) -> Team | None:
    """The team a person asks on behalf of unless they say otherwise: their first one."""
    membership = (
        Membership.objects.filter(person=person).select_related("team").order_by("id").first()
    )
    return membership.team if membership else None
