"""Follow-ups on the 2-2-2 cadence: scheduled on resolution, sent once when due, answered
by the requester (a "no" reopens), cancelled with the request, and switched off."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count

from inhouse import policy
from inhouse.catalog.services import ServiceDetails, update_service
from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inhouse.demo.generator import generate_demo
from inhouse.desk.history_chain import check_histories
from inhouse.desk.models import (
    Comment,
    EventKind,
    Notification,
    NotificationKind,
    Request,
    RequestEvent,
    Status,
)
from inhouse.desk.selectors.history import history_entries
from inhouse.desk.services import transition_request
from inhouse.desk.services.followups import answer_follow_up
from inhouse.desk.services.notifications import set_notification_preferences
from inhouse.feedback.models.followups import FollowUp, FollowUpStatus
from inhouse.feedback.services.followups import (
    add_step,
    send_due_follow_ups,
    send_follow_up,
    turn_off_follow_ups,
)
from inhouse.sla.calendars import forget_business_calendars
from tests.conftest import client_for
from tests.desk.helpers import event_kinds, fresh, frozen_time, submit
from tests.desk.test_api import bearer, post_json

# New Year's Eve late in the evening: the months step lands on the end of February.
RESOLVED_AT = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


@pytest.fixture
def printer(cast):
    cast.printer.follow_up_cadence = ["2d", "2w", "2m"]
    cast.printer.save(update_fields=["follow_up_cadence"])
    return cast.printer


def resolved_request(cast, clock):
    request = submit(cast)
    clock.now = RESOLVED_AT
    return transition_request(actor=cast.alex, request=request, to=Status.RESOLVED)


def rows(request):
    return list(FollowUp.objects.filter(request=request).order_by("due_at", "id"))


def statuses(request):
    return [row.status for row in rows(request)]


def follow_up_notices(person):
    return Notification.objects.filter(recipient=person, kind=NotificationKind.FOLLOW_UP)


# --- scheduling ---------------------------------------------------------------------------


def test_resolving_schedules_2_days_2_weeks_and_2_months_after_resolution_in_utc(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(days=1)) as clock:
        request = resolved_request(cast, clock)

    scheduled = rows(request)
    assert [row.step for row in scheduled] == ["2d", "2w", "2m"]
    assert [row.due_at for row in scheduled] == [
        datetime(2027, 1, 2, 23, 30, tzinfo=UTC),
        datetime(2027, 1, 14, 23, 30, tzinfo=UTC),
        datetime(2027, 2, 28, 23, 30, tzinfo=UTC),
    ]
    assert all(row.due_at.utcoffset() == timedelta(0) for row in scheduled)
    assert {row.status for row in scheduled} == {FollowUpStatus.SCHEDULED}
    assert {row.resolved_at for row in scheduled} == {RESOLVED_AT}


def test_a_months_step_counts_calendar_months_whatever_the_zone_it_was_given_in():
    berlin_evening = datetime(2026, 3, 31, 1, 0, tzinfo=UTC)
    assert add_step(berlin_evening, "2m") == datetime(2026, 5, 31, 1, 0, tzinfo=UTC)
    assert add_step(datetime(2026, 11, 30, 12, tzinfo=UTC), "3m") == datetime(
        2027, 2, 28, 12, tzinfo=UTC
    )


def test_a_service_without_a_cadence_schedules_nothing(cast):
    with frozen_time() as clock:
        request = resolved_request(cast, clock)
    assert rows(request) == []


def test_a_lead_sets_the_cadence_and_a_bad_one_is_refused_naming_the_field(cast):
    details = ServiceDetails(name=cast.printer.name, slug=cast.printer.slug)
    update_service(
        actor=cast.lena,
        service=cast.printer,
        details=ServiceDetails(
            name=details.name, slug=details.slug, follow_up_cadence=["2d", "2w", "2m"]
        ),
    )
    assert fresh_service(cast.printer).follow_up_cadence == ["2d", "2w", "2m"]

    for bad in (["2w", "2d"], ["soon"], ["13m"], ["1d", "2d", "3d", "4d", "5d", "6d"]):
        with pytest.raises(InvalidInput) as refused:
            update_service(
                actor=cast.lena,
                service=cast.printer,
                details=ServiceDetails(name=details.name, slug=details.slug, follow_up_cadence=bad),
            )
        assert "follow_up_cadence" in refused.value.fields
    assert fresh_service(cast.printer).follow_up_cadence == ["2d", "2w", "2m"]


def fresh_service(service):
    return type(service).objects.get(pk=service.pk)


def test_the_configuration_page_saves_the_cadence(cast):
    page = client_for(cast.lena).get(
        f"/catalog/manage/{cast.service_desk.slug}/services/{cast.printer.slug}/"
    )
    assert page.status_code == 200
    assert 'name="follow_up_cadence"' in page.content.decode()


# --- sending ------------------------------------------------------------------------------


def test_a_due_follow_up_is_sent_once_even_by_two_workers(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = resolved_request(cast, clock)
        assert send_due_follow_ups(now=clock.advance(days=1)) == 0

        due_at = clock.advance(days=1, minutes=1)
        first, *_ = rows(request)
        # Both workers found it due; only the first to claim it asks.
        assert send_follow_up(follow_up_id=first.pk, now=due_at) is True
        assert send_follow_up(follow_up_id=first.pk, now=due_at) is False
        assert send_due_follow_ups(now=due_at) == 0

    assert statuses(request) == [FollowUpStatus.SENT, FollowUpStatus.SCHEDULED] + [
        FollowUpStatus.SCHEDULED
    ]
    notice = follow_up_notices(cast.rita).get()
    assert notice.request_id == request.pk
    assert notice.params["step"] == "2d"
    assert not follow_up_notices(cast.alex).exists()


def test_the_worker_sends_what_is_due(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = resolved_request(cast, clock)
    FollowUp.objects.filter(request=request, step="2d").update(
        due_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    call_command("worker", "--once")
    call_command("worker", "--once")
    assert follow_up_notices(cast.rita).count() == 1


def test_a_requester_who_switched_follow_ups_off_is_not_asked(cast, printer):
    set_notification_preferences(actor=cast.rita, choices={"app": {"follow_up": False}})
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = resolved_request(cast, clock)
        assert send_due_follow_ups(now=clock.advance(days=3)) == 0
    assert statuses(request)[0] == FollowUpStatus.SKIPPED
    assert not follow_up_notices(cast.rita).exists()


# --- cancelling and reopening -------------------------------------------------------------


def test_a_cancelled_request_gets_no_follow_ups(cast, printer):
    with frozen_time() as clock:
        request = submit(cast)
        transition_request(actor=cast.rita, request=request, to=Status.CANCELLED)
        assert send_due_follow_ups(now=clock.advance(days=90)) == 0
    assert rows(request) == []
    assert not follow_up_notices(cast.rita).exists()


def test_reopening_cancels_the_round_and_resolving_again_schedules_a_fresh_one(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = resolved_request(cast, clock)
        clock.advance(days=1)
        transition_request(actor=cast.rita, request=request, to=Status.IN_PROGRESS)
        assert statuses(request) == [FollowUpStatus.CANCELLED] * 3

        second_resolution = clock.advance(days=1)
        transition_request(actor=cast.alex, request=request, to=Status.RESOLVED)
        fresh_round = [row for row in rows(request) if row.status == FollowUpStatus.SCHEDULED]
        assert [row.due_at for row in fresh_round] == [
            add_step(second_resolution, step) for step in ("2d", "2w", "2m")
        ]

        # Reopened again, then cancelled: nothing is left to send.
        transition_request(actor=cast.rita, request=request, to=Status.IN_PROGRESS)
        transition_request(actor=cast.rita, request=request, to=Status.CANCELLED)
        assert send_due_follow_ups(now=clock.advance(days=365)) == 0
    assert set(statuses(request)) == {FollowUpStatus.CANCELLED}
    assert not follow_up_notices(cast.rita).exists()


# --- answering ----------------------------------------------------------------------------


def asked(cast, clock, *, after_days: float = 2.01):
    """A resolved printer request whose follow-ups are due ``after_days`` on, sent."""
    request = resolved_request(cast, clock)
    send_due_follow_ups(now=clock.advance(days=after_days))
    return request


def test_not_working_any_more_reopens_the_request_even_after_the_reopen_window(
    cast, printer, settings
):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = asked(cast, clock, after_days=61)
        assert Status.IN_PROGRESS not in policy.transitions_for(cast.rita, fresh(request))
        last = rows(request)[-1]
        assert last.step == "2m" and last.status == FollowUpStatus.SENT

        answer = answer_follow_up(
            actor=cast.rita,
            request=request,
            follow_up_id=last.pk,
            still_working="no",
            problem="The printer jams again since Monday.",
        )

    assert answer.reopened is True
    assert fresh(request).status == Status.IN_PROGRESS
    reply = Comment.objects.get(request=request)
    assert reply.body == "The printer jams again since Monday." and reply.is_public
    assert event_kinds(request)[-3:] == [
        EventKind.FOLLOWED_UP,
        EventKind.COMMENTED,
        EventKind.STATUS_CHANGED,
    ]
    # The earlier check-ins nobody answered go with the reopening.
    assert statuses(request) == [
        FollowUpStatus.CANCELLED,
        FollowUpStatus.CANCELLED,
        FollowUpStatus.ANSWERED,
    ]


def test_an_answer_is_stored_and_shows_in_the_history(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = asked(cast, clock)
        first = rows(request)[0]
        answer_follow_up(
            actor=cast.rita,
            request=request,
            follow_up_id=first.pk,
            still_working="yes",
            made_possible="We printed the board pack in time.",
        )

    stored = FollowUp.objects.get(pk=first.pk)
    assert (stored.status, stored.still_working, stored.made_possible, stored.reopened) == (
        FollowUpStatus.ANSWERED,
        "yes",
        "We printed the board pack in time.",
        False,
    )
    assert stored.answered_by == cast.rita
    assert fresh(request).status == Status.RESOLVED
    entry = history_entries(cast.alex, request)[-1]
    assert entry.event.data == {
        "follow_up": first.pk, "step": "2d", "still_working": "yes", "reopened": False,
    }  # fmt: skip
    assert entry.changes == ["After 2 days: still working"]


def test_a_closed_request_stays_closed_on_a_no(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = resolved_request(cast, clock)
        transition_request(actor=cast.rita, request=request, to=Status.CLOSED)
        send_due_follow_ups(now=clock.advance(days=3))
        first = rows(request)[0]
        answer = answer_follow_up(
            actor=cast.rita, request=request, follow_up_id=first.pk, still_working="no"
        )
    assert answer.reopened is False
    assert fresh(request).status == Status.CLOSED


def test_only_the_requester_answers_and_only_once(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = asked(cast, clock)
        first = rows(request)[0]
        events_before = event_kinds(request)

        with pytest.raises(PermissionDenied):
            answer_follow_up(actor=cast.carl, request=request, follow_up_id=first.pk,
                             still_working="yes")  # fmt: skip
        with pytest.raises(PermissionDenied):
            answer_follow_up(actor=cast.alex, request=request, follow_up_id=first.pk,
                             still_working="yes")  # fmt: skip
        with pytest.raises(NotFound):
            answer_follow_up(actor=cast.otto, request=request, follow_up_id=first.pk,
                             still_working="yes")  # fmt: skip
        with pytest.raises(InvalidInput):
            answer_follow_up(actor=cast.rita, request=request, follow_up_id=first.pk,
                             still_working="maybe")  # fmt: skip
        not_yet_asked = rows(request)[1]
        with pytest.raises(Conflict):
            answer_follow_up(actor=cast.rita, request=request, follow_up_id=not_yet_asked.pk,
                             still_working="yes")  # fmt: skip
        assert FollowUp.objects.get(pk=first.pk).status == FollowUpStatus.SENT
        assert event_kinds(request) == events_before

        answer_follow_up(actor=cast.rita, request=request, follow_up_id=first.pk,
                         still_working="partly")  # fmt: skip
        with pytest.raises(Conflict):
            answer_follow_up(actor=cast.rita, request=request, follow_up_id=first.pk,
                             still_working="no")  # fmt: skip
    assert FollowUp.objects.get(pk=first.pk).still_working == "partly"
    assert fresh(request).status == Status.RESOLVED


# --- turning them off ---------------------------------------------------------------------


def test_turning_follow_ups_off_for_a_request_holds_after_a_new_resolution(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = asked(cast, clock)
        with pytest.raises(PermissionDenied):
            turn_off_follow_ups(actor=cast.alex, request=request)
        assert turn_off_follow_ups(actor=cast.rita, request=request) == 3
        assert set(statuses(request)) == {FollowUpStatus.CANCELLED}

        transition_request(actor=cast.rita, request=request, to=Status.IN_PROGRESS)
        transition_request(actor=cast.alex, request=request, to=Status.RESOLVED)
        assert send_due_follow_ups(now=clock.advance(days=90)) == 0
    assert len(rows(request)) == 3
    assert follow_up_notices(cast.rita).count() == 1


# --- the API ------------------------------------------------------------------------------


def test_the_api_lists_answers_and_turns_off_follow_ups(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = asked(cast, clock)
        url = f"/api/v1/requests/{request.reference}/follow-ups"
        first = rows(request)[0]
        alex, rita, carl, otto = (bearer(p) for p in (cast.alex, cast.rita, cast.carl, cast.otto))

        listed = alex.get(url)
        assert listed.status_code == 200
        body = listed.json()
        assert body["turned_off"] is False
        assert [(item["step"], item["status"]) for item in body["items"]] == [
            ("2d", "sent"), ("2w", "scheduled"), ("2m", "scheduled"),
        ]  # fmt: skip
        assert otto.get(url).status_code == 404
        assert alex.get(url + "?page=2").status_code == 400

        carl = post_json(carl, url, {"follow_up": first.pk, "still_working": "yes"})
        assert carl.status_code == 403
        hidden = post_json(otto, url, {"follow_up": first.pk, "still_working": "yes"})
        assert hidden.status_code == 404
        bad = post_json(rita, url, {"follow_up": first.pk, "still_working": "meh"})
        assert bad.status_code == 400 and "still_working" in bad.json()["error"]["fields"]
        extra = post_json(
            rita, url,
            {"follow_up": first.pk, "still_working": "yes", "answered_by": cast.alex.pk},
        )  # fmt: skip
        assert extra.status_code == 400 and "answered_by" in extra.json()["error"]["fields"]

        answered = post_json(
            rita, url,
            {"follow_up": first.pk, "still_working": "yes", "made_possible": "Board pack done"},
        )  # fmt: skip
        assert answered.status_code == 200
        assert answered.json()["status"] == "answered"
        assert answered.json()["made_possible"] == "Board pack done"
        again = post_json(rita, url, {"follow_up": first.pk, "still_working": "no"})
        assert again.status_code == 409

        assert post_json(alex, url + "/turn-off", {}).status_code == 403
        off = rita.post(url + "/turn-off")
        assert off.status_code == 200
        assert off.json()["turned_off"] is True
        assert [item["status"] for item in off.json()["items"]] == [
            "answered", "cancelled", "cancelled",
        ]  # fmt: skip
    assert fresh(request).status == Status.RESOLVED


def test_the_api_hides_the_follow_ups_of_a_confidential_case(cast):
    with frozen_time():
        case = submit(cast, service=cast.mediation, subject="Conflict",
                      form_answers={"summary": "x"})  # fmt: skip
    url = f"/api/v1/requests/{case.reference}/follow-ups"
    for outsider in (cast.carl, cast.alex, cast.otto):
        response = bearer(outsider).get(url)
        assert response.status_code == 404
        assert case.reference not in json.dumps(response.json())


# --- the portal page ----------------------------------------------------------------------


def test_the_requester_answers_on_the_request_page(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = asked(cast, clock)
        first = rows(request)[0]
        rita = client_for(cast.rita)
        page = rita.get(f"/requests/{request.reference}/").content.decode()
        assert "Is it still working?" in page
        assert f'name="follow_up" value="{first.pk}"' in page

        # Someone else who sees the request gets no form, and may not post one.
        carl = client_for(cast.carl)
        assert (
            'name="still_working"'
            not in carl.get(f"/requests/{request.reference}/").content.decode()
        )
        carl.post(f"/requests/{request.reference}/follow-ups/answer/",
                  {"follow_up": first.pk, "still_working": "no"})  # fmt: skip
        assert FollowUp.objects.get(pk=first.pk).status == FollowUpStatus.SENT
        assert (
            client_for(cast.otto)
            .post(
                f"/requests/{request.reference}/follow-ups/answer/",
                {"follow_up": first.pk, "still_working": "no"},
            )
            .status_code
            == 404
        )

        response = rita.post(
            f"/requests/{request.reference}/follow-ups/answer/",
            {"follow_up": first.pk, "still_working": "yes", "made_possible": "Printed <b>it</b>"},
            follow=True,
        )
    page = response.content.decode()
    assert "Thank you for your answer." in page
    assert "Printed &lt;b&gt;it&lt;/b&gt;" in page
    assert FollowUp.objects.get(pk=first.pk).still_working == "yes"


def test_the_requester_turns_them_off_on_the_request_page(cast, printer):
    with frozen_time(RESOLVED_AT - timedelta(hours=1)) as clock:
        request = asked(cast, clock)
        response = client_for(cast.rita).post(
            f"/requests/{request.reference}/follow-ups/off/", follow=True
        )
    assert "You turned follow-ups off for this request." in response.content.decode()
    assert FollowUpStatus.SCHEDULED not in statuses(request)


# --- the demo -----------------------------------------------------------------------------


def test_the_demo_has_answered_follow_ups_in_whole_histories(db, settings):
    forget_business_calendars()
    now = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    generate_demo(seed=3, request_count=400, now=now)

    by_status = dict(
        FollowUp.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    assert by_status.get(FollowUpStatus.ANSWERED, 0) > 20
    assert by_status.get(FollowUpStatus.SCHEDULED, 0) > 0
    answered = FollowUp.objects.filter(status=FollowUpStatus.ANSWERED)
    assert not answered.filter(answered_at__gt=now).exists()
    assert not answered.filter(still_working="no", request__status=Status.RESOLVED).exists()
    assert RequestEvent.objects.filter(kind=EventKind.FOLLOWED_UP).count() == answered.count()
    broken = [h.reference for h in check_histories(Request.objects.all()) if h.first_break]
    assert broken == []
