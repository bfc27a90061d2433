"""SLA clocks as requests move: first response, pauses, re-targeting, reopening,
business calendars, and the sweeps that warn and mark breaches."""

import threading
import time
from datetime import UTC, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from tests.desk.helpers import START, clock_of, fresh, frozen_time, submit
from tests.desk.test_concurrency import run_together
from tests.factories import OFFICE_HOURS, make_agreement, make_calendar

from inhouse.catalog.models import Agreement
from inhouse.desk.models import Notification, RequestEvent
from inhouse.desk.services import add_comment, transfer_request, transition_request, update_request
from inhouse.desk.services.sweep import sweep_breaches, sweep_warnings
from inhouse.sla import services as sla_services
from inhouse.sla.calendars import public_holidays
from inhouse.sla.models import Clock, ClockKind, ClosedDay
from inhouse.sla.selectors import clock_state

pytestmark = pytest.mark.django_db

FIRST = ClockKind.FIRST_RESPONSE
RESOLUTION = ClockKind.RESOLUTION
HOUR = timedelta(hours=1)
DAY = timedelta(hours=24)


# --- first response ------------------------------------------------------------------------


def test_only_a_public_agent_reply_stops_the_first_response_clock(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(minutes=10)
        add_comment(actor=cast.alex, request=request, body="Checking the toner.", public=False)
        add_comment(actor=cast.rita, request=request, body="It is urgent!")
        assert clock_of(request, FIRST).stopped_at is None
        assert fresh(request).first_responded_at is None

        clock.advance(minutes=20)
        add_comment(actor=cast.alex, request=request, body="On my way.")
        clock.advance(minutes=5)
        add_comment(actor=cast.ivy, request=request, body="Toner replaced.")

    first = clock_of(request, FIRST)
    assert (first.stopped_at, first.breached_at) == (START + timedelta(minutes=30), None)
    stored = fresh(request)
    assert stored.first_responded_at == START + timedelta(minutes=30)
    assert stored.status == "in_progress"
    assert RequestEvent.objects.filter(request=request, kind="first_response").count() == 1
    assert clock_of(request, RESOLUTION).stopped_at is None


def test_a_late_first_reply_stops_the_clock_as_breached(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=5)
        add_comment(actor=cast.alex, request=request, body="Sorry for the wait.")
    first = clock_of(request, FIRST)
    assert first.breached_at == START + timedelta(minutes=240)
    assert fresh(request).sla_breached is True


# --- waiting on the customer ------------------------------------------------------------------


def test_waiting_on_customer_pauses_resolution_and_the_pause_does_not_count(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=1)
        request = transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
        paused = clock_of(request)
        assert (paused.paused_at, paused.due_at, paused.warn_at) == (START + HOUR, None, None)
        assert fresh(request).resolution_due_at is None
        assert clock_of(request, FIRST).paused_at is None

        clock.advance(hours=3)
        transition_request(actor=cast.alex, request=request, to="in_progress")
        clock.advance(hours=1)
        state = clock_state(clock_of(request), now=clock.now)

    resumed = clock_of(request)
    assert resumed.paused_at is None
    assert resumed.paused_total == 3 * HOUR
    assert resumed.due_at == START + DAY + 3 * HOUR
    assert fresh(request).resolution_due_at == START + DAY + 3 * HOUR
    assert state.remaining == DAY - 2 * HOUR
    assert (state.paused, state.breached, state.at_risk) == (False, False, False)


def test_requester_reply_while_waiting_on_them_resumes_the_work(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=1)
        request = transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
        clock.advance(hours=2)
        add_comment(actor=cast.rita, request=request, body="Floor 3, room 12.")

    stored = fresh(request)
    assert stored.status == "in_progress"
    assert stored.resolution_due_at == START + DAY + 2 * HOUR
    resumed = clock_of(request)
    assert (resumed.paused_at, resumed.paused_total) == (None, 2 * HOUR)
    last = RequestEvent.objects.filter(request=request, kind="status_changed").latest("id")
    assert (last.actor, last.data) == (
        cast.rita,
        {"status": ["waiting_on_customer", "in_progress"]},
    )


def test_a_colleagues_reply_does_not_end_the_wait(cast):
    with frozen_time() as clock:
        request = submit(cast)
        request = transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
        clock.advance(hours=1)
        add_comment(actor=cast.carl, request=request, body="Rita is out today.")
    assert fresh(request).status == "waiting_on_customer"
    assert clock_of(request).paused_at == START


def test_resolving_while_paused_ends_the_pause_without_counting_it(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=1)
        request = transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
        clock.advance(hours=30)
        transition_request(actor=cast.alex, request=request, to="resolved")
    stopped = clock_of(request)
    assert stopped.stopped_at == START + 31 * HOUR
    assert stopped.paused_total == 30 * HOUR
    assert stopped.breached_at is None
    # Nobody answered in time, so only the first-response clock is breached.
    assert clock_of(request, FIRST).breached_at == START + 4 * HOUR


# --- changing the target midway --------------------------------------------------------------


def test_priority_change_recomputes_due_from_the_start_keeping_paused_time(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=1)
        request = transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
        clock.advance(hours=2)
        request = transition_request(actor=cast.alex, request=request, to="in_progress")
        clock.advance(hours=1)
        update_request(
            actor=cast.alex, request=request, expected_version=request.version, priority="high"
        )

    resolution, first = clock_of(request), clock_of(request, FIRST)
    assert (resolution.target, resolution.paused_total) == (8 * HOUR, 2 * HOUR)
    assert resolution.started_at == START
    assert resolution.due_at == START + 8 * HOUR + 2 * HOUR
    assert (first.target, first.due_at) == (HOUR, START + HOUR)
    assert fresh(request).resolution_due_at == START + 10 * HOUR


def test_priority_change_while_paused_applies_when_the_clock_resumes(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=1)
        request = transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
        clock.advance(hours=1)
        request = update_request(
            actor=cast.alex, request=request, expected_version=request.version, priority="high"
        )
        assert (clock_of(request).target, clock_of(request).due_at) == (8 * HOUR, None)
        clock.advance(hours=2)
        transition_request(actor=cast.alex, request=request, to="in_progress")
    resolution = clock_of(request)
    assert resolution.paused_total == 3 * HOUR
    assert resolution.due_at == START + 8 * HOUR + 3 * HOUR


def test_transfer_to_another_agreement_recomputes_due_from_the_start(cast):
    facilities_terms = make_agreement(
        cast.facilities, cast.calendar, service=cast.cleaning, targets={"normal": (120, 600)}
    )
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=1)
        request = transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
        clock.advance(hours=2)
        request = transition_request(actor=cast.alex, request=request, to="in_progress")
        clock.advance(hours=1)
        transfer_request(
            actor=cast.alex,
            request=request,
            service=cast.cleaning,
            expected_version=request.version,
        )

    stored = fresh(request)
    assert stored.agreement == facilities_terms
    resolution, first = clock_of(request), clock_of(request, FIRST)
    assert (resolution.target, resolution.paused_total) == (10 * HOUR, 2 * HOUR)
    assert resolution.due_at == START + 10 * HOUR + 2 * HOUR
    assert (first.target, first.due_at) == (2 * HOUR, START + 2 * HOUR)
    assert stored.resolution_due_at == START + 12 * HOUR


# --- reopening ----------------------------------------------------------------------------------


def test_reopening_resumes_resolution_with_the_time_it_had_left(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=1)
        request = add_comment(actor=cast.alex, request=request, body="Fixed, I think.").request
        clock.advance(hours=1)
        request = transition_request(actor=cast.alex, request=fresh(request), to="resolved")
        assert clock_of(request).stopped_at == START + 2 * HOUR
        clock.advance(hours=30)
        request = transition_request(actor=cast.rita, request=request, to="in_progress")
        state = clock_state(clock_of(request), now=clock.now)
        swept = sweep_breaches(now=clock.now)

    resolution = clock_of(request)
    assert (resolution.stopped_at, resolution.breached_at) == (None, None)
    assert resolution.paused_total == 30 * HOUR
    assert resolution.due_at == START + DAY + 30 * HOUR
    assert state.remaining == DAY - 2 * HOUR
    assert state.breached is False
    assert swept == 0
    stored = fresh(request)
    assert (stored.sla_breached, stored.resolution_due_at) == (False, START + 54 * HOUR)
    # The first response was given before resolving; reopening does not restart it.
    assert clock_of(request, FIRST).stopped_at == START + HOUR


# --- business calendars -------------------------------------------------------------------------


def test_a_closed_day_inside_the_target_is_skipped(cast):
    office = make_calendar("Office", weekly_hours=OFFICE_HOURS)
    ClosedDay.objects.create(calendar=office, date=datetime(2026, 3, 3).date(), name="Strike")
    make_agreement(cast.service_desk, office, service=cast.printer)
    with frozen_time(START):  # Monday 09:00 UTC
        request = submit(cast)
    # 24 business hours: Monday, (Tuesday closed), Wednesday, Thursday until 17:00.
    assert clock_of(request).due_at == datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
    assert clock_of(request, FIRST).due_at == datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def test_a_request_filed_after_hours_starts_counting_next_morning(cast):
    office = make_calendar("Office", weekly_hours=OFFICE_HOURS)
    make_agreement(cast.service_desk, office, service=cast.printer)
    with frozen_time(datetime(2026, 3, 6, 18, 0, tzinfo=UTC)):  # Friday evening
        request = submit(cast)
    assert clock_of(request, FIRST).due_at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
    assert clock_of(request).due_at == datetime(2026, 3, 11, 17, 0, tzinfo=UTC)


def test_german_public_holidays_are_skipped(cast):
    berlin = ZoneInfo("Europe/Berlin")
    assert set(public_holidays("DE", around_year=2026)) >= {
        datetime(2026, 12, 25).date(),
        datetime(2026, 12, 26).date(),
    }
    assert datetime(2026, 12, 24).date() not in public_holidays("DE", around_year=2026)
    german = make_calendar(
        "Berlin office", weekly_hours=OFFICE_HOURS, timezone="Europe/Berlin", holiday_country="DE"
    )
    make_agreement(cast.service_desk, german, service=cast.printer, targets={"normal": (240, 960)})
    with frozen_time(datetime(2026, 12, 24, 9, 0, tzinfo=berlin)):  # Christmas Eve is worked
        request = submit(cast)
    assert clock_of(request, FIRST).due_at == datetime(2026, 12, 24, 13, 0, tzinfo=berlin)
    # Thursday 8 h, Friday 25th and Saturday 26th are holidays, then Monday 8 h.
    assert clock_of(request).due_at == datetime(2026, 12, 28, 17, 0, tzinfo=berlin)


# --- sweeps ----------------------------------------------------------------------------------


def test_sweep_marks_an_overdue_clock_breached_once(cast):
    with frozen_time() as clock:
        request = submit(cast)
        first_due = START + timedelta(minutes=240)
        assert sweep_breaches(now=first_due) == 0
        assert sweep_breaches(now=first_due + timedelta(seconds=1)) == 1
        assert sweep_breaches(now=first_due + timedelta(minutes=1)) == 0
        clock.advance(hours=5)
        assert sweep_breaches(now=clock.now) == 0

    first = clock_of(request, FIRST)
    assert first.breached_at == first_due
    assert clock_of(request).breached_at is None
    assert fresh(request).sla_breached is True
    breached = RequestEvent.objects.get(request=request, kind="breached")
    assert breached.data == {"clock": "first_response", "due_at": first_due.isoformat()}
    assert breached.actor is None
    # The lead hears of it; nobody is assigned yet.
    assert list(
        Notification.objects.filter(request=request, kind="breached").values_list(
            "recipient", flat=True
        )
    ) == [cast.lena.pk]


def test_sweeping_many_overdue_clocks_marks_each_exactly_once(cast):
    with frozen_time():
        requests = [submit(cast, subject=f"Printer {n}") for n in range(3)]
    later = START + DAY + HOUR
    assert sweep_breaches(now=later) == 6
    assert sweep_breaches(now=later) == 0
    assert RequestEvent.objects.filter(kind="breached").count() == 6
    assert not Clock.objects.filter(breached_at__isnull=True).exists()
    assert all(fresh(request).sla_breached for request in requests)


def test_paused_and_stopped_clocks_are_never_swept(cast):
    with frozen_time():
        waiting = submit(cast, subject="Waiting")
        waiting = transition_request(actor=cast.alex, request=waiting, to="waiting_on_customer")
        add_comment(actor=cast.alex, request=waiting, body="Which floor?")
        done = transition_request(actor=cast.alex, request=submit(cast), to="resolved")
    assert sweep_breaches(now=START + 10 * DAY) == 0
    assert not fresh(waiting).sla_breached
    assert not fresh(done).sla_breached


def test_sweep_warns_once_when_a_clock_enters_its_at_risk_share(cast):
    with frozen_time():
        request = submit(cast)
    warn_at = START + timedelta(minutes=192)
    assert sweep_warnings(now=warn_at - timedelta(seconds=1)) == 0
    assert sweep_warnings(now=warn_at) == 1
    assert sweep_warnings(now=warn_at + timedelta(minutes=5)) == 0
    assert clock_of(request, FIRST).warned_at == warn_at
    assert clock_of(request).warned_at is None
    # Nobody is assigned, so the whole queue hears of it, once.
    assert sorted(
        Notification.objects.filter(request=request, kind="at_risk").values_list(
            "recipient", flat=True
        )
    ) == sorted([cast.alex.pk, cast.ivy.pk, cast.lena.pk])


def test_sweep_warns_only_the_assignee_when_there_is_one(cast):
    with frozen_time():
        request = submit(cast)
        update_request(actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy)
    assert sweep_warnings(now=START + timedelta(minutes=200)) == 1
    assert list(
        Notification.objects.filter(request=request, kind="at_risk").values_list(
            "recipient", flat=True
        )
    ) == [cast.ivy.pk]


# --- reading a clock ----------------------------------------------------------------------------


def test_clock_state_reads_remaining_risk_and_breach(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(minutes=200)
    first = clock_of(request, FIRST)

    at_risk = clock_state(first, now=START + timedelta(minutes=200))
    assert at_risk.remaining == timedelta(minutes=40)
    assert (at_risk.at_risk, at_risk.breached, at_risk.paused) == (True, False, False)
    assert at_risk.due_at == START + timedelta(minutes=240)

    early = clock_state(first, now=START + timedelta(minutes=10))
    assert (early.remaining, early.at_risk) == (timedelta(minutes=230), False)

    # Past due before any sweep ran: breached all the same, never at risk.
    overdue = clock_state(first, now=START + timedelta(minutes=245))
    assert overdue.remaining == timedelta(minutes=-5)
    assert (overdue.breached, overdue.breached_at, overdue.at_risk) == (
        True,
        START + timedelta(minutes=240),
        False,
    )


def test_clock_state_of_a_paused_clock_keeps_its_remaining_time(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=2)
        transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
    paused = clock_of(request)
    for now in (START + 3 * HOUR, START + 10 * DAY):
        state = clock_state(paused, now=now)
        assert (state.paused, state.remaining, state.due_at) == (True, DAY - 2 * HOUR, None)
        assert (state.breached, state.at_risk) == (False, False)


def test_clock_state_of_a_stopped_clock_is_frozen(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=1)
        add_comment(actor=cast.alex, request=request, body="Hello")
    state = clock_state(clock_of(request, FIRST), now=START + 10 * DAY)
    assert state.stopped_at == START + HOUR
    assert (state.remaining, state.breached, state.at_risk) == (3 * HOUR, False, False)


def test_a_breach_found_when_the_clock_stops_is_recorded_once(cast):
    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=25)
        add_comment(actor=cast.alex, request=request, body="Sorry, fixed now.")
        transition_request(actor=cast.alex, request=fresh(request), to="resolved")
        sweep_breaches(now=clock.now)
    assert fresh(request).sla_breached is True
    breached = RequestEvent.objects.filter(request=request, kind="breached")
    assert sorted(event.data["clock"] for event in breached) == ["first_response", "resolution"]


@pytest.mark.django_db(transaction=True)
def test_a_sweep_racing_a_late_resolution_records_the_breach_once(cast):
    """Another worker sweeps while the resolution halts the late clocks. Both lock the
    request first (its history takes one event at a time), so the sweep waits for the
    resolution, or the resolution for the sweep, and the later one finds the clocks
    claimed: each breach is recorded once, whichever goes first."""
    real_claim = sla_services._claim_late_breach
    sweeping = threading.Event()

    def claim_while_a_sweep_waits(clock_row, at):
        sweeping.wait(timeout=5)
        time.sleep(0.3)  # let the sweep reach the lock this transaction holds
        return real_claim(clock_row, at)

    def race(n: int) -> None:
        if n == 0:
            transition_request(actor=cast.alex, request=request, to="resolved")
        else:
            sweeping.set()
            sweep_breaches(now=clock.now)

    with frozen_time() as clock:
        request = submit(cast)
        clock.advance(hours=25)
        with mock.patch.object(sla_services, "_claim_late_breach", claim_while_a_sweep_waits):
            _results, errors = run_together(race, 2)
    assert errors == []
    kinds = sorted(
        RequestEvent.objects.filter(request=request, kind="breached").values_list(
            "data__clock", flat=True
        )
    )
    assert kinds == ["first_response", "resolution"]
    assert fresh(request).status == "resolved"


def test_transfer_to_a_team_without_an_agreement_stops_the_clocks(cast):
    Agreement.objects.filter(provider_team=cast.facilities).update(is_active=False)
    request = submit(cast)
    transfer_request(actor=cast.alex, request=request, service=cast.cleaning, expected_version=1)
    stored = fresh(request)
    assert stored.agreement is None
    assert not Clock.objects.filter(request=request, stopped_at__isnull=True).exists()
    assert stored.resolution_due_at is None
