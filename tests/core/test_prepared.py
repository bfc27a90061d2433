"""A prepared query answers exactly what its queryset answers, for every value it is given."""

from datetime import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from inhouse.core.prepared import PreparedQuery
from inhouse.org.models import ApiToken, Membership, Person

pytestmark = pytest.mark.django_db


def _token(person: Person, raw: str) -> ApiToken:
    return ApiToken.objects.create(person=person, prefix=raw[:10], digest=ApiToken.digest_of(raw))


def test_rows_follow_the_values_of_each_call(cast):
    memberships = PreparedQuery(
        lambda person_id: (
            Membership.objects.filter(person_id=person_id)
            .order_by("id")
            .values_list("team_id", "role")
        ),
        person_id=int,
    )

    for person in (cast.rita, cast.alex, cast.hana, cast.ada):
        expected = list(
            Membership.objects.filter(person=person).order_by("id").values_list("team_id", "role")
        )
        assert memberships.rows(person_id=person.pk) == expected


def test_instances_come_with_their_related_rows_and_converted_columns(
    cast, django_assert_num_queries
):
    tokens = PreparedQuery(
        lambda digest: (
            ApiToken.objects.select_related("person__user")
            .filter(digest=digest, person__is_active=True)
            .filter(Q(person__user__isnull=True) | Q(person__user__is_active=True))
        ),
        digest=str,
    )
    _token(cast.rita, "rita-raw-token")
    _token(cast.alex, "alex-raw-token")

    with django_assert_num_queries(1):
        (found,) = tokens.instances(digest=ApiToken.digest_of("alex-raw-token"))
        # The person and their user came in the same row, as select_related does.
        assert found.person == cast.alex
        assert found.person.user == cast.alex.user
        assert found.person.is_active is True
    assert isinstance(found.created_at, datetime) and timezone.is_aware(found.created_at)
    assert tokens.instances(digest=ApiToken.digest_of("no such token")) == []
    assert [t.person for t in tokens.instances(digest=ApiToken.digest_of("rita-raw-token"))] == [
        cast.rita
    ]


def test_a_parameter_that_the_statement_does_not_carry_once_is_refused(cast):
    unused = PreparedQuery(lambda person_id: Membership.objects.all(), person_id=int)
    twice = PreparedQuery(
        lambda person_id: Membership.objects.filter(Q(person_id=person_id) | Q(team_id=person_id)),
        person_id=int,
    )

    with pytest.raises(ValueError, match="appears 0 times"):
        unused.rows(person_id=cast.rita.pk)
    with pytest.raises(ValueError, match="appears 2 times"):
        twice.rows(person_id=cast.rita.pk)
    with pytest.raises(TypeError):
        twice.rows(team_id=1)


@pytest.mark.django_db(transaction=True)
def test_a_locking_query_outside_a_transaction_is_refused_as_the_orm_refuses_it(cast):
    if not connection.features.has_select_for_update:
        pytest.skip("SQLite locks the whole database; the ORM adds no FOR UPDATE there.")
    locked = PreparedQuery(
        lambda person_id: Membership.objects.select_for_update().filter(person_id=person_id),
        person_id=int,
    )

    with pytest.raises(TransactionManagementError):
        locked.rows(person_id=cast.rita.pk)
    with transaction.atomic():
        assert len(locked.instances(person_id=cast.rita.pk)) == 1
