"""The reads and notices compiled once per process give exactly what the ORM's own
querysets give, for every shape: assigned or not, watched or not, any viewer."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from tests.desk.helpers import submit

from inhouse import policy
from inhouse.core.inserts import Selection, compile_selection
from inhouse.core.prepared import PreparedQuery
from inhouse.desk.models import Dependency, NotificationKind, Request
from inhouse.desk.outbox import Notice, PreparedNotice
from inhouse.desk.selectors.requests import (
    blocked_by_this,
    blockers_of,
    clocks_of,
    dependencies_of,
    get_request_for,
    references_of,
    watchers_of,
)
from inhouse.desk.services import notifications
from inhouse.org.models import Membership, Person

pytestmark = pytest.mark.django_db


def _people(selection: Selection) -> list[int]:
    if selection.sql is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(selection.sql, list(selection.params))
        return sorted(person_id for (person_id,) in cursor.fetchall())


def _requests(cast) -> list[Request]:
    """A request of each shape: unassigned; assigned and watched; assigned to someone
    who has since left the team; and a confidential one."""
    plain = submit(cast)
    assigned = submit(cast, subject="Assigned and watched")
    Request.objects.filter(pk=assigned.pk).update(assignee=cast.alex)
    Request.watchers.through.objects.create(request_id=assigned.pk, person_id=cast.carl.pk)
    Request.watchers.through.objects.create(request_id=assigned.pk, person_id=cast.ivy.pk)
    left = submit(cast, subject="Assignee left")
    Request.objects.filter(pk=left.pk).update(assignee=cast.fred)
    secret = submit(
        cast, service=cast.mediation, subject="Mediation", form_answers={"summary": "x"}
    )
    return [Request.objects.get(pk=r.pk) for r in (plain, assigned, left, secret)]


AUDIENCES = [
    notifications.requester_side,
    notifications.assignee_of,
    notifications.assignee_or_queue,
    notifications.requester_side_and_assignee,
    notifications.assignee_and_leads,
]


@pytest.mark.parametrize("audience", AUDIENCES, ids=lambda audience: audience.__name__)
def test_a_prepared_notice_reaches_whom_the_compiled_one_reaches(cast, audience):
    # Someone who switched the kind off is left out by both alike.
    cast.ivy.notification_preferences.create(
        kind=NotificationKind.REPLY, channel="app", enabled=False
    )
    for request in _requests(cast):
        assigned = request.assignee_id is not None
        ids = {
            "pk": request.pk,
            "requester_id": request.requester_id,
            "provider_team_id": request.provider_team_id,
            **({"assignee_id": request.assignee_id} if assigned else {}),
        }
        for excluded in [set(), {cast.rita.pk}, {cast.alex.pk, cast.lena.pk, cast.carl.pk}]:
            for kind in (NotificationKind.REPLY, NotificationKind.STATUS):
                prepared = PreparedNotice(
                    lambda audience=audience, **values: audience(Request(**values)),
                    kind=kind,
                    ids=[*ids],
                    excluded=len(excluded),
                )
                expected = Notice.to(audience(request), kind=kind, already_notified=excluded)
                sent = prepared.to(ids, excluded=excluded)
                assert sent.kind == kind
                assert _people(sent.audience) == _people(expected.audience), (
                    request.subject,
                    excluded,
                    kind,
                )


def test_a_prepared_notice_refuses_another_count_of_people_left_out(cast):
    prepared = PreparedNotice(
        lambda requester_id: Q(pk=requester_id),
        kind=NotificationKind.REPLY,
        ids=["requester_id"],
        excluded=1,
    )

    to_rita = {"requester_id": cast.rita.pk}
    assert _people(prepared.to(to_rita, excluded={cast.carl.pk}).audience) == [cast.rita.pk]
    assert _people(prepared.to(to_rita, excluded={cast.rita.pk}).audience) == []
    with pytest.raises(ValueError, match="leave out 1"):
        prepared.to({"requester_id": cast.rita.pk}, excluded=set())


def test_the_notices_of_a_requesters_comment_leave_out_who_heard_first(cast):
    (_, assigned, *_) = _requests(cast)
    notifications.notify_reply(assigned, actor=cast.rita, public=True, by_provider=False)

    reached = {
        (notice.kind, notice.recipient_id)
        for notice in assigned.notifications.order_by("id")
        if notice.kind in (NotificationKind.REQUESTER_REPLIED, NotificationKind.REPLY)
    }
    # alex (the assignee) hears that the requester replied; carl, a watcher, of the
    # reply; ivy watches but switched nothing off and works the queue, so she hears the
    # reply too; rita wrote it and hears nothing.
    assert reached == {
        (NotificationKind.REQUESTER_REPLIED, cast.alex.pk),
        (NotificationKind.REPLY, cast.carl.pk),
        (NotificationKind.REPLY, cast.ivy.pk),
    }


def test_dependencies_read_as_the_visible_querysets_read_them(cast):
    plain, assigned, left, secret = _requests(cast)
    for blocker, blocked in [(plain, assigned), (secret, assigned), (left, assigned)]:
        Dependency.objects.create(blocker=blocker, blocked=blocked)
    Dependency.objects.create(blocker=assigned, blocked=secret)
    Dependency.objects.create(blocker=assigned, blocked=plain)
    viewers = [cast.rita, cast.carl, cast.alex, cast.lena, cast.hana, cast.ada, cast.otto]
    # Someone in two teams, one of them as an agent: two teams in one shape.
    Membership.objects.create(person=cast.carl, team=cast.service_desk, role="agent")
    for person in viewers:
        viewer = policy.viewer_for(Person.objects.get(pk=person.pk))
        for request in (plain, assigned, secret):
            assert dependencies_of(viewer, request, blockers=True) == list(
                blockers_of(viewer, request).order_by("pk")
            ), (person, request.subject)
            assert dependencies_of(viewer, request, blockers=False) == list(
                blocked_by_this(viewer, request).order_by("pk")
            ), (person, request.subject)


def test_references_watchers_and_clocks_read_as_the_related_managers_read_them(cast):
    for request in _requests(cast):
        found = get_request_for(cast.ada, request.reference)
        assert references_of(found) == list(
            found.references.order_by("created_at").values_list("reference", flat=True)
        )
        assert watchers_of(found) == list(found.watchers.all())
        clocks = clocks_of(found)
        assert clocks == list(found.clocks.select_related("calendar").order_by("kind"))
        with CaptureQueriesContext(connection) as captured:
            assert all(clock.request is found and clock.calendar for clock in clocks)
        assert len(captured) == 0


def test_get_request_for_reads_both_shapes_by_any_reference(cast, django_assert_num_queries):
    request = _requests(cast)[1]
    viewer = policy.viewer_for(cast.alex)

    with django_assert_num_queries(1):
        found = get_request_for(viewer, f" {request.reference.lower()} ")
        assert found.assignee == cast.alex and found.service == cast.printer
    with django_assert_num_queries(2):
        bare = get_request_for(viewer, request.reference, with_relations=False)
        assert bare == found
        # Not joined: reading a relation asks the database.
        assert bare.assignee == cast.alex


def test_a_loose_parameter_may_repeat_or_be_left_out(cast):
    both = PreparedQuery(
        lambda person_id, team_id: Membership.objects.filter(
            Q(person_id=person_id) | Q(team_id=person_id)
        ).values_list("pk"),
        each_once=False,
        person_id=int,
        team_id=int,
    )

    assert both.rows(person_id=cast.rita.pk, team_id=0) == list(
        Membership.objects.filter(Q(person_id=cast.rita.pk) | Q(team_id=cast.rita.pk)).values_list(
            "pk"
        )
    )
    changed = PreparedQuery(
        lambda person_id: Membership.objects.filter(person_id=person_id + 1),
        each_once=False,
        person_id=int,
    )
    with pytest.raises(ValueError, match="changed"):
        changed.rows(person_id=cast.rita.pk)


def test_a_shape_that_matches_nothing_reads_nothing(cast, django_assert_num_queries):
    nobody = PreparedQuery(
        lambda person_id: Person.objects.filter(pk__in=[], user_id=person_id).values_list("pk"),
        person_id=int,
    )
    no_one = PreparedQuery(
        lambda person_id: Person.objects.filter(pk__in=[], user_id=person_id), person_id=int
    )

    with django_assert_num_queries(0):
        assert nobody.rows(person_id=cast.rita.pk) == []
        assert no_one.instances(person_id=cast.rita.pk) == []
        assert nobody.selection(person_id=cast.rita.pk) == compile_selection(
            Person.objects.filter(pk__in=[]).values_list("pk")
        )
