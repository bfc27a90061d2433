"""A team's satisfaction beside its kudos: CSAT over 30 and 90 days with the trend, the
latest survey's NPS, the minimum group, who sees it, the query count and the API."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inhouse import policy
from inhouse.core.errors import NotFound, PermissionDenied
from inhouse.desk.services import transition_request
from inhouse.feedback.models import Rating, Survey, SurveyAnswer
from inhouse.feedback.selectors.kudos import kudos_panel_for_team
from inhouse.feedback.selectors.satisfaction import team_satisfaction, team_satisfaction_for
from inhouse.feedback.services.ratings import rate_request
from tests.conftest import client_for
from tests.desk.helpers import submit
from tests.feedback.test_ratings import bearer

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _rated(cast, score: int, *, days_ago: float | None = None) -> Rating:
    """A service-desk request rated ``score`` by rita ``days_ago`` before NOW (or now)."""
    request = transition_request(actor=cast.alex, request=submit(cast), to="resolved")
    rating = rate_request(actor=cast.rita, request=request, score=score)
    if days_ago is not None:
        Rating.objects.filter(pk=rating.pk).update(given_at=NOW - timedelta(days=days_ago))
    return rating


def _closed_survey(cast, recommends: list[int], *, closed_days_ago: int, title: str) -> Survey:
    closes = NOW - timedelta(days=closed_days_ago)
    survey = Survey.objects.create(
        provider_team=cast.service_desk,
        title=title,
        opens_at=closes - timedelta(days=14),
        remind_at=closes - timedelta(days=7),
        closes_at=closes,
    )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            survey=survey,
            customer_team=cast.marketing,
            recommend=score,
            timeliness=4,
            quality=4,
            communication=4,
            ease_of_asking=4,
        )
        for score in recommends
    )
    return survey


def test_csat_per_span_with_the_trend_against_the_span_before(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 2
    for score, days_ago in ((5, 1), (4, 10), (2, 20), (5, 40), (1, 50), (1, 100), (2, 150)):
        _rated(cast, score, days_ago=days_ago)

    thirty, ninety = team_satisfaction(cast.service_desk, now=NOW).spans

    assert thirty.days == 30 and thirty.current is not None and thirty.previous is not None
    assert (thirty.current.ratings, thirty.current.csat_percent, thirty.current.mean) == (
        3,
        67,
        3.67,
    )
    assert (thirty.previous.ratings, thirty.previous.csat_percent) == (2, 50)
    assert thirty.csat_change == 17
    assert ninety.current is not None and ninety.previous is not None
    assert (ninety.current.ratings, ninety.current.csat_percent) == (5, 60)
    assert (ninety.previous.ratings, ninety.previous.csat_percent) == (2, 0)
    assert ninety.csat_change == 60


def test_a_span_below_the_minimum_shows_nothing_and_no_trend(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 3
    for score, days_ago in ((5, 1), (5, 2), (4, 3), (1, 40), (1, 41)):
        _rated(cast, score, days_ago=days_ago)

    thirty, ninety = team_satisfaction(cast.service_desk, now=NOW).spans

    assert thirty.current is not None and thirty.current.csat_percent == 100
    # Two ratings in the 30 days before: not even their count is shown.
    assert thirty.previous is None and thirty.csat_change is None
    assert ninety.current is not None and ninety.current.ratings == 5
    assert ninety.previous is None


def test_ratings_of_another_team_do_not_count(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 1
    _rated(cast, 5, days_ago=1)
    assert all(span.current is None for span in team_satisfaction(cast.facilities).spans)


def test_the_latest_closed_survey_shows_its_nps_from_the_survey_minimum(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 5
    _closed_survey(cast, [10, 10, 10, 10, 10, 10], closed_days_ago=200, title="Old round")
    latest = _closed_survey(cast, [10, 9, 8, 6, 3], closed_days_ago=20, title="Winter round")
    # Still open: its answers say nothing yet.
    Survey.objects.create(
        provider_team=cast.service_desk,
        title="Open round",
        opens_at=NOW - timedelta(days=2),
        remind_at=NOW + timedelta(days=3),
        closes_at=NOW + timedelta(days=10),
    )

    shown = team_satisfaction(cast.service_desk, now=NOW).latest_survey

    assert shown is not None
    assert (shown.survey_id, shown.title, shown.respondents) == (latest.pk, "Winter round", 5)
    assert shown.nps == pytest.approx(0.0)  # 2 promoters, 2 detractors of 5


def test_a_latest_survey_under_the_minimum_shows_no_nps_not_an_older_one(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 5
    _closed_survey(cast, [10] * 6, closed_days_ago=200, title="Old round")
    _closed_survey(cast, [10, 10, 10, 10], closed_days_ago=20, title="Small round")

    assert team_satisfaction(cast.service_desk, now=NOW).latest_survey is None


def test_the_figures_take_three_queries_however_many_ratings_and_answers(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 1
    for days_ago in (1, 20, 50, 120):
        _rated(cast, 4, days_ago=days_ago)
    _closed_survey(cast, [9, 8, 2], closed_days_ago=5, title="Round")

    with CaptureQueriesContext(connection) as queries:
        team_satisfaction(cast.service_desk, now=NOW)

    assert len(queries) == 3


def test_only_the_teams_leads_and_admins_see_it(cast):
    lena, alex, ada = (policy.viewer_for(p) for p in (cast.lena, cast.alex, cast.ada))

    assert team_satisfaction_for(lena, cast.service_desk.slug).team == cast.service_desk
    assert team_satisfaction_for(ada, cast.service_desk.slug).team == cast.service_desk
    with pytest.raises(PermissionDenied):
        team_satisfaction_for(alex, cast.service_desk.slug)
    with pytest.raises(NotFound):
        team_satisfaction_for(lena, "no-such-team")
    assert kudos_panel_for_team(lena, cast.service_desk).satisfaction is not None
    assert kudos_panel_for_team(alex, cast.service_desk).satisfaction is None


def test_the_team_page_shows_the_lead_the_satisfaction_beside_the_kudos(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 1
    _rated(cast, 5)
    url = f"/org/teams/{cast.service_desk.slug}/"

    lead_page = client_for(cast.lena).get(url).content.decode()
    agent_page = client_for(cast.alex).get(url).content.decode()

    assert 'id="team-satisfaction"' in lead_page
    assert "100%" in lead_page
    assert f"/catalog/manage/{cast.service_desk.slug}/surveys/" in lead_page
    assert 'id="team-satisfaction"' not in agent_page


# --- the API ---------------------------------------------------------------------------------


def test_api_gives_the_lead_the_figures(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 1
    _rated(cast, 5)
    _rated(cast, 2)

    response = bearer(cast.lena).get(f"/api/v1/teams/{cast.service_desk.slug}/satisfaction")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["team"]["slug"] == cast.service_desk.slug
    assert body["min_group_size"] == 1
    assert [span["days"] for span in body["spans"]] == [30, 90]
    assert body["spans"][0]["current"] == {"ratings": 2, "mean": 3.5, "csat_percent": 50}
    assert body["spans"][0]["previous"] is None
    assert body["spans"][0]["csat_change"] is None
    assert body["latest_survey"] is None


def test_api_refuses_a_non_lead_and_an_unknown_team(cast):
    assert (
        bearer(cast.alex).get(f"/api/v1/teams/{cast.service_desk.slug}/satisfaction").status_code
        == 403
    )
    assert (
        bearer(cast.rita).get(f"/api/v1/teams/{cast.service_desk.slug}/satisfaction").status_code
        == 403
    )
    assert bearer(cast.lena).get("/api/v1/teams/nope/satisfaction").status_code == 404
    assert (
        bearer(cast.lena)
        .get(f"/api/v1/teams/{cast.service_desk.slug}/satisfaction?x=1")
        .status_code
        == 400
    )
