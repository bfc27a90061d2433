from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from inhouse.catalog.models import Agreement, AgreementTarget, FormField, Service
from inhouse.core.errors import NotFound
from inhouse.org.models import Membership, Person, Team
from inhouse.policy import Viewer, as_viewer, can_request_service, visible_services_q


def services_visible_to(
    person: Person | Viewer, *, team_slug: str | None = None, text: str | None = None
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


def requestable_services(viewer: Viewer, *, provider_team: Team | None = None) -> list[Service]:
    """The services the viewer may request, as links: without their forms, one query."""
    services = services_visible_to(viewer).prefetch_related(None)
    if provider_team is not None:
        services = services.filter(provider_team=provider_team)
    return list(services)


def get_service_for(person: Person | Viewer, slug: str) -> Service:
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


def _specificity(lineage: list[int]):
    """The precedence of agreements for a customer team with this lineage, best first:
    an agreement for the service beats one for the whole provider team; within each,
    one for the customer team itself beats one for its parent department (nearest
    ancestor first), which beats one for everyone."""

    def rank(agreement: Agreement) -> tuple[int, int]:
        scope = 0 if agreement.service_id else 1
        closeness = (
            lineage.index(agreement.customer_team_id)
            if agreement.customer_team_id is not None
            else len(lineage)
        )
        return scope, closeness

    return rank


def _candidate_agreements(provider_team_ids: set[int], lineage: list[int]) -> QuerySet[Agreement]:
    return (
        Agreement.objects.filter(is_active=True, provider_team_id__in=provider_team_ids)
        .filter(Q(customer_team__isnull=True) | Q(customer_team_id__in=lineage))
        .select_related("calendar")
    )


def applicable_agreement(service: Service, customer_team: Team | None) -> Agreement | None:
    """The most specific active agreement for a request (see ``_specificity``)."""
    lineage = team_lineage(customer_team)
    candidates = _candidate_agreements({service.provider_team_id}, lineage).filter(
        Q(service=service) | Q(service__isnull=True)
    )
    return min(candidates, key=_specificity(lineage), default=None)


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


def expected_times_by_service(
    services: list[Service], customer_team: Team | None
) -> dict[int, ExpectedTimes]:
    """``expected_times`` at each service's default priority for a whole catalog, in two
    queries, by the same precedence as ``applicable_agreement``."""
    lineage = team_lineage(customer_team)
    agreements = list(
        _candidate_agreements({s.provider_team_id for s in services}, lineage).prefetch_related(
            "targets"
        )
    )
    rank = _specificity(lineage)
    expected: dict[int, ExpectedTimes] = {}
    for service in services:
        best = min(
            (
                agreement
                for agreement in agreements
                if agreement.provider_team_id == service.provider_team_id
                and agreement.service_id in (None, service.pk)
            ),
            key=rank,
            default=None,
        )
        target = best and next(
            (t for t in best.targets.all() if t.priority == service.default_priority), None
        )
        if best is not None and target is not None:
            expected[service.pk] = ExpectedTimes(
                agreement=best,
                priority=service.default_priority,
                first_response_minutes=target.first_response_minutes,
                resolution_minutes=target.resolution_minutes,
            )
    return expected
