"""Services: found by their name, description, form (labels and choices) and the
keywords a lead adds, by whoever may see them in the catalog."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inhouse.catalog.models import FormField, Service
from inhouse.catalog.snapshot import catalog_snapshot
from inhouse.core.versioned import CATALOG
from inhouse.policy import Viewer, can_request_service
from inhouse.search.registry import IndexRow, SearchKind, clean, register


def service_visible(viewer: Viewer) -> Q:
    """The services the viewer may ask for, decided on the process's catalog snapshot
    (the catalog's own rule, ``policy.can_request_service``) instead of a subquery the
    database would run for every search."""
    services = catalog_snapshot().services_by_slug.values()
    return Q(object_id__in=[s.pk for s in services if can_request_service(viewer, s)])


def _all_services() -> QuerySet[Any, int]:
    return Service.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)


def _service_rows(ids: Sequence[int]) -> Iterable[IndexRow]:
    services = (
        Service.objects.filter(pk__in=ids, is_active=True)
        .select_related("provider_team")
        .prefetch_related(
            Prefetch("form_fields", queryset=FormField.objects.order_by("position", "id"))
        )
    )
    for service in services:
        form_words: list[str] = []
        for form_field in service.form_fields.all():
            form_words.append(form_field.label)
            form_words.extend(str(choice) for choice in form_field.choices or [])
        yield IndexRow(
            object_id=service.pk,
            title=clean(service.name),
            body=clean(
                "\n".join(
                    [service.description, service.keywords, service.provider_team.name, *form_words]
                )
            ),
            url=f"/services/{service.slug}/request/",
            team_id=service.provider_team_id,
        )


register(
    SearchKind(
        name="service",
        label=_("Services"),
        all_ids=_all_services,
        rows=_service_rows,
        visible=service_visible,
        follows_version=CATALOG,
        order=10,
    )
)
