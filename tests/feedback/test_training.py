"""Training on working together: a lead announces, people sign up within capacity (also
all at once), are reminded once, rate it afterwards; unclear customers are suggested the
provider's next session; and the pages and API around it."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inhouse import policy
from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inhouse.desk.models import Notification, NotificationKind
from inhouse.feedback.models import TrainingSession, TrainingSignup
from inhouse.feedback.models.ratings import ClarityRating
from inhouse.feedback.selectors.training import (
    clarity_by_customer_team,
    session_page,
    suggested_sessions_for,
    upcoming_sessions_for,
)
from inhouse.feedback.services.training import (
    SessionDetails,
    cancel_training_signup,
    rate_training_session,
    schedule_training_session,
    send_training_reminders,
    sign_up_for_training,
    update_training_session,
)
from inhouse.org.models import MembershipRole
from tests.conftest import client_for
from tests.desk.helpers import START, frozen_time, submit
from tests.factories import make_person
from tests.feedback.test_ratings import bearer

pytestmark = pytest.mark.django_db


def _details(start: datetime = START, **changes) -> SessionDetails:
    fields = {
        "title": "Asking IT well",
        "starts_at": start + timedelta(days=3),
        "ends_at": start + timedelta(days=3, hours=1),
        "capacity": 2,
        "place": "Room 4.12",
        **changes,
    }
    return SessionDetails(**fields)


def _announce(cast, **changes) -> TrainingSession:
    return schedule_training_session(
        actor=cast.lena, provider_team=cast.service_desk, details=_details(**changes)
    )


# --- announcing -------------------------------------------------------------------------------


def test_a_lead_announces_a_session_of_their_team(cast):
    with frozen_time():
        session = _announce(cast, audience_teams=[cast.marketing])

    assert (session.provider_team, session.capacity, session.seats_taken) == (
        cast.service_desk,
        2,
        0,
    )
    assert list(session.audience_teams.all()) == [cast.marketing]


def test_an_agent_cannot_announce_and_nothing_is_stored(cast):
    with frozen_time(), pytest.raises(PermissionDenied):
        schedule_training_session(
            actor=cast.alex, provider_team=cast.service_desk, details=_details()
        )
    assert not TrainingSession.objects.exists()


def test_a_session_needs_a_future_time_an_end_after_it_and_a_place(cast):
    with frozen_time(), pytest.raises(InvalidInput) as refused:
        _announce(
            cast, starts_at=START - timedelta(hours=1), ends_at=START - timedelta(hours=2), place=""
        )
    assert set(refused.value.fields) == {"starts_at", "ends_at", "place"}
    assert not TrainingSession.objects.exists()


def test_capacity_never_drops_below_the_seats_taken(cast):
    with frozen_time():
        session = _announce(cast)
        sign_up_for_training(actor=cast.rita, session=session)
        sign_up_for_training(actor=cast.carl, session=session)
        with pytest.raises(InvalidInput) as refused:
            update_training_session(actor=cast.lena, session=session, details=_details(capacity=1))
        changed = update_training_session(
            actor=cast.lena, session=session, details=_details(capacity=5, title="Asking well")
        )
    assert set(refused.value.fields) == {"capacity"}
    assert (changed.capacity, changed.title, changed.seats_taken) == (5, "Asking well", 2)


# --- signing up -------------------------------------------------------------------------------


def test_signing_up_takes_a_seat_and_a_full_session_refuses_more(cast):
    with frozen_time():
        session = _announce(cast, capacity=1)
        sign_up_for_training(actor=cast.rita, session=session)
        again = sign_up_for_training(actor=cast.rita, session=session)
        with pytest.raises(Conflict, match="full"):
            sign_up_for_training(actor=cast.carl, session=session)

    session.refresh_from_db()
    assert session.seats_taken == 1
    assert list(TrainingSignup.objects.values_list("person", flat=True)) == [cast.rita.pk]
    assert again.person == cast.rita


def test_cancelling_gives_the_seat_back(cast):
    with frozen_time():
        session = _announce(cast, capacity=1)
        sign_up_for_training(actor=cast.rita, session=session)
        assert cancel_training_signup(actor=cast.rita, session=session) is True
        assert cancel_training_signup(actor=cast.rita, session=session) is False
        sign_up_for_training(actor=cast.carl, session=session)

    session.refresh_from_db()
    assert session.seats_taken == 1


def test_a_session_for_other_teams_does_not_exist_for_an_outsider(cast):
    with frozen_time():
        session = _announce(cast, audience_teams=[cast.marketing])
        with pytest.raises(NotFound):
            sign_up_for_training(actor=cast.otto, session=session)
        assert upcoming_sessions_for(policy.viewer_for(cast.otto)) == []
        assert upcoming_sessions_for(policy.viewer_for(cast.rita)) == [session]
        # The provider team's own people see it too.
        assert upcoming_sessions_for(policy.viewer_for(cast.ivy)) == [session]
    assert client_for(cast.otto).get(f"/training/{session.pk}/").status_code == 404
    assert client_for(cast.otto).get(f"/api/v1/training/sessions/{session.pk}").status_code == 404


def test_nobody_signs_up_once_the_session_has_started(cast):
    with frozen_time() as clock:
        session = _announce(cast)
        clock.advance(days=3, minutes=1)
        with pytest.raises(Conflict):
            sign_up_for_training(actor=cast.rita, session=session)


@pytest.mark.django_db(transaction=True)
def test_many_sign_ups_at_once_never_exceed_the_capacity(cast):
    people = [make_person(f"p{n}", team=cast.marketing) for n in range(8)]
    session = schedule_training_session(
        actor=cast.lena,
        provider_team=cast.service_desk,
        details=_details(start=datetime.now(tz=START.tzinfo), capacity=3),
    )
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def sign_up(person) -> None:
        try:
            barrier.wait()
            sign_up_for_training(actor=person, session=session)
            outcome = "seat"
        except Conflict:
            outcome = "full"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=sign_up, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    session.refresh_from_db()
    assert sorted(outcomes) == ["full"] * 5 + ["seat"] * 3
    assert session.seats_taken == 3
    assert TrainingSignup.objects.filter(session=session).count() == 3


# --- reminders and ratings ----------------------------------------------------------------


def test_reminders_go_out_once_to_those_signed_up_for_a_session_starting_soon(cast):
    with frozen_time() as clock:
        soon = _announce(cast, title="Soon")
        later = _announce(
            cast,
            title="Later",
            starts_at=START + timedelta(days=9),
            ends_at=START + timedelta(days=9, hours=1),
        )
        for session in (soon, later):
            sign_up_for_training(actor=cast.rita, session=session)
        sign_up_for_training(actor=cast.carl, session=soon)
        clock.advance(days=2, hours=1)

        assert send_training_reminders(now=clock.now) == 2
        assert send_training_reminders(now=clock.now) == 0

    reminders = Notification.objects.filter(kind=NotificationKind.TRAINING_REMINDER)
    assert sorted(n.recipient_id for n in reminders) == sorted([cast.rita.pk, cast.carl.pk])
    assert {n.params["title"] for n in reminders} == {"Soon"}


def test_a_session_is_rated_after_it_ended_by_those_signed_up_and_shown_from_five(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 2
    with frozen_time() as clock:
        session = _announce(cast)
        sign_up_for_training(actor=cast.rita, session=session)
        sign_up_for_training(actor=cast.carl, session=session)
        with pytest.raises(Conflict):
            rate_training_session(actor=cast.rita, session=session, rating=5)
        clock.advance(days=4)
        with pytest.raises(PermissionDenied):
            rate_training_session(actor=cast.ivy, session=session, rating=1)
        with pytest.raises(InvalidInput):
            rate_training_session(actor=cast.rita, session=session, rating=6)
        rate_training_session(actor=cast.rita, session=session, rating=5)
        assert session_page(policy.viewer_for(cast.rita), session).rating_mean is None
        rate_training_session(actor=cast.carl, session=session, rating=4)
        rate_training_session(actor=cast.carl, session=session, rating=2)
        page = session_page(policy.viewer_for(cast.rita), session)

    assert (page.rating_mean, page.rating_count) == (3.5, 2)
    assert page.attendees == []
    lead_page = session_page(policy.viewer_for(cast.lena), session)
    assert [p.username for p in map(lambda p: p.user, lead_page.attendees)] == ["carl", "rita"]


# --- suggestions ----------------------------------------------------------------------------


def _rate_clarity(cast, scores, *, requester=None):
    for score in scores:
        request = submit(cast, actor=requester or cast.rita)
        ClarityRating.objects.create(
            request=request,
            score=score,
            provider_team=request.provider_team,
            customer_team=request.customer_team,
        )


def test_a_customer_teams_lead_is_suggested_the_next_session_of_a_provider_rating_it_unclear(
    cast, settings
):
    settings.FEEDBACK_MIN_GROUP_SIZE = 5
    settings.TRAINING_UNCLEAR_BELOW = 3.0
    mia = make_person("mia", team=cast.marketing, role=MembershipRole.LEAD)
    with frozen_time():
        _rate_clarity(cast, [1, 2, 2, 3, 2])
        first = _announce(cast, title="First")
        _announce(
            cast,
            title="Second",
            starts_at=START + timedelta(days=5),
            ends_at=START + timedelta(days=5, hours=1),
        )

        assert clarity_by_customer_team(cast.service_desk) == {cast.marketing.pk: (2.0, 5)}
        [suggestion] = suggested_sessions_for(policy.viewer_for(mia))
        assert suggestion.session == first
        assert (suggestion.customer_team, suggestion.clarity_mean, suggestion.clarity_count) == (
            cast.marketing,
            2.0,
            5,
        )
        assert suggested_sessions_for(policy.viewer_for(cast.rita)) == []
        html = client_for(mia).get("/training/").content.decode()
    assert "Suggested for the teams you lead" in html


def test_no_suggestion_below_the_minimum_group_or_when_requests_are_clear(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 5
    mia = make_person("mia", team=cast.marketing, role=MembershipRole.LEAD)
    with frozen_time():
        _announce(cast)
        _rate_clarity(cast, [1, 1, 1, 1])
        assert suggested_sessions_for(policy.viewer_for(mia)) == []
        _rate_clarity(cast, [5, 5, 5, 5])
        assert suggested_sessions_for(policy.viewer_for(mia)) == []


def _article(cast, title, *, services, status="published", helpful=0):
    from inhouse.knowledge.models import Article, ArticleVote

    article = Article.objects.create(
        team=cast.service_desk, slug=title.lower().replace(" ", "-"), title=title, status=status
    )
    article.services.set(services)
    for number in range(helpful):
        ArticleVote.objects.create(
            article=article, person=make_person(f"voter{title[:3]}{number}"), helpful=True
        )
    return article


def test_a_suggestion_lists_published_articles_on_the_unclear_services_most_helpful_first(
    cast, settings
):
    settings.FEEDBACK_MIN_GROUP_SIZE = 5
    settings.TRAINING_UNCLEAR_BELOW = 3.0
    mia = make_person("mia", team=cast.marketing, role=MembershipRole.LEAD)
    helpful = _article(cast, "Printer jams explained", services=[cast.printer], helpful=3)
    plain = _article(cast, "Asking for a printer", services=[cast.printer], helpful=1)
    _article(cast, "Printer draft", services=[cast.printer], status="draft")
    # Software access was rated clear, so its article is not the point here.
    _article(cast, "Software access guide", services=[cast.software_access], helpful=9)
    with frozen_time():
        _rate_clarity(cast, [1, 2, 2, 2, 2])
        for _ in range(2):
            request = submit(
                cast,
                service=cast.software_access,
                subject="Figma",
                form_answers={"application": "Figma", "justification": "Campaign"},
            )
            ClarityRating.objects.create(
                request=request,
                score=5,
                provider_team=request.provider_team,
                customer_team=request.customer_team,
            )
        session = _announce(cast, title="Asking well")

        [suggestion] = suggested_sessions_for(policy.viewer_for(mia))
        assert suggestion.session == session
        assert suggestion.articles == [helpful, plain]

        with CaptureQueriesContext(connection) as queries:
            suggested_sessions_for(policy.viewer_for(mia))
        html = client_for(mia).get("/training/").content.decode()
        api = bearer(mia).get("/api/v1/training/suggestions").json()
    assert "Printer jams explained" in html and "/kb/printer-jams-explained/" in html
    assert "Printer draft" not in html
    assert [a["slug"] for a in api["items"][0]["articles"]] == [
        "printer-jams-explained",
        "asking-for-a-printer",
    ]
    assert api["items"][0]["articles"][0]["url"] == "/kb/printer-jams-explained/"
    # The articles add a constant few queries to the suggestions, never one per suggestion.
    assert len(queries) <= 8


# --- pages and API --------------------------------------------------------------------------


def test_signing_up_and_cancelling_work_without_javascript(cast):
    session = schedule_training_session(
        actor=cast.lena,
        provider_team=cast.service_desk,
        details=_details(start=datetime.now(tz=START.tzinfo)),
    )
    client = client_for(cast.rita)

    signed = client.post(f"/training/{session.pk}/signup/")
    page = client.get(f"/training/{session.pk}/").content.decode()
    cancelled = client.post(f"/training/{session.pk}/cancel/")

    assert signed.status_code == cancelled.status_code == 302
    assert "You are signed up." in page
    assert not TrainingSignup.objects.exists()
    assert client.get(f"/training/{session.pk}/signup/").status_code == 405


def test_a_lead_announces_through_the_page_and_others_find_no_such_page(cast):
    now = datetime.now(tz=START.tzinfo)
    form = {
        "title": "Working with IT",
        "starts_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + timedelta(days=2, hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "place": "",
        "link": "https://meet.example.com/it",
        "capacity": "10",
        "audience_teams": [str(cast.marketing.pk)],
    }
    assert client_for(cast.alex).get(f"/training/new/{cast.service_desk.slug}/").status_code == 404
    assert (
        client_for(cast.alex).post(f"/training/new/{cast.service_desk.slug}/", form).status_code
        == 404
    )

    response = client_for(cast.lena).post(f"/training/new/{cast.service_desk.slug}/", form)

    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/training/{session.pk}/"
    assert list(session.audience_teams.all()) == [cast.marketing]
    bad = client_for(cast.lena).post(
        f"/training/new/{cast.service_desk.slug}/", {**form, "capacity": "0"}
    )
    assert bad.status_code == 400


def test_api_lists_signs_up_and_rates(cast):
    session = schedule_training_session(
        actor=cast.lena,
        provider_team=cast.service_desk,
        details=_details(start=datetime.now(tz=START.tzinfo), capacity=1),
    )
    rita, carl = client_for(cast.rita), client_for(cast.carl)

    listed = rita.get("/api/v1/training/sessions").json()
    signed = rita.post(f"/api/v1/training/sessions/{session.pk}/signup")
    full = carl.post(f"/api/v1/training/sessions/{session.pk}/signup")
    early = rita.put(
        f"/api/v1/training/sessions/{session.pk}/rating",
        {"rating": 4},
        content_type="application/json",
    )

    assert [item["id"] for item in listed["items"]] == [session.pk]
    assert signed.status_code == 200
    assert signed.json()["signed_up"] is True
    assert signed.json()["seats_left"] == 0
    assert full.status_code == 409
    assert early.status_code == 409
    assert rita.delete(f"/api/v1/training/sessions/{session.pk}/signup").json()["seats_left"] == 1


def test_api_announces_for_leads_only(cast):
    now = datetime.now(tz=START.tzinfo)
    body = {
        "provider_team": cast.service_desk.slug,
        "title": "Working with IT",
        "starts_at": (now + timedelta(days=2)).isoformat(),
        "ends_at": (now + timedelta(days=2, hours=1)).isoformat(),
        "place": "Room 1",
        "capacity": 5,
        "audience_teams": [cast.marketing.slug],
    }

    refused = client_for(cast.alex).post(
        "/api/v1/training/sessions", body, content_type="application/json"
    )
    created = client_for(cast.lena).post(
        "/api/v1/training/sessions", body, content_type="application/json"
    )

    assert refused.status_code == 403
    assert created.status_code == 201
    assert created.json()["audience_teams"] == [{"slug": cast.marketing.slug, "name": "Marketing"}]
    assert TrainingSession.objects.count() == 1


def test_api_refuses_a_time_without_its_utc_offset(cast):
    body = {
        "provider_team": cast.service_desk.slug,
        "title": "Working with IT",
        "starts_at": "2030-01-07T10:00:00",
        "ends_at": "2030-01-07T11:00:00+00:00",
        "place": "Room 1",
        "capacity": 5,
    }

    response = client_for(cast.lena).post(
        "/api/v1/training/sessions", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"starts_at"}
    assert not TrainingSession.objects.exists()
