"""The history vocabulary: each kind's writer and its shape, and the reader's words."""

from datetime import timedelta

import pytest
from tests.desk.helpers import START, submit

from inhouse.desk import events, history_reader
from inhouse.desk.models import EventKind, RequestEvent
from inhouse.desk.selectors import requests_visible_to

pytestmark = pytest.mark.django_db

AT = START + timedelta(hours=1)


def written(cast, request):
    """One event of every kind for ``request``, as each writer builds it."""
    return {
        EventKind.CREATED: events.created(
            request_id=request.pk, actor_id=cast.alex.pk, at=AT, service="printer",
            priority="normal", channel="portal", reference="IT-1000", priority_from="requester",
            on_behalf_of=cast.rita.pk,
        ),
        EventKind.COMMENTED: events.commented(
            request_id=request.pk, actor_id=cast.alex.pk, at=AT, comment_id=7, public=False
        ),
        EventKind.ATTACHED: events.attached(
            request_id=request.pk, actor_id=cast.rita.pk, at=AT, attachment_id=3, size=5,
            sha256="ab", public=True,
        ),
        EventKind.STATUS_CHANGED: events.status_changed(
            request_id=request.pk, actor_id=cast.alex.pk, at=AT, before="new", after="in_progress"
        ),
        EventKind.ASSIGNED: events.assigned(
            request_id=request.pk, actor_id=cast.lena.pk, at=AT, before=None, after=cast.ivy.pk
        ),
        EventKind.PRIORITY_CHANGED: events.priority_changed(
            request_id=request.pk, actor_id=cast.alex.pk, at=AT, before="normal", after="urgent"
        ),
        EventKind.EXTERNAL_REF_CHANGED: events.external_ref_changed(
            request_id=request.pk, actor_id=cast.alex.pk, at=AT, before="", after="DEAL-7"
        ),
        EventKind.TRANSFERRED: events.transferred(
            request_id=request.pk, actor_id=cast.alex.pk, at=AT, services=("printer", "cleaning"),
            provider_teams=(cast.service_desk.pk, cast.facilities.pk),
            references=("IT-1000", "FAC-1000"),
        ),
        EventKind.DEPENDENCY_ADDED: events.dependency_added(
            request_id=request.pk, actor_id=cast.alex.pk, at=AT, blocker_id=request.pk + 100
        ),
        EventKind.DEPENDENCY_REMOVED: events.dependency_removed(
            request_id=request.pk, actor_id=cast.alex.pk, at=AT, blocker_id=request.pk + 100
        ),
        EventKind.WATCHER_ADDED: events.watcher_added(
            request_id=request.pk, actor_id=cast.rita.pk, at=AT, watcher_id=cast.carl.pk
        ),
        EventKind.FIRST_RESPONSE: events.first_response(
            request_id=request.pk, actor_id=cast.alex.pk, at=AT
        ),
        EventKind.BREACHED: events.breached(
            request_id=request.pk, at=AT, clock="resolution", due_at=START
        ),
        EventKind.LEGAL_HOLD_CHANGED: events.legal_hold_changed(
            request_id=request.pk, actor_id=cast.lena.pk, at=AT, before=False, after=True
        ),
        EventKind.FOLLOWED_UP: events.followed_up(
            request_id=request.pk, actor_id=cast.rita.pk, at=AT, follow_up_id=4, step="2w",
            still_working="no", reopened=True,
        ),
        EventKind.RATED: events.rated(
            request_id=request.pk, actor_id=cast.rita.pk, at=AT, before=None, after=4,
            with_comment=True,
        ),
        EventKind.CLARITY_RATED: events.clarity_rated(
            request_id=request.pk, actor_id=cast.alex.pk, at=AT, before=2, after=3,
            missing=["needed_by"],
        ),
    }  # fmt: skip


def test_every_kind_has_a_writer(cast):
    assert set(written(cast, submit(cast))) == set(EventKind.values)


def test_each_writer_builds_its_kind_with_its_shape(cast):
    request = submit(cast)
    shapes = {
        kind: (event.kind, event.data, event.is_public, event.actor_id, event.created_at)
        for kind, event in written(cast, request).items()
    }
    assert shapes == {
        "created": ("created", {"service": "printer", "priority": "normal",
                                "priority_from": "requester", "channel": "portal",
                                "reference": "IT-1000", "on_behalf_of": cast.rita.pk},
                    True, cast.alex.pk, AT),
        "commented": ("commented", {"comment": 7, "public": False}, False, cast.alex.pk, AT),
        "attached": ("attached", {"attachment": 3, "size": 5, "sha256": "ab"}, True,
                     cast.rita.pk, AT),
        "status_changed": ("status_changed", {"status": ["new", "in_progress"]}, True,
                           cast.alex.pk, AT),
        "assigned": ("assigned", {"assignee": [None, cast.ivy.pk]}, True, cast.lena.pk, AT),
        "priority_changed": ("priority_changed", {"priority": ["normal", "urgent"]}, True,
                             cast.alex.pk, AT),
        "external_ref_changed": ("external_ref_changed", {"external_ref": ["", "DEAL-7"]}, True,
                                 cast.alex.pk, AT),
        "transferred": ("transferred", {
            "service": ["printer", "cleaning"],
            "provider_team": [cast.service_desk.pk, cast.facilities.pk],
            "reference": ["IT-1000", "FAC-1000"],
        }, True, cast.alex.pk, AT),
        "dependency_added": ("dependency_added", {"blocked_by": request.pk + 100}, True,
                             cast.alex.pk, AT),
        "dependency_removed": ("dependency_removed", {"blocked_by": request.pk + 100}, True,
                               cast.alex.pk, AT),
        "watcher_added": ("watcher_added", {"watcher": cast.carl.pk}, True, cast.rita.pk, AT),
        "first_response": ("first_response", {}, True, cast.alex.pk, AT),
        "breached": ("breached", {"clock": "resolution", "due_at": START.isoformat()}, True,
                     None, AT),
        "legal_hold_changed": ("legal_hold_changed", {"legal_hold": [False, True]}, False,
                               cast.lena.pk, AT),
        "followed_up": ("followed_up", {"follow_up": 4, "step": "2w", "still_working": "no",
                                        "reopened": True}, True, cast.rita.pk, AT),
        "rated": ("rated", {"score": [None, 4], "with_comment": True}, False, cast.rita.pk, AT),
        "clarity_rated": ("clarity_rated", {"score": [2, 3], "missing": ["needed_by"]}, False,
                          cast.alex.pk, AT),
    }  # fmt: skip


def test_a_filing_for_oneself_names_nobody_else(cast):
    event = events.created(
        request_id=1, actor_id=cast.rita.pk, at=AT, service="printer", priority="low",
        channel="api", reference="IT-1000", priority_from="default",
    )  # fmt: skip
    assert "on_behalf_of" not in event.data
    assert "impact" not in event.data


def test_a_priority_from_impact_and_urgency_records_both_answers(cast):
    event = events.created(
        request_id=1, actor_id=cast.rita.pk, at=AT, service="printer", priority="high",
        channel="api", reference="IT-1000", priority_from="impact_urgency",
        impact_urgency=("high", "medium"),
    )  # fmt: skip
    assert (event.data["priority_from"], event.data["impact"], event.data["urgency"]) == (
        "impact_urgency",
        "high",
        "medium",
    )


def test_the_services_write_what_the_writers_build(cast):
    request = submit(cast)
    stored = RequestEvent.objects.get(request=request, kind="created")
    built = events.created(
        request_id=request.pk, actor_id=cast.rita.pk, at=stored.created_at, service="printer",
        priority="normal", channel="portal", reference=request.reference,
        priority_from="requester",
    )  # fmt: skip
    assert (stored.kind, stored.data, stored.is_public, stored.actor_id) == (
        built.kind,
        built.data,
        built.is_public,
        built.actor_id,
    )


def test_record_inserts_the_built_events_chained_after_the_head(cast):
    request = submit(cast)
    events.record(request, *written(cast, request).values())
    stored = RequestEvent.objects.filter(request=request).order_by("sequence")
    assert list(stored.values_list("sequence", flat=True)) == list(
        range(1, 2 + len(EventKind.values))
    )
    # The head moved in memory, for the caller to save with the request.
    assert (request.history_length, request.history_digest) == (
        1 + len(EventKind.values),
        stored.last().digest,
    )


def test_record_refuses_an_event_of_another_request(cast):
    request, other = submit(cast), submit(cast)
    with pytest.raises(ValueError, match="recorded on"):
        events.record(
            request, events.first_response(request_id=other.pk, actor_id=cast.alex.pk, at=AT)
        )
    assert not RequestEvent.objects.filter(kind=EventKind.FIRST_RESPONSE).exists()


def test_the_reader_spells_out_every_kind_in_one_query_per_kind_of_name(
    cast, django_assert_num_queries
):
    request = submit(cast)
    hidden = submit(
        cast, service=cast.mediation, subject="Conflict", form_answers={"summary": "Private"}
    )
    built = written(cast, request)
    built[EventKind.DEPENDENCY_ADDED].data = {"blocked_by": hidden.pk}
    built[EventKind.DEPENDENCY_REMOVED].data = {"blocked_by": request.pk}
    events.record(request, *built.values())
    stored = list(
        RequestEvent.objects.filter(request=request, created_at=AT)
        .select_related("actor")
        .order_by("id")
    )
    visible = requests_visible_to(cast.alex)
    # People, teams and requests: one query each.
    with django_assert_num_queries(3):
        entries = history_reader.describe(stored, visible_requests=visible)
    assert [(entry.who, entry.when, entry.summary, entry.changes) for entry in entries] == [
        ("Alex Tester", AT, "Created", ["Priority normal, via portal", "Filed for Rita Tester"]),
        ("Alex Tester", AT, "Added an internal note", []),
        ("Rita Tester", AT, "File attached", []),
        ("Alex Tester", AT, "Status changed", ["New → In progress"]),
        ("Lena Tester", AT, "Assigned", ["Nobody → Ivy Tester"]),
        ("Alex Tester", AT, "Priority changed", ["Normal → Urgent"]),
        ("Alex Tester", AT, "External outcome changed", ["“none” → “DEAL-7”"]),
        ("Alex Tester", AT, "Transferred", [
            "IT Service Desk → Facilities", "Service printer → cleaning",
            "Reference IT-1000 → FAC-1000",
        ]),
        ("Alex Tester", AT, "Dependency added", ["Blocked by a request you cannot see"]),
        ("Alex Tester", AT, "Dependency removed", [f"No longer blocked by {request.reference}"]),
        ("Rita Tester", AT, "Watcher added", ["Carl Tester"]),
        ("Alex Tester", AT, "First response", []),
        ("Inhouse", AT, "SLA breached", ["Resolution"]),
        ("Lena Tester", AT, "Legal hold changed", ["not on hold → on hold"]),
        ("Rita Tester", AT, "Answered a follow-up", [
            "After 2 weeks: not working any more", "Reopened",
        ]),
        ("Rita Tester", AT, "Rated by the requester", ["4 / 5"]),
        ("Alex Tester", AT, "Clarity rated", ["2 → 3 / 5", "Missing: needed_by"]),
    ]  # fmt: skip


def test_the_reader_asks_nothing_when_events_name_nobody(cast, django_assert_num_queries):
    request = submit(cast)
    stored = list(RequestEvent.objects.filter(request=request).select_related("actor"))
    visible = requests_visible_to(cast.rita)
    with django_assert_num_queries(0):
        entries = history_reader.describe(stored, visible_requests=visible)
    assert [(entry.summary, entry.changes) for entry in entries] == [
        ("Created", ["Priority normal, via portal"])
    ]
