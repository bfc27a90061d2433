"""The catalog as every submit needs it, kept per process and revalidated per use.

A submit needs the service with its form, the team tree (for the customer team's
lineage), the provider's active agreements with their targets and calendars. Those
change a few times a week and are read on every request, so each process keeps them
in memory and checks one version row before using them (``inhouse.core.versioned``).
Every service that changes one of them calls ``catalog_changed()`` inside its
transaction; every process sees the change on its next request.

The objects handed out are shared by every request of the process: read them, never
change them.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch

from inhouse.catalog.models import Agreement, AgreementTarget, FormField, Service
from inhouse.core.versioned import CATALOG, VersionedCache, bump
from inhouse.org.models import Team


@dataclass(frozen=True)
class CatalogSnapshot:
    services_by_slug: dict[str, Service]
    teams_by_id: dict[int, Team]
    agreements_by_provider: dict[int, list[Agreement]]
    visible_team_ids: dict[int, frozenset[int]]

    def lineage(self, team_id: int | None) -> list[int]:
        """The team's id followed by its ancestors' ids, nearest first."""
        lineage: list[int] = []
        while team_id is not None and team_id not in lineage:
            lineage.append(team_id)
            team = self.teams_by_id.get(team_id)
            team_id = team.parent_id if team is not None else None
        return lineage

    def agreements_of(self, provider_team_id: int) -> list[Agreement]:
        return self.agreements_by_provider.get(provider_team_id, [])


def _build() -> CatalogSnapshot:
    services = (
        Service.objects.select_related("provider_team")
        .prefetch_related(
            Prefetch("form_fields", queryset=FormField.objects.order_by("position", "id")),
            "visible_to_teams",
        )
        .order_by("pk")
    )
    agreements = (
        Agreement.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related(
            Prefetch("targets", queryset=AgreementTarget.objects.order_by("priority"))
        )
        .order_by("pk")
    )
    by_provider: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in agreements:
        by_provider[agreement.provider_team_id].append(agreement)
    by_slug = {service.slug: service for service in services}
    return CatalogSnapshot(
        services_by_slug=by_slug,
        teams_by_id={team.pk: team for team in Team.objects.all()},
        agreements_by_provider=dict(by_provider),
        visible_team_ids={
            service.pk: frozenset(team.pk for team in service.visible_to_teams.all())
            for service in by_slug.values()
        },
    )


_snapshot = VersionedCache(CATALOG, _build)


def catalog_snapshot() -> CatalogSnapshot:
    return _snapshot.get()


def catalog_changed() -> None:
    """Call inside the transaction that changes services, forms, agreements,
    targets, calendars or the team tree."""
    bump(CATALOG)
