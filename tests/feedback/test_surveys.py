"""Relationship surveys: scheduling, invitations and the reminder, one anonymous answer
per person, and results that never show a group smaller than the minimum."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import UUIDField
from hypothesis import given
from hypothesis import strategies as st

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound, PermissionDenied
from inhouse.demo.feedback_surveys import LOVED_TEAM, STRUGGLING_TEAM
from inhouse.demo.generator import generate_demo
from inhouse.desk.models import Notification, NotificationKind
from inhouse.desk.notifications import render
from inhouse.feedback.models import Survey, SurveyAnswer, SurveyInvitation
from inhouse.feedback.selectors.surveys import (
    group_answers,
    net_promoter_score,
    survey_results,
    surveys_of_team,
)
from inhouse.feedback.services.surveys import (
    AlreadyAnswered,
    OwnQuestion,
    SurveyNotOpen,
    answer_survey,
    open_invitation,
    schedule_survey,
    send_due_survey_notices,
)
from inhouse.feedback.tasks import send_survey_notices
from inhouse.org.models import MembershipRole, Person, Team
from tests.conftest import client_for
from tests.desk.helpers import frozen_time, submit
from tests.factories import make_person

pytestmark = pytest.mark.django_db

# A Monday; lena's timezone is UTC, so her days are UTC days.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
GOOD = {"recommend": 10, "timeliness": 5, "quality": 5, "communication": 4, "ease_of_asking": 5}


def _schedule(cast, **options):
    fields = {
        "actor": cast.lena,
        "team": cast.service_desk,
        "title": "Spring round",
        "opens_on": TODAY,
        "closes_on": TODAY + timedelta(days=13),
        "customer_team_ids": [cast.marketing.pk, cast.finance.pk],
        "now": NOW,
    }
    fields.update(options)
    return schedule_survey(**fields)


def _open(survey):
    send_due_survey_notices(now=survey.opens_at)
    return survey


def _answer(person, survey, *, at=None, **scores):
    token = open_invitation(actor=person, survey_id=survey.pk, now=at or survey.opens_at).token
    answer_survey(token=token, now=at or survey.opens_at, **{**GOOD, **scores})


def _close(survey, *, days_before=1):
    """Results show once the survey has closed; move its dates into the past."""
    shift = survey.closes_at - NOW + timedelta(days=days_before)
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=survey.opens_at - shift,
        remind_at=survey.remind_at - shift,
        closes_at=survey.closes_at - shift,
    )
    survey.refresh_from_db()
    return survey


def _marketers(cast, count):
    return [make_person(f"mkt{number}", team=cast.marketing) for number in range(count)]


# --- scheduling and the audience --------------------------------------------------------


def test_a_lead_schedules_a_survey_with_its_dates_in_their_timezone(cast):
    survey = _schedule(cast, own_questions=[OwnQuestion("How easy is the portal?", "score")])

    assert survey.opens_at == NOW
    assert survey.closes_at == datetime(2026, 3, 16, 0, 0, tzinfo=UTC)
    assert survey.remind_at == NOW + (survey.closes_at - NOW) / 2
    assert set(survey.customer_teams.values_list("name", flat=True)) == {"Marketing", "Finance"}
    assert list(survey.own_questions.values_list("prompt", "kind")) == [
        ("How easy is the portal?", "score")
    ]


def test_the_audience_by_period_is_the_teams_that_filed_requests_then(cast):
    with frozen_time(NOW - timedelta(days=20)):
        submit(cast, actor=cast.rita)  # Marketing, in the period
    with frozen_time(NOW - timedelta(days=200)):
        submit(cast, actor=cast.otto)  # Finance, long before
    with frozen_time(NOW - timedelta(days=5)):
        submit(cast, actor=cast.alex)  # the team itself never surveys itself

    survey = _schedule(
        cast,
        customer_team_ids=[],
        audience_from=TODAY - timedelta(days=90),
        audience_to=TODAY,
    )

    assert list(survey.customer_teams.values_list("name", flat=True)) == ["Marketing"]
    assert survey.audience_from == TODAY - timedelta(days=90)


def test_a_period_without_requests_is_refused_in_words(cast):
    with pytest.raises(InvalidInput) as refused:
        _schedule(
            cast, customer_team_ids=[], audience_from=TODAY - timedelta(days=9), audience_to=TODAY
        )
    assert "No other team filed requests" in refused.value.fields["audience_from"]
    assert not Survey.objects.exists()


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"title": "  "}, "title"),
        ({"opens_on": TODAY - timedelta(days=1)}, "opens_on"),
        ({"opens_on": date(9999, 12, 30), "closes_on": date(9999, 12, 31)}, "opens_on"),
        ({"closes_on": TODAY}, "closes_on"),
        ({"closes_on": TODAY + timedelta(days=200)}, "closes_on"),
        ({"customer_team_ids": []}, "customer_teams"),
        ({"audience_from": TODAY, "audience_to": TODAY}, "customer_teams"),
        ({"own_questions": [OwnQuestion("Q", "score")] * 4}, "own_questions"),
        ({"own_questions": [OwnQuestion("Q", "stars")]}, "own_questions.0.kind"),
    ],
)
def test_bad_survey_input_is_refused_naming_the_field(cast, options, field):
    with pytest.raises(InvalidInput) as refused:
        _schedule(cast, **options)
    assert field in refused.value.fields
    assert not Survey.objects.exists()


def test_only_a_lead_of_the_team_schedules_its_survey(cast):
    for outsider in (cast.alex, cast.rita, cast.fred):
        with pytest.raises(PermissionDenied):
            _schedule(cast, actor=outsider)
    assert not Survey.objects.exists()
    assert _schedule(cast, actor=cast.ada).provider_team == cast.service_desk


# --- invitations and the reminder --------------------------------------------------------


def test_invitations_go_to_the_customer_teams_people_once(cast, django_capture_on_commit_callbacks):
    # A Marketing member who also works in the surveyed team is not asked about it.
    Membership = cast.alex.memberships.model
    Membership.objects.create(person=cast.alex, team=cast.marketing, role=MembershipRole.MEMBER)
    survey = _schedule(cast)

    assert send_due_survey_notices(now=NOW - timedelta(minutes=1)) == {"invited": 0, "reminded": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_survey_notices(now=NOW) == {"invited": 3, "reminded": 0}
    assert send_due_survey_notices(now=NOW + timedelta(minutes=1)) == {"invited": 0, "reminded": 0}

    invited = SurveyInvitation.objects.filter(survey=survey)
    assert {(i.person_id, i.customer_team_id) for i in invited} == {
        (cast.rita.pk, cast.marketing.pk),
        (cast.carl.pk, cast.marketing.pk),
        (cast.otto.pk, cast.finance.pk),
    }
    notices = Notification.objects.filter(kind=NotificationKind.SURVEY_INVITATION)
    assert sorted(notices.values_list("recipient_id", flat=True)) == sorted(
        [cast.rita.pk, cast.carl.pk, cast.otto.pk]
    )
    assert all(notice.delivered_at is not None for notice in notices)
    [shown] = render(notices.filter(recipient=cast.rita), reader=policy.viewer_for(cast.rita))
    assert (
        shown.text
        == "IT Service Desk asks how well it serves you: answer “Spring round” by 2026-03-15"
    )
    assert shown.link == f"/surveys/{survey.pk}/"


def test_the_reminder_goes_once_to_those_who_have_not_answered(cast):
    survey = _open(_schedule(cast))
    _answer(cast.rita, survey)

    assert send_due_survey_notices(now=survey.remind_at - timedelta(minutes=1))["reminded"] == 0
    assert send_survey_notices.call() == {"invited": 0, "reminded": 0}  # the real now: not due
    assert send_due_survey_notices(now=survey.remind_at) == {"invited": 0, "reminded": 2}
    assert send_due_survey_notices(now=survey.remind_at + timedelta(hours=1))["reminded"] == 0

    reminded = Notification.objects.filter(kind=NotificationKind.SURVEY_REMINDER)
    assert sorted(reminded.values_list("recipient_id", flat=True)) == sorted(
        [cast.carl.pk, cast.otto.pk]
    )


def test_a_survey_that_closed_unsent_sends_nothing(cast):
    survey = _schedule(cast)
    assert send_due_survey_notices(now=survey.closes_at) == {"invited": 0, "reminded": 0}
    assert not SurveyInvitation.objects.exists()


# --- answering once ------------------------------------------------------------------


def test_an_answer_is_recorded_and_the_invitation_only_says_used(cast):
    survey = _open(_schedule(cast, own_questions=[OwnQuestion("What should change?", "text")]))
    question = survey.own_questions.get()
    token = open_invitation(actor=cast.rita, survey_id=survey.pk, now=NOW).token

    answer_survey(
        token=token,
        now=NOW,
        comment=" Fast and kind. ",
        own_answers={question.pk: "More docs"},
        **GOOD,
    )

    invitation = SurveyInvitation.objects.get(survey=survey, person=cast.rita)
    assert invitation.used is True
    answer = SurveyAnswer.objects.get()
    assert (answer.customer_team, answer.recommend, answer.comment) == (
        cast.marketing,
        10,
        "Fast and kind.",
    )
    assert answer.own_answers == {str(question.pk): "More docs"}


def test_the_same_link_a_second_time_is_refused_and_nothing_changes(cast):
    survey = _open(_schedule(cast))
    token = open_invitation(actor=cast.rita, survey_id=survey.pk, now=NOW).token
    answer_survey(token=token, now=NOW, **GOOD)

    with pytest.raises(AlreadyAnswered) as refused:
        answer_survey(token=token, now=NOW, **{**GOOD, "recommend": 0})
    assert "already answered" in refused.value.message
    with pytest.raises(AlreadyAnswered):
        open_invitation(actor=cast.rita, survey_id=survey.pk, now=NOW)
    assert list(SurveyAnswer.objects.values_list("recommend", flat=True)) == [10]


def test_opening_again_replaces_the_token_so_an_older_form_cannot_answer(cast):
    survey = _open(_schedule(cast))
    first = open_invitation(actor=cast.rita, survey_id=survey.pk, now=NOW).token
    second = open_invitation(actor=cast.rita, survey_id=survey.pk, now=NOW).token

    with pytest.raises(NotFound):
        answer_survey(token=first, now=NOW, **GOOD)
    answer_survey(token=second, now=NOW, **GOOD)
    assert SurveyAnswer.objects.count() == 1


def test_only_the_tokens_digest_is_stored(cast):
    survey = _open(_schedule(cast))
    token = open_invitation(actor=cast.rita, survey_id=survey.pk, now=NOW).token

    stored = SurveyInvitation.objects.get(person=cast.rita).token_hash
    assert stored is not None and token not in stored and len(stored) == 64
    assert not Notification.objects.filter(params__icontains=token).exists()


def test_someone_not_invited_cannot_open_the_survey(cast):
    survey = _open(_schedule(cast))
    for stranger in (cast.fred, cast.lena):
        with pytest.raises(NotFound):
            open_invitation(actor=stranger, survey_id=survey.pk, now=NOW)


def test_answers_are_refused_before_opening_and_after_closing(cast):
    survey = _open(_schedule(cast))
    token = open_invitation(actor=cast.rita, survey_id=survey.pk, now=NOW).token
    with pytest.raises(SurveyNotOpen):
        answer_survey(token=token, now=survey.closes_at, **GOOD)
    with pytest.raises(SurveyNotOpen):
        open_invitation(actor=cast.carl, survey_id=survey.pk, now=survey.closes_at)
    assert not SurveyAnswer.objects.exists()
    assert not SurveyInvitation.objects.filter(used=True).exists()


def test_scores_out_of_range_are_refused_and_the_token_stays_unused(cast):
    survey = _open(_schedule(cast))
    token = open_invitation(actor=cast.rita, survey_id=survey.pk, now=NOW).token
    with pytest.raises(InvalidInput) as refused:
        answer_survey(token=token, now=NOW, **{**GOOD, "recommend": 11, "quality": 0})
    assert set(refused.value.fields) == {"recommend", "quality"}
    assert not SurveyInvitation.objects.filter(used=True).exists()
    answer_survey(token=token, now=NOW, **GOOD)


# --- anonymity -----------------------------------------------------------------------


def test_no_table_row_links_an_answer_to_a_person(cast):
    """The answer table has no column naming a person, an invitation, a token or a time,
    and no other table points at an answer."""
    survey = _open(_schedule(cast))
    _answer(cast.rita, survey)

    answer_columns = {
        column.name
        for column in connection.introspection.get_table_description(
            connection.cursor(), SurveyAnswer._meta.db_table
        )
    }
    assert answer_columns == {
        "id",
        "survey_id",
        "customer_team_id",
        "recommend",
        "timeliness",
        "quality",
        "communication",
        "ease_of_asking",
        "comment",
        "own_answers",
    }
    invitation_columns = {field.column for field in SurveyInvitation._meta.concrete_fields}
    assert invitation_columns == {
        "id",
        "survey_id",
        "person_id",
        "customer_team_id",
        "token_hash",
        "used",
    }
    assert [relation for relation in SurveyAnswer._meta.related_objects] == []
    # Random keys: nothing to order answers by the moment they were given.
    assert isinstance(SurveyAnswer._meta.pk, UUIDField)


def test_answering_logs_nothing_that_names_the_person(cast, caplog):
    survey = _open(_schedule(cast))
    token = open_invitation(actor=cast.rita, survey_id=survey.pk, now=NOW).token
    caplog.set_level("DEBUG")

    with frozen_time(NOW):
        answered = client_for(cast.rita).post(f"/surveys/{survey.pk}/", {"token": token, **GOOD})
    assert answered.status_code == 302

    logged = " ".join(record.getMessage() for record in caplog.records)
    assert SurveyAnswer.objects.count() == 1
    for trace in (cast.rita.full_name, cast.rita.email, cast.rita.user.username, token):
        assert trace not in logged


# --- results -------------------------------------------------------------------------


def test_results_appear_only_once_the_survey_has_closed(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 1
    survey = _open(_schedule(cast))
    _answer(cast.rita, survey)

    lena = policy.viewer_for(cast.lena)
    results = survey_results(lena, cast.service_desk, survey.pk, now=NOW)
    assert results.available is False and results.groups == [] and not results.overall.shown
    _close(survey)
    assert survey_results(lena, cast.service_desk, survey.pk).overall.nps == 100.0


def test_a_group_below_the_minimum_shows_no_figure_or_comment(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 3
    survey = _open(_schedule(cast))
    _answer(cast.rita, survey, recommend=9, comment="Marketing is happy")
    _answer(cast.otto, survey, recommend=0, comment="The lone voice of Finance")
    _close(survey)

    results = survey_results(policy.viewer_for(cast.lena), cast.service_desk, survey.pk)

    assert results.groups == []
    assert results.hidden_teams == ["Finance", "Marketing"]
    assert results.overall.shown is False and results.overall.nps is None
    assert results.overall.comments == []


def test_small_teams_pool_with_the_smallest_shown_team_so_the_overall_shows(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 3
    marketers = _marketers(cast, 2)
    hr_people = [make_person(f"hr{number}", team=cast.hr) for number in range(3)]
    survey = _open(
        _schedule(cast, customer_team_ids=[cast.marketing.pk, cast.finance.pk, cast.hr.pk])
    )
    for person in [cast.rita, cast.carl, *marketers]:
        _answer(person, survey, recommend=9, comment=f"Marketing {person.pk}")
    for person in hr_people:
        _answer(person, survey, recommend=7)
    _answer(cast.otto, survey, recommend=0, comment="The lone voice of Finance")
    _close(survey)

    results = survey_results(policy.viewer_for(cast.lena), cast.service_desk, survey.pk)

    # Finance alone (1) is too few; HR (3) joins it, so neither is shown on its own.
    assert [(g.label, g.respondents) for g in results.groups] == [
        ("Marketing", 4),
        ("Other customer teams, together", 4),
    ]
    assert "The lone voice of Finance" not in results.groups[0].comments
    assert results.groups[1].nps == -25.0
    assert results.overall.respondents == 8 and results.overall.nps == 37.5
    assert results.hidden_teams == []


def test_round_over_round_shows_the_teams_previous_score(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 2
    first = _open(_schedule(cast, title="Autumn"))
    _answer(cast.rita, first, recommend=3)
    _answer(cast.carl, first, recommend=9)
    _close(first, days_before=60)
    second = _open(_schedule(cast, title="Spring"))
    _answer(cast.rita, second, recommend=10)
    _answer(cast.carl, second, recommend=9)
    _close(second)

    lena = policy.viewer_for(cast.lena)
    results = survey_results(lena, cast.service_desk, second.pk)
    [marketing] = results.groups
    assert results.previous == first
    assert (marketing.previous_nps, marketing.nps, marketing.nps_change) == (0.0, 100.0, 100.0)
    assert [(row.survey.title, row.nps) for row in surveys_of_team(lena, cast.service_desk)] == [
        ("Spring", 100.0),
        ("Autumn", 0.0),
    ]


def test_only_the_teams_leads_read_its_results(cast):
    survey = _schedule(cast)
    for outsider in (cast.alex, cast.rita, cast.fred):
        with pytest.raises(NotFound):
            survey_results(policy.viewer_for(outsider), cast.service_desk, survey.pk)
        with pytest.raises(NotFound):
            surveys_of_team(policy.viewer_for(outsider), cast.service_desk)


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=60))
def test_nps_is_the_share_of_promoters_less_the_share_of_detractors(scores):
    promoters = len([s for s in scores if s in (9, 10)])
    detractors = len([s for s in scores if s <= 6])
    nps = net_promoter_score(scores)
    assert -100.0 <= nps <= 100.0
    assert nps * len(scores) == pytest.approx(100 * (promoters - detractors))
    assert net_promoter_score(scores + [7, 8]) * (len(scores) + 2) == pytest.approx(
        100 * (promoters - detractors)
    )


@given(
    st.dictionaries(st.integers(1, 8), st.integers(0, 12), max_size=8),
    st.integers(1, 6),
)
def test_no_shown_group_is_below_the_minimum_and_the_overall_never_gives_one_away(sizes, minimum):
    by_team = {team: [(team, n) for n in range(size)] for team, size in sizes.items()}
    grouping = group_answers(by_team, minimum=minimum)

    assert all(len(rows) >= minimum for rows in grouping.teams.values())
    assert grouping.pooled is None or len(grouping.pooled) >= minimum
    shown = [row for rows in grouping.teams.values() for row in rows] + (grouping.pooled or [])
    total = sum(sizes.values())
    # Every answer is in exactly one group; a team shown alone is never in the pool too.
    assert len(shown) == len(set(shown))
    assert not set(grouping.teams) & {team for team, _ in grouping.pooled or []}
    assert grouping.overall_shown == (total >= minimum)
    if grouping.overall_shown:
        # Every answer sits in a shown group: the overall reveals nothing new.
        assert len(shown) == total
    else:
        assert grouping.teams == {} and grouping.pooled is None


def test_nps_of_no_scores_is_refused():
    with pytest.raises(ValueError):
        net_promoter_score([])


# --- the doors -----------------------------------------------------------------------


def test_the_answer_page_answers_once_and_refuses_the_second_time(cast):
    with frozen_time(NOW):
        survey = _open(_schedule(cast))
        client = client_for(cast.rita)
        page = client.get(f"/surveys/{survey.pk}/")
        assert page.status_code == 200
        token = page.context["form"].initial["token"]
        posted = client.post(
            f"/surveys/{survey.pk}/", {"token": token, **GOOD, "comment": "<script>x</script>"}
        )
        assert posted.status_code == 302
        again = client.post(f"/surveys/{survey.pk}/", {"token": token, **GOOD})
        assert again.status_code == 409
        assert "already answered" in again.content.decode()
        assert "already answered" in client.get(f"/surveys/{survey.pk}/").content.decode()
        assert client_for(cast.fred).get(f"/surveys/{survey.pk}/").status_code == 404
    assert SurveyAnswer.objects.get().comment == "<script>x</script>"


def test_the_lead_schedules_and_reads_through_the_pages(cast):
    client = client_for(cast.lena)
    with frozen_time(NOW):
        created = client.post(
            "/catalog/manage/it-service-desk/surveys/",
            {
                "title": "Spring round",
                "opens_on": TODAY.isoformat(),
                "closes_on": (TODAY + timedelta(days=13)).isoformat(),
                "audience": "teams",
                "customer_teams": [cast.marketing.pk],
                "own_kind_1": "score",
                "own_kind_2": "score",
                "own_kind_3": "text",
                "own_prompt_3": "What should we change?",
            },
        )
        assert created.status_code == 302
        survey = Survey.objects.get()
        listing = client.get("/catalog/manage/it-service-desk/surveys/")
        assert "Spring round" in listing.content.decode()
        results = client.get(f"/catalog/manage/it-service-desk/surveys/{survey.pk}/")
        assert "Results appear once the survey has closed" in results.content.decode()
        preview = client.get(
            "/catalog/manage/it-service-desk/surveys/audience/",
            {"audience_from": "2026-01-01", "audience_to": "2026-03-01"},
        )
        assert preview.status_code == 200
    assert list(survey.own_questions.values_list("prompt", flat=True)) == ["What should we change?"]
    assert client_for(cast.alex).get("/catalog/manage/it-service-desk/surveys/").status_code == 404


def test_the_api_schedules_lists_answers_once_and_gives_results(cast, settings):
    settings.FEEDBACK_MIN_GROUP_SIZE = 2
    lena = client_for(cast.lena)
    with frozen_time(NOW):
        created = lena.post(
            "/api/v1/surveys",
            {
                "team": "it-service-desk",
                "title": "Spring round",
                "opens_on": TODAY.isoformat(),
                "closes_on": (TODAY + timedelta(days=6)).isoformat(),
                "customer_teams": ["marketing"],
            },
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        survey_id = created.json()["id"]
        send_due_survey_notices(now=NOW)
        for person in (cast.rita, cast.carl):
            client = client_for(person)
            assert client.get("/api/v1/surveys/invited").json()[0]["survey"] == survey_id
            token = client.post(f"/api/v1/surveys/{survey_id}/token").json()["token"]
            sent = client.post(
                "/api/v1/surveys/answers", {"token": token, **GOOD}, content_type="application/json"
            )
            assert sent.status_code == 201 and sent.json() == {"recorded": True}
            again = client.post(
                "/api/v1/surveys/answers", {"token": token, **GOOD}, content_type="application/json"
            )
            assert again.status_code == 409
            assert again.json()["error"]["code"] == "already_answered"
        assert (
            lena.get(f"/api/v1/surveys/{survey_id}/results?team=it-service-desk").json()[
                "available"
            ]
            is False
        )
    _close(Survey.objects.get(pk=survey_id))
    results = lena.get(f"/api/v1/surveys/{survey_id}/results?team=it-service-desk").json()
    assert results["overall"]["nps"] == 100.0
    assert results["customer_teams"][0]["respondents"] == 2
    listed = lena.get("/api/v1/surveys?team=it-service-desk").json()
    assert [row["id"] for row in listed] == [survey_id]
    outsider = client_for(cast.alex)
    assert outsider.get("/api/v1/surveys?team=it-service-desk").status_code == 404
    assert (
        outsider.get(f"/api/v1/surveys/{survey_id}/results?team=it-service-desk").status_code == 404
    )


# --- the demo ------------------------------------------------------------------------


def test_the_demo_has_two_rounds_with_one_team_loved_and_one_struggling(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate_demo(seed=3, request_count=1_000, now=NOW)
    admin = policy.viewer_for(Person.objects.filter(is_org_admin=True).first())

    def overall_scores(slug):
        team = Team.objects.get(slug=slug)
        rows = surveys_of_team(admin, team, now=NOW)
        assert [row.closed for row in rows] == [True, True]
        return [row.nps for row in reversed(rows)]

    loved, struggling = overall_scores(LOVED_TEAM), overall_scores(STRUGGLING_TEAM)
    assert all(score is not None and score > 50 for score in loved)
    assert all(score is not None and score < 0 for score in struggling)
    # The struggling team improves a little from one round to the next.
    assert struggling[1] > struggling[0]
    # No invitation of the demo names an answer, and every used one has its answer somewhere.
    assert SurveyInvitation.objects.filter(used=True).count() == SurveyAnswer.objects.count()
