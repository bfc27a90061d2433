"""Ratings from both sides: the requester's rating, the provider's clarity rating, the
invitation to rate, the aggregates and their minimum group, through the services and the API."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inhouse.desk.models import EventKind, Notification, NotificationKind, RequestEvent
from inhouse.desk.notifications import text_of
from inhouse.desk.services import transition_request
from inhouse.feedback.models import ClarityRating, Rating
from inhouse.feedback.selectors.ratings import (
    clarity_of_customer_team,
    requester_rating_panel,
    satisfaction_by_team,
    satisfaction_of_service,
    satisfaction_of_team,
)
from inhouse.feedback.services.ratings import rate_clarity, rate_request
from inhouse.org.models import ApiToken
from inhouse.policy import viewer_for
from tests.conftest import client_for
from tests.desk.helpers import fresh, frozen_time, submit
from tests.factories import make_agreement

pytestmark = pytest.mark.django_db


def resolved(cast, *, actor=None, **options):
    request = submit(cast, **options)
    return transition_request(actor=actor or cast.alex, request=request, to="resolved")


def obligated_request(cast):
    """A software-access request whose agreement asks for a justification and a date."""
    make_agreement(
        cast.service_desk,
        cast.calendar,
        service=cast.software_access,
        customer_obligations=["justification", "needed_by"],
    )
    return resolved(
        cast,
        service=cast.software_access,
        subject="Figma",
        form_answers={
            "application": "Figma",
            "justification": "Campaign",
            "needed_by": "2026-04-01",
        },
    )


def events_of(request, kind):
    return list(RequestEvent.objects.filter(request=request, kind=kind).order_by("sequence"))


# --- the invitation -------------------------------------------------------------------------


def test_resolving_invites_the_requester_to_rate_instead_of_a_status_notice(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to="resolved")
    notice = Notification.objects.get(recipient=cast.rita, request=request)
    assert notice.kind == NotificationKind.RATE_REQUEST
    assert text_of(notice) == (
        "IT-1000 is resolved. How did it go? Rate it: Printer on floor 3 jams"
    )


def test_watchers_hear_of_the_resolution_but_only_the_requester_is_invited(cast):
    from inhouse.desk.services import add_watcher

    request = submit(cast)
    add_watcher(actor=cast.rita, request=request, watcher=cast.carl)
    transition_request(actor=cast.alex, request=request, to="resolved")
    kinds = set(Notification.objects.filter(request=request).values_list("recipient", "kind"))
    assert (cast.rita.pk, NotificationKind.RATE_REQUEST) in kinds
    assert (cast.carl.pk, NotificationKind.STATUS) in kinds
    assert (cast.carl.pk, NotificationKind.RATE_REQUEST) not in kinds
    assert (cast.rita.pk, NotificationKind.STATUS) not in kinds


# --- the requester's rating -----------------------------------------------------------------


def test_the_requester_rates_a_resolved_request_and_the_history_says_so(cast):
    request = resolved(cast)
    rating = rate_request(actor=cast.rita, request=request, score=4, comment="  Quick, thanks ")
    assert (rating.score, rating.comment) == (4, "Quick, thanks")
    assert rating.provider_team == cast.service_desk
    assert rating.service == cast.printer
    [event] = events_of(request, EventKind.RATED)
    assert event.data == {"score": [None, 4], "with_comment": True}
    assert event.is_public is False
    assert event.actor == cast.rita
    assert fresh(request).history_length == RequestEvent.objects.filter(request=request).count()


def test_changing_a_rating_updates_the_one_row_and_keeps_every_score_in_the_history(cast):
    request = resolved(cast)
    rate_request(actor=cast.rita, request=request, score=2)
    rate_request(actor=cast.rita, request=request, score=5, comment="Fixed after all")
    assert Rating.objects.filter(request=request).count() == 1
    assert Rating.objects.get(request=request).score == 5
    assert [e.data["score"] for e in events_of(request, EventKind.RATED)] == [[None, 2], [2, 5]]


def test_saving_the_same_rating_again_writes_no_event(cast):
    request = resolved(cast)
    rate_request(actor=cast.rita, request=request, score=3)
    rate_request(actor=cast.rita, request=request, score=3)
    assert len(events_of(request, EventKind.RATED)) == 1


def test_a_rating_can_be_changed_for_seven_days_and_not_after(cast):
    request = submit(cast)
    with frozen_time() as clock:
        request = transition_request(actor=cast.alex, request=request, to="resolved")
        rate_request(actor=cast.rita, request=request, score=2)
        clock.advance(days=7)
        rate_request(actor=cast.rita, request=request, score=3)
        clock.advance(minutes=1)
        with pytest.raises(Conflict, match="changed for 7 days"):
            rate_request(actor=cast.rita, request=request, score=5)
    assert Rating.objects.get(request=request).score == 3


def test_a_reopened_and_re_resolved_request_keeps_the_latest_rating(cast):
    request = submit(cast)
    with frozen_time() as clock:
        request = transition_request(actor=cast.alex, request=request, to="resolved")
        rate_request(actor=cast.rita, request=request, score=5)
        clock.advance(days=1)
        request = transition_request(actor=cast.rita, request=request, to="in_progress")
        # Reopened: the rating stays, but rates nothing new until it is resolved again.
        with pytest.raises(Conflict, match="once it is resolved"):
            rate_request(actor=cast.rita, request=request, score=1)
        clock.advance(days=10)
        request = transition_request(actor=cast.alex, request=request, to="resolved")
        rate_request(actor=cast.rita, request=request, score=2, comment="Broke again")
        rating = Rating.objects.get(request=request)
        assert (rating.score, rating.given_at) == (2, clock.now)
        # The new rating has a window of its own.
        clock.advance(days=6)
        rate_request(actor=cast.rita, request=request, score=3)
    assert Rating.objects.get(request=request).score == 3
    assert [e.data["score"] for e in events_of(request, EventKind.RATED)] == [
        [None, 5],
        [5, 2],
        [2, 3],
    ]


def test_a_closed_request_can_still_be_rated_but_a_cancelled_one_cannot(cast):
    closed = transition_request(actor=cast.rita, request=resolved(cast), to="closed")
    assert rate_request(actor=cast.rita, request=closed, score=4).score == 4
    cancelled = transition_request(actor=cast.rita, request=submit(cast), to="cancelled")
    with pytest.raises(Conflict):
        rate_request(actor=cast.rita, request=cancelled, score=4)
    assert not Rating.objects.filter(request=cancelled).exists()


def test_an_open_request_cannot_be_rated(cast):
    request = submit(cast)
    with pytest.raises(Conflict, match="once it is resolved"):
        rate_request(actor=cast.rita, request=request, score=4)


@pytest.mark.parametrize("score", [0, 6, -1, True, "5", 4.5])
def test_a_score_outside_one_to_five_is_refused_naming_the_field(cast, score):
    request = resolved(cast)
    with pytest.raises(InvalidInput) as refused:
        rate_request(actor=cast.rita, request=request, score=score)
    assert "score" in refused.value.fields
    assert not Rating.objects.exists()


def test_a_long_comment_is_refused(cast):
    request = resolved(cast)
    with pytest.raises(InvalidInput) as refused:
        rate_request(actor=cast.rita, request=request, score=4, comment="x" * 2001)
    assert "comment" in refused.value.fields


def test_only_the_requester_rates_and_a_refusal_changes_nothing(cast):
    request = resolved(cast)
    length = fresh(request).history_length
    # A colleague of her team sees the request; the agent works it: neither may rate.
    for person in (cast.carl, cast.alex, cast.ada):
        with pytest.raises(PermissionDenied):
            rate_request(actor=person, request=request, score=1)
    # An outsider does not even see it.
    with pytest.raises(NotFound):
        rate_request(actor=cast.otto, request=request, score=1)
    assert not Rating.objects.exists()
    assert fresh(request).history_length == length


# --- the clarity rating ---------------------------------------------------------------------


def test_an_agent_rates_clarity_naming_the_missing_obligations_in_an_internal_event(cast):
    request = obligated_request(cast)
    clarity = rate_clarity(
        actor=cast.alex,
        request=request,
        score=2,
        missing_obligations=["needed_by", "justification", "needed_by"],
    )
    assert clarity.missing_obligations == ["justification", "needed_by"]
    assert clarity.customer_team == cast.marketing
    assert clarity.provider_team == cast.service_desk
    [event] = events_of(request, EventKind.CLARITY_RATED)
    assert event.is_public is False
    assert event.data == {"score": [None, 2], "missing": ["justification", "needed_by"]}


def test_clarity_can_be_changed_by_another_agent_of_the_team(cast):
    request = obligated_request(cast)
    rate_clarity(actor=cast.alex, request=request, score=2, missing_obligations=["needed_by"])
    rate_clarity(actor=cast.ivy, request=request, score=4)
    clarity = ClarityRating.objects.get(request=request)
    assert (clarity.score, clarity.missing_obligations, clarity.rated_by) == (4, [], cast.ivy)
    assert len(events_of(request, EventKind.CLARITY_RATED)) == 2


def test_an_obligation_the_agreement_does_not_ask_is_refused(cast):
    request = obligated_request(cast)
    with pytest.raises(InvalidInput) as refused:
        rate_clarity(actor=cast.alex, request=request, score=3, missing_obligations=["seats"])
    assert refused.value.fields == {
        "missing_obligations": "Choose among: justification, needed_by."
    }
    assert not ClarityRating.objects.exists()


def test_only_the_provider_team_rates_clarity_and_only_once_resolved(cast):
    request = obligated_request(cast)
    for person in (cast.rita, cast.carl):
        with pytest.raises(PermissionDenied):
            rate_clarity(actor=person, request=request, score=1)
    for person in (cast.fred, cast.otto):
        with pytest.raises(NotFound):
            rate_clarity(actor=person, request=request, score=1)
    open_request = submit(cast)
    with pytest.raises(Conflict):
        rate_clarity(actor=cast.alex, request=open_request, score=1)
    assert not ClarityRating.objects.exists()


# --- aggregates -----------------------------------------------------------------------------


def test_csat_is_the_share_of_fours_and_fives_with_the_mean(cast):
    for score in (5, 4, 2, 1):
        rate_request(actor=cast.rita, request=resolved(cast), score=score)
    satisfaction = satisfaction_of_team(cast.service_desk)
    assert (satisfaction.ratings, satisfaction.satisfied) == (4, 2)
    assert satisfaction.csat_percent == 50
    assert satisfaction.mean == 3.0
    assert satisfaction_of_service(cast.printer).ratings == 4
    assert satisfaction_by_team() == {cast.service_desk.pk: satisfaction}
    assert satisfaction_of_team(cast.facilities).csat_percent is None


def test_a_teams_clarity_shows_only_from_the_minimum_group(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 3
    requests = [resolved(cast) for _ in range(3)]
    for request, score in zip(requests[:2], (5, 2), strict=True):
        rate_clarity(actor=cast.alex, request=request, score=score)
    assert clarity_of_customer_team(cast.marketing).overall is None
    rate_clarity(actor=cast.alex, request=requests[2], score=4)
    clarity = clarity_of_customer_team(cast.marketing)
    assert clarity.overall is not None
    assert (clarity.overall.ratings, clarity.overall.clear_percent) == (3, 67)
    assert clarity.overall.mean == pytest.approx(3.67)
    assert [(team, figures.ratings) for team, figures in clarity.by_provider] == [
        (cast.service_desk, 3)
    ]


def test_a_teams_clarity_leaves_confidential_cases_out(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 1
    case = submit(
        cast, service=cast.mediation, subject="Conflict", form_answers={"summary": "Private"}
    )
    case = transition_request(actor=cast.hana, request=case, to="resolved")
    rate_clarity(actor=cast.hana, request=case, score=1)
    assert clarity_of_customer_team(cast.marketing).overall is None
    rate_clarity(actor=cast.alex, request=resolved(cast), score=5)
    clarity = clarity_of_customer_team(cast.marketing)
    assert clarity.overall is not None
    assert clarity.overall.ratings == 1
    assert [team for team, _ in clarity.by_provider] == [cast.service_desk]


def test_the_requesters_panel_shows_their_teams_clarity_never_one_rating(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 2
    first, second = resolved(cast), resolved(cast)
    rate_clarity(actor=cast.alex, request=first, score=1)
    panel = requester_rating_panel(viewer_for(cast.rita), first)
    assert panel is not None and panel.team_clarity is None
    rate_clarity(actor=cast.alex, request=second, score=5)
    panel = requester_rating_panel(viewer_for(cast.rita), first)
    assert panel is not None and panel.team_clarity is not None
    assert panel.team_clarity.overall is not None
    assert panel.team_clarity.overall.ratings == 2
    # A colleague looking at rita's request gets no rating panel at all.
    assert requester_rating_panel(viewer_for(cast.carl), first) is None


# --- the API --------------------------------------------------------------------------------


def bearer(person) -> Client:
    raw = f"ih_test_token_for_{person.pk}_0123456789abcdef"
    ApiToken.objects.get_or_create(
        digest=ApiToken.digest_of(raw), defaults={"person": person, "prefix": raw[:10]}
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def put_json(client: Client, url: str, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def test_api_the_requester_puts_and_gets_the_rating(cast):
    request = resolved(cast)
    rita = bearer(cast.rita)
    url = f"/api/v1/requests/{request.reference}/rating"
    before = rita.get(url)
    assert before.status_code == 200
    assert before.json() == {"rating": None, "may_rate": True, "changeable_until": None}
    response = put_json(rita, url, {"score": 5, "comment": "Great"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["rating"]["score"] == 5
    assert body["rating"]["comment"] == "Great"
    assert body["may_rate"] is True
    assert body["changeable_until"] is not None
    # The team handling it reads it too.
    seen_by_agent = bearer(cast.alex).get(url).json()
    assert seen_by_agent["rating"]["score"] == 5
    assert seen_by_agent["may_rate"] is False


def test_api_unknown_fields_and_bad_scores_are_400_naming_them(cast):
    request = resolved(cast)
    rita = bearer(cast.rita)
    url = f"/api/v1/requests/{request.reference}/rating"
    extra = put_json(rita, url, {"score": 4, "rated_by": cast.alex.pk})
    assert extra.status_code == 400
    assert extra.json()["error"]["fields"] == {"rated_by": "This field cannot be set here."}
    for score in (0, 6, "4", None):
        bad = put_json(rita, url, {"score": score})
        assert bad.status_code == 400, score
        assert "score" in bad.json()["error"]["fields"]
    assert rita.get(url + "?verbose=1").status_code == 400
    assert not Rating.objects.exists()


def test_api_refusals_have_the_error_shape_and_hide_confidential_requests(cast):
    case = submit(
        cast, service=cast.mediation, subject="Conflict", form_answers={"summary": "Private"}
    )
    case = transition_request(actor=cast.hana, request=case, to="resolved")
    ordinary = resolved(cast)
    url = f"/api/v1/requests/{case.reference}/rating"
    assert Client().get(url).status_code == 401
    hidden = bearer(cast.alex).get(url)
    assert hidden.status_code == 404
    assert hidden.json() == {"error": {"code": "not_found", "message": "No such request."}}
    missing = bearer(cast.alex).get("/api/v1/requests/IT-9999/rating")
    assert missing.json() == hidden.json()
    for path in ("rating", "clarity"):
        refused = put_json(
            bearer(cast.carl), f"/api/v1/requests/{case.reference}/{path}", {"score": 3}
        )
        assert refused.status_code == 404
    # Carl sees rita's ordinary request but neither reads nor gives its ratings.
    colleague = bearer(cast.carl).get(f"/api/v1/requests/{ordinary.reference}/rating")
    assert colleague.status_code == 403
    assert colleague.json()["error"]["code"] == "forbidden"
    assert bearer(cast.rita).get(f"/api/v1/requests/{ordinary.reference}/clarity").status_code == (
        403
    )
    open_request = submit(cast)
    conflict = put_json(
        bearer(cast.rita), f"/api/v1/requests/{open_request.reference}/rating", {"score": 3}
    )
    assert conflict.status_code == 409
    assert not Rating.objects.exists()


def test_api_an_agent_puts_and_gets_clarity(cast):
    request = obligated_request(cast)
    alex = bearer(cast.alex)
    url = f"/api/v1/requests/{request.reference}/clarity"
    before = alex.get(url).json()
    assert before["clarity"] is None
    assert before["obligations"] == [
        {"key": "justification", "label": "Why do you need it?"},
        {"key": "needed_by", "label": "Needed by"},
    ]
    response = put_json(alex, url, {"score": 2, "missing_obligations": ["needed_by"]})
    assert response.status_code == 200, response.content
    clarity = response.json()["clarity"]
    assert clarity["score"] == 2
    assert clarity["missing_obligations"] == ["needed_by"]
    assert clarity["rated_by"]["id"] == cast.alex.pk
    unknown = put_json(alex, url, {"score": 2, "missing_obligations": ["seats"]})
    assert unknown.status_code == 400
    assert "missing_obligations" in unknown.json()["error"]["fields"]


def test_api_team_clarity_for_its_members_from_the_minimum_group(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 2
    url = f"/api/v1/teams/{cast.marketing.slug}/clarity"
    rate_clarity(actor=cast.alex, request=resolved(cast), score=4)
    small = bearer(cast.carl).get(url)
    assert small.status_code == 200
    assert small.json()["overall"] is None
    assert small.json()["by_provider"] == []
    rate_clarity(actor=cast.alex, request=resolved(cast), score=2)
    body = bearer(cast.carl).get(url).json()
    assert body["overall"] == {"ratings": 2, "mean": 3.0, "clear_percent": 50}
    assert body["min_group_size"] == 2
    assert [p["provider_team"]["slug"] for p in body["by_provider"]] == [cast.service_desk.slug]
    assert bearer(cast.otto).get(url).status_code == 403
    assert bearer(cast.ada).get(url).status_code == 200
    assert bearer(cast.carl).get("/api/v1/teams/no-such-team/clarity").status_code == 404


def test_the_rating_window_is_reported_until_it_closes(cast):
    request = submit(cast)
    with frozen_time() as clock:
        request = transition_request(actor=cast.alex, request=request, to="resolved")
        rate_request(actor=cast.rita, request=request, score=4)
        panel = requester_rating_panel(viewer_for(cast.rita), fresh(request))
        assert panel is not None
        assert panel.changeable_until == clock.now + timedelta(days=7)
        clock.advance(days=8)
        panel = requester_rating_panel(viewer_for(cast.rita), fresh(request))
        assert panel is not None
        assert (panel.may_rate, panel.changeable_until) == (False, None)


# --- the pages ------------------------------------------------------------------------------


def test_the_portal_page_invites_the_requester_and_a_plain_post_rates_keeping_the_reply(cast):
    request = resolved(cast)
    rita = client_for(cast.rita)
    page = rita.get(f"/requests/{request.reference}/")
    assert b"How did it go?" in page.content
    sent = rita.post(
        f"/feedback/requests/{request.reference}/rating/",
        {"rating-score": "4", "rating-comment": "Thanks", "body": "One more thing"},
    )
    assert sent.status_code == 302
    assert sent["Location"] == f"/requests/{request.reference}/#rating"
    assert Rating.objects.get(request=request).score == 4
    again = rita.get(f"/requests/{request.reference}/")
    assert b"You rated it 4 out of 5." in again.content
    # The reply typed on the page came back into its box.
    assert b"One more thing" in again.content
    # A colleague sees the request but no rating.
    colleague = client_for(cast.carl).get(f"/requests/{request.reference}/")
    assert b"You rated it" not in colleague.content


def test_the_portal_rating_with_htmx_answers_the_panel_and_a_bad_score_is_shown(cast):
    request = resolved(cast)
    rita = client_for(cast.rita)
    url = f"/feedback/requests/{request.reference}/rating/"
    bad = rita.post(url, {"rating-score": "9"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200
    assert b'id="rating-panel" hx-swap-oob="outerHTML"' in bad.content
    assert b"error-summary" in bad.content
    assert not Rating.objects.exists()
    good = rita.post(url, {"rating-score": "5"}, HTTP_HX_REQUEST="true")
    assert good["HX-Reswap"] == "none"
    assert b"You rated it 5 out of 5." in good.content


def test_the_workspace_page_shows_the_rating_and_an_agent_rates_clarity(cast):
    request = obligated_request(cast)
    rate_request(actor=cast.rita, request=request, score=2, comment="Slow")
    alex = client_for(cast.alex)
    page = alex.get(f"/work/requests/{request.reference}/")
    assert b'id="requester-rating" data-rating-score="2"' in page.content
    assert b"Slow" in page.content
    sent = alex.post(
        f"/feedback/requests/{request.reference}/clarity/",
        {"clarity-score": "3", "clarity-missing": ["needed_by"], "body": "Draft reply"},
    )
    assert sent.status_code == 302
    clarity = ClarityRating.objects.get(request=request)
    assert (clarity.score, clarity.missing_obligations) == (3, ["needed_by"])
    again = alex.get(f"/work/requests/{request.reference}/")
    assert b'data-clarity-score="3"' in again.content
    assert b"Draft reply" in again.content


def test_clarity_pages_refuse_the_requesters_side_and_hide_from_outsiders(cast):
    request = obligated_request(cast)
    url = f"/feedback/requests/{request.reference}/clarity/"
    client_for(cast.rita).post(url, {"clarity-score": "1"})
    assert not ClarityRating.objects.exists()
    assert client_for(cast.otto).post(url, {"clarity-score": "1"}).status_code == 404
    assert client_for(cast.otto).get(url).status_code == 405
    assert not ClarityRating.objects.exists()


# --- the demo -------------------------------------------------------------------------------


def test_the_demo_rates_a_year_of_requests_with_one_loved_and_one_struggling_team(settings):
    from datetime import UTC, datetime

    from inhouse.demo.feedback_story import (
        CLEAR_CUSTOMER,
        LOVED_PROVIDER,
        STRUGGLING_PROVIDER,
        UNCLEAR_CUSTOMER,
    )
    from inhouse.demo.generator import generate_demo
    from inhouse.desk.history_chain import check_histories
    from inhouse.desk.models import Request
    from inhouse.org.models import Team

    now = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    generate_demo(seed=5, request_count=2_000, now=now)
    assert Rating.objects.count() > 400
    assert ClarityRating.objects.count() > 600
    assert Rating.objects.filter(given_at__gt=now).count() == 0
    assert Rating.objects.filter(given_at__lt=now - timedelta(days=300)).exists()
    loved = satisfaction_of_team(Team.objects.get(slug=LOVED_PROVIDER), now=now)
    struggling = satisfaction_of_team(Team.objects.get(slug=STRUGGLING_PROVIDER), now=now)
    assert loved.ratings >= 20 and struggling.ratings >= 20
    assert loved.csat_percent is not None and struggling.csat_percent is not None
    assert loved.csat_percent - struggling.csat_percent >= 40
    unclear = clarity_of_customer_team(Team.objects.get(slug=UNCLEAR_CUSTOMER), now=now).overall
    clear = clarity_of_customer_team(Team.objects.get(slug=CLEAR_CUSTOMER), now=now).overall
    assert unclear is not None and clear is not None
    assert clear.mean is not None and unclear.mean is not None
    assert clear.mean - unclear.mean >= 1
    # Kudos and follow-ups tell the same story as the ratings.
    from inhouse.feedback.models import FollowUp
    from inhouse.feedback.models.followups import StillWorking
    from inhouse.feedback.selectors.kudos import team_wall

    def kudos_per_member(slug: str) -> float:
        team = Team.objects.get(slug=slug)
        return team_wall(team).count() / max(team.memberships.count(), 1)

    assert kudos_per_member(LOVED_PROVIDER) > 4 * kudos_per_member(STRUGGLING_PROVIDER)

    def still_working_share(slug: str) -> float:
        answered = FollowUp.objects.filter(request__provider_team__slug=slug).exclude(
            still_working=""
        )
        return answered.filter(still_working=StillWorking.YES).count() / max(answered.count(), 1)

    assert still_working_share(LOVED_PROVIDER) - still_working_share(STRUGGLING_PROVIDER) >= 0.3
    # The ratings joined each request's history chain without breaking it.
    assert RequestEvent.objects.filter(kind=EventKind.RATED).count() == Rating.objects.count()
    rated_ids = list(Rating.objects.values_list("request_id", flat=True)[:200])
    rated = Request.objects.filter(pk__in=rated_ids)
    assert [h.reference for h in check_histories(rated) if h.first_break is not None] == []


def test_a_closed_request_has_a_rating_form_of_its_own_on_the_portal(cast):
    request = transition_request(actor=cast.rita, request=resolved(cast), to="closed")
    page = client_for(cast.rita).get(f"/requests/{request.reference}/")
    assert b'<form method="post" action="/feedback/requests/IT-1000/rating/" id="rating-form"' in (
        page.content
    )
    assert b'name="rating-score" value="3" form="rating-form"' in page.content
