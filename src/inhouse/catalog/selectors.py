from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from inhouse.catalog.models import Agreement, AgreementTarget, FormField, Priority, Service
from inhouse.catalog.snapshot import CatalogSnapshot, catalog_snapshot
from inhouse.core.errors import NotFound
from inhouse.core.versioned import CATALOG, VersionedCache
from inhouse.org.models import Membership, Person, Team
from inhouse.org.selectors import get_team
from inhouse.policy import (
    Viewer,
    as_viewer,
    can_manage_team,
    can_request_service,
    visible_services_q,
)


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


# --- what people ask for most -------------------------------------------------------------
# Both read requests through the services' reverse relation: the catalog never imports the
# desk. Confidential requests are never counted: the lists are shown to everyone, and an
# order shaped by HR cases would hint at how many there are.

MOST_REQUESTED_DAYS = 90
# The ranking is the same for everyone and moves slowly; each process recomputes it this
# often, or sooner when the catalog changes.
MOST_REQUESTED_FRESH_FOR = timedelta(hours=1)
# More than any page shows: services the viewer may not see are left out afterwards.
MOST_REQUESTED_RANKED = 40


def recent_service_ids(viewer: Viewer, *, limit: int) -> list[int]:
    """The services the viewer filed requests for, most recently asked first (one query).

    Their confidential requests are left out too: this is a shortcut shown on the home
    page, often over a shoulder, and an HR case should not sit in it.
    """
    return list(
        Service.objects.filter(
            is_active=True, requests__requester_id=viewer.person_id, requests__confidential=False
        )
        .annotate(last_requested=Max("requests__id"))
        .order_by("-last_requested")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass(frozen=True)
class _Ranking:
    computed_at: datetime
    service_ids: list[int]


def _rank_most_requested() -> _Ranking:
    now = timezone.now()
    since = now - timedelta(days=MOST_REQUESTED_DAYS)
    ranked = (
        Service.objects.filter(
            is_active=True,
            confidential=False,
            requests__created_at__gte=since,
            requests__confidential=False,
        )
        .annotate(asked=Count("requests"))
        .order_by("-asked", "name")
        .values_list("pk", flat=True)[:MOST_REQUESTED_RANKED]
    )
    return _Ranking(computed_at=now, service_ids=list(ranked))


_most_requested = VersionedCache(CATALOG, _rank_most_requested)


def most_requested_service_ids() -> list[int]:
    """The organization's most requested services over the last 90 days, most first.

    One aggregate a process runs at most once an hour (or after a catalog change); no
    counts leave this function, only the order. Apply the viewer's visibility to it.
    """
    ranking = _most_requested.get()
    if timezone.now() - ranking.computed_at > MOST_REQUESTED_FRESH_FOR:
        _most_requested.forget()
        ranking = _most_requested.get()
    return ranking.service_ids


def get_service_for(person: Person | Viewer, slug: str) -> Service:
    """The service named by ``slug`` if the caller may ask for it.

    Read from the process's catalog snapshot; a service it does not know yet (made
    a moment ago by a path that did not bump the version) is looked up directly.
    """
    service = catalog_snapshot().services_by_slug.get(slug) or _service_by_slug(slug)
    if service is None or not can_request_service(person, service):
        raise NotFound("No such service.")
    return service


def _service_by_slug(slug: str) -> Service | None:
    return (
        Service.objects.select_related("provider_team")
        .prefetch_related(
            Prefetch("form_fields", queryset=FormField.objects.order_by("position", "id"))
        )
        .prefetch_related("visible_to_teams")
        .filter(slug=slug)
        .first()
    )


def _specificity(lineage: list[int]) -> Callable[[Agreement], tuple[int, int]]:
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


def _best_agreement(
    snapshot: CatalogSnapshot, service: Service, lineage: list[int]
) -> Agreement | None:
    candidates = (
        agreement
        for agreement in snapshot.agreements_of(service.provider_team_id)
        if agreement.service_id in (None, service.pk)
        and (agreement.customer_team_id is None or agreement.customer_team_id in lineage)
    )
    return min(candidates, key=_specificity(lineage), default=None)


def applicable_agreement(service: Service, customer_team: Team | None) -> Agreement | None:
    """The most specific active agreement for a request (see ``_specificity``), with its
    calendar and targets, from the process's catalog snapshot: no query but its version."""
    snapshot = catalog_snapshot()
    lineage = snapshot.lineage(customer_team.pk if customer_team else None)
    return _best_agreement(snapshot, service, lineage)


@dataclass(frozen=True)
class ExpectedTimes:
    agreement: Agreement
    priority: str
    first_response_minutes: int
    resolution_minutes: int


def target_for(agreement: Agreement | None, priority: str) -> AgreementTarget | None:
    if agreement is None:
        return None
    # .all(): an agreement from the snapshot has its targets prefetched.
    return next((t for t in agreement.targets.all() if t.priority == priority), None)


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


def default_customer_team(person: Person | Viewer) -> Team | None:
    """The team a person asks on behalf of unless they say otherwise: their first one.

    A viewer knows it already (``Viewer.first_team_id``) and costs no query.
    """
    if isinstance(person, Viewer):
        if person.first_team_id is None:
            return None
        return catalog_snapshot().teams_by_id.get(person.first_team_id) or (
            Team.objects.filter(pk=person.first_team_id).first()
        )
    membership = (
        Membership.objects.filter(person=person).select_related("team").order_by("id").first()
    )
    return membership.team if membership else None


def expected_times_by_service(
    services: list[Service], customer_team: Team | None
) -> dict[int, ExpectedTimes]:
    """``expected_times`` at each service's default priority for a whole catalog, by the
    same precedence as ``applicable_agreement`` (from the snapshot: no query)."""
    snapshot = catalog_snapshot()
    lineage = snapshot.lineage(customer_team.pk if customer_team else None)
    expected: dict[int, ExpectedTimes] = {}
    for service in services:
        best = _best_agreement(snapshot, service, lineage)
        if best is None:
            continue
        target = next(
            (t for t in best.targets.all() if t.priority == service.default_priority), None
        )
        if target is not None:
            expected[service.pk] = ExpectedTimes(
                agreement=best,
                priority=service.default_priority,
                first_response_minutes=target.first_response_minutes,
                resolution_minutes=target.resolution_minutes,
            )
    return expected


def targets_by_priority(agreement: Agreement) -> list[AgreementTarget]:
    """The agreement's targets, most urgent priority first (prefetched targets are used)."""
    by_priority = {target.priority: target for target in agreement.targets.all()}
    return [by_priority[p] for p in reversed(Priority.values) if p in by_priority]


# --- a lead's view of their team's part of the catalog -------------------------------------
# Inactive teams, services and agreements are included: a lead manages those too.


def teams_managed_by(viewer: Viewer) -> list[Team]:
    """The active teams whose catalog the viewer may manage, by name: all for an org admin."""
    teams = Team.objects.filter(is_active=True).order_by("name")
    if not viewer.is_admin:
        teams = teams.filter(pk__in=viewer.lead_team_ids)
    return list(teams)


def team_managed_by(viewer: Viewer, slug: str) -> Team:
    """The team if the viewer may manage it; ``NotFound`` otherwise, so nothing is revealed."""
    team = get_team(slug, include_inactive=True)
    if not can_manage_team(viewer, team):
        raise NotFound("No such team.")
    return team


def services_of_team(team: Team) -> list[Service]:
    """The team's services, active ones first, each with ``field_count``."""
    return list(
        Service.objects.filter(provider_team=team)
        .annotate(field_count=Count("form_fields"))
        .order_by("-is_active", "name")
    )


def get_team_service(team: Team, *, slug: str | None = None, pk: int | None = None) -> Service:
    """One of the team's services, by address or else by id."""
    services = Service.objects.filter(provider_team=team).select_related("provider_team")
    if slug is not None:
        services = services.filter(slug=slug)
    elif pk is not None:
        services = services.filter(pk=pk)
    else:
        raise NotFound("No such service.")
    service = services.first()
    if service is None:
        raise NotFound("No such service.")
    return service


def services_by_name(team: Team) -> QuerySet[Service]:
    """All of the team's services, active or not, as a form's choices."""
    return Service.objects.filter(provider_team=team).order_by("name")


def obligation_fields(team: Team, service: Service | None) -> list[FormField]:
    """The form fields an agreement may oblige the customer to answer: the service's,
    or those of every service of the team, by service and position."""
    fields = FormField.objects.filter(service__provider_team=team)
    if service is not None:
        fields = fields.filter(service=service)
    return list(fields.select_related("service").order_by("service__name", "position"))


def form_fields_in_order(service: Service) -> list[FormField]:
    return list(service.form_fields.order_by("position", "id"))


def get_form_field(service: Service, key: str) -> FormField:
    form_field = (
        service.form_fields.filter(key=key).select_related("service__provider_team").first()
    )
    if form_field is None:
        raise NotFound("No such field.")
    return form_field


def agreements_of_team(team: Team) -> list[Agreement]:
    """The agreements the team provides, active ones first, with their targets."""
    return list(
        Agreement.objects.filter(provider_team=team)
        .select_related("service", "customer_team", "calendar")
        .prefetch_related("targets")
        .order_by("-is_active", "name")
    )


def agreements_for_service(team: Team, service: Service) -> list[Agreement]:
    """The team's agreements that name this service (not those for all its services)."""
    return list(
        Agreement.objects.filter(provider_team=team, service=service).select_related(
            "customer_team", "calendar"
        )
    )


def get_team_agreement(team: Team, pk: int) -> Agreement:
    agreement = (
        Agreement.objects.filter(provider_team=team, pk=pk)
        .select_related("provider_team", "service__provider_team", "customer_team", "calendar")
        .first()
    )
    if agreement is None:
        raise NotFound("No such agreement.")
    return agreement
