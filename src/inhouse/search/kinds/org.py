"""People and teams: every active colleague and team is found by everyone, as the
org chart shows them."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inhouse.core.versioned import CATALOG
from inhouse.org.models import Person, Team
from inhouse.policy import Viewer
from inhouse.search.registry import IndexRow, SearchKind, clean, register


def everyone(viewer: Viewer) -> Q:
    return Q()


def _all_people() -> QuerySet[Any, int]:
    return Person.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)


def _person_rows(ids: Sequence[int]) -> Iterable[IndexRow]:
    for person in Person.objects.filter(pk__in=ids, is_active=True).only("full_name", "job_title"):
        yield IndexRow(
            object_id=person.pk,
            title=clean(person.full_name),
            body=clean(person.job_title),
            url=f"/org/people/{person.pk}/",
            person_id=person.pk,
        )


def _all_teams() -> QuerySet[Any, int]:
    return Team.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)


def _team_rows(ids: Sequence[int]) -> Iterable[IndexRow]:
    for team in Team.objects.filter(pk__in=ids, is_active=True).only("name", "slug"):
        yield IndexRow(
            object_id=team.pk,
            title=clean(team.name),
            body="",
            url=f"/org/teams/{team.slug}/",
            team_id=team.pk,
        )


register(
    SearchKind(
        name="person",
        label=_("People"),
        all_ids=_all_people,
        rows=_person_rows,
        visible=everyone,
        order=40,
    )
)
register(
    SearchKind(
        name="team",
        label=_("Teams"),
        all_ids=_all_teams,
        rows=_team_rows,
        visible=everyone,
        follows_version=CATALOG,
        order=50,
    )
)
