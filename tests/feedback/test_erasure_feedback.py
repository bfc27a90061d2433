"""Erasing a person reaches feedback: their rating comments, kudos messages and follow-up
answers with --text, their survey invitations always; numbers and anonymous answers stay."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from inhouse.catalog.models import Service
from inhouse.desk.models import Request
from inhouse.desk.services import erase_person, plan_erasure, transition_request
from inhouse.desk.services.erasure import ERASED_TEXT
from inhouse.desk.services.retention import apply_retention
from inhouse.feedback.models import (
    ClarityRating,
    FollowUp,
    Kudos,
    Rating,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
)
from inhouse.feedback.models.followups import FollowUpStatus
from inhouse.feedback.services.kudos import grant_kudos
from inhouse.feedback.services.ratings import rate_clarity, rate_request
from tests.desk.helpers import submit

pytestmark = pytest.mark.django_db


def _resolved(cast, *, agent=None, **options) -> Request:
    request = submit(cast, **options)
    return transition_request(actor=agent or cast.alex, request=request, to="resolved")


def _survey(cast, *, closes_in: timedelta) -> Survey:
    now = timezone.now()
    opens = min(now - timedelta(days=2), now + closes_in - timedelta(days=2))
    return Survey.objects.create(
        provider_team=cast.service_desk,
        title="How do we serve you?",
        opens_at=opens,
        remind_at=opens + timedelta(days=1),
        closes_at=now + closes_in,
    )


def _answered_follow_up(cast, request: Request, *, made_possible: str, problem: str) -> FollowUp:
    now = timezone.now()
    return FollowUp.objects.create(
        request=request,
        step="2d",
        resolved_at=now,
        due_at=now,
        status=FollowUpStatus.ANSWERED,
        answered_at=now,
        answered_by=cast.rita,
        still_working="partly",
        made_possible=made_possible,
        problem=problem,
    )


@pytest.fixture
def feedback(cast):
    """Rita's words across feedback, and Carl's next to them, which must stay."""
    printer = _resolved(cast, subject="Printer eats my payslips")
    rating = rate_request(actor=cast.rita, request=printer, score=2, comment="Took three tries.")
    clarity = rate_clarity(actor=cast.alex, request=printer, score=4)
    carls = _resolved(cast, actor=cast.carl, subject="Projector")
    carls_rating = rate_request(actor=cast.carl, request=carls, score=5, comment="Quick!")
    kudos = grant_kudos(actor=cast.rita, message="Thanks for the fix, Alex!", to_person=cast.alex)
    carls_kudos = grant_kudos(actor=cast.carl, message="Great help", to_team=cast.service_desk)
    answered = _answered_follow_up(cast, printer, made_possible="Payroll on time", problem="")
    open_survey = _survey(cast, closes_in=timedelta(days=5))
    closed_survey = _survey(cast, closes_in=-timedelta(days=1))
    SurveyInvitation.objects.bulk_create(
        [
            # Minted but not answered: the token would still answer without a login.
            SurveyInvitation(survey=open_survey, person=cast.rita,
                             customer_team=cast.marketing, token_hash="a" * 64),
            SurveyInvitation(survey=closed_survey, person=cast.rita,
                             customer_team=cast.marketing, token_hash="b" * 64, used=True),
            SurveyInvitation(survey=open_survey, person=cast.carl,
                             customer_team=cast.marketing, token_hash="c" * 64),
        ]
    )  # fmt: skip
    SurveyAnswer.objects.create(
        survey=closed_survey, customer_team=cast.marketing, recommend=9, timeliness=4,
        quality=4, communication=5, ease_of_asking=3, comment="Friendly people.",
    )  # fmt: skip
    return {
        "rating": rating, "clarity": clarity, "carls_rating": carls_rating, "kudos": kudos,
        "carls_kudos": carls_kudos, "follow_up": answered, "open_survey": open_survey,
        "closed_survey": closed_survey,
    }  # fmt: skip


def test_with_text_her_feedback_words_are_replaced_and_scores_stay(cast, feedback):
    report = erase_person(cast.rita, by=cast.ada, include_text=True)

    rating = Rating.objects.get(pk=feedback["rating"].pk)
    assert (rating.comment, rating.score, rating.rated_by_id) == (ERASED_TEXT, 2, cast.rita.pk)
    kudos = Kudos.objects.get(pk=feedback["kudos"].pk)
    assert (kudos.message, kudos.recipient_person_id) == (ERASED_TEXT, cast.alex.pk)
    follow_up = FollowUp.objects.get(pk=feedback["follow_up"].pk)
    # An empty answer stays empty: "(erased)" would claim there had been words.
    assert (follow_up.made_possible, follow_up.problem, follow_up.still_working) == (
        ERASED_TEXT, "", "partly",
    )  # fmt: skip
    assert ClarityRating.objects.get(pk=feedback["clarity"].pk).score == 4
    # Carl's words are his.
    assert Rating.objects.get(pk=feedback["carls_rating"].pk).comment == "Quick!"
    assert Kudos.objects.get(pk=feedback["carls_kudos"].pk).message == "Great help"
    assert dict(report.elsewhere) == {
        "survey invitations removed": 1,
        "survey invitations unlinked from their token": 1,
        "rating comments replaced": 1,
        "kudos messages replaced": 1,
        "follow-up answers replaced": 1,
        "ideas' titles and descriptions replaced": 0,
        "idea comments replaced": 0,
    }


def test_without_text_her_feedback_words_stay(cast, feedback):
    erase_person(cast.rita, by=cast.ada, include_text=False)

    assert Rating.objects.get(pk=feedback["rating"].pk).comment == "Took three tries."
    assert Kudos.objects.get(pk=feedback["kudos"].pk).message == "Thanks for the fix, Alex!"
    assert FollowUp.objects.get(pk=feedback["follow_up"].pk).made_possible == "Payroll on time"


def test_her_usable_invitation_goes_the_used_one_stays_without_its_token(cast, feedback):
    """Nothing ties her to a survey beyond the pseudonym having been invited, and the
    round's number of people invited and its anonymous answers do not move."""
    answers = list(SurveyAnswer.objects.values_list("pk", "comment", "recommend"))

    erase_person(cast.rita, by=cast.ada, include_text=False)

    assert not SurveyInvitation.objects.filter(survey=feedback["open_survey"], person=cast.rita)
    kept = SurveyInvitation.objects.get(survey=feedback["closed_survey"], person=cast.rita)
    assert (kept.used, kept.token_hash) == (True, None)
    assert SurveyInvitation.objects.get(person=cast.carl).token_hash == "c" * 64
    assert list(SurveyAnswer.objects.values_list("pk", "comment", "recommend")) == answers


def test_the_plan_counts_her_feedback_without_changing_it(cast, feedback):
    plan = plan_erasure(cast.rita, include_text=True)

    assert dict(plan.elsewhere)["rating comments replaced"] == 1
    assert dict(plan.elsewhere)["survey invitations removed"] == 1
    assert Rating.objects.get(pk=feedback["rating"].pk).comment == "Took three tries."
    assert SurveyInvitation.objects.filter(person=cast.rita).count() == 2


def test_a_second_erasure_finds_nothing_more_in_feedback(cast, feedback):
    erase_person(cast.rita, by=cast.ada, include_text=True)

    again = erase_person(cast.rita, by=cast.ada, include_text=True)

    assert {rows for _, rows in again.elsewhere} == {0}
    assert not plan_erasure(cast.rita, include_text=True).changes_anything


def test_the_audit_record_counts_her_feedback(cast, feedback):
    from inhouse.audit.models import AuditAction, AuditRecord

    erase_person(cast.rita, by=cast.ada, include_text=True)

    record = AuditRecord.objects.get(action=AuditAction.PERSON_ERASED)
    assert record.data["elsewhere"]["kudos messages replaced"] == 1
    assert "Rita" not in str(record.data)


def test_the_command_prints_the_feedback_lines(cast, feedback, capsys):
    call_command("erase_person", str(cast.rita.pk), "--text", "--yes")

    out = capsys.readouterr().out
    assert "rating comments replaced: 1" in out
    assert "kudos messages replaced: 1" in out
    assert "survey invitations removed: 1" in out


def test_retention_removes_a_confidential_cases_ratings_and_follow_ups(cast):
    case = _resolved(cast, agent=cast.hana, service=cast.mediation, subject="Conflict",
                     form_answers={"summary": "Since January."})  # fmt: skip
    rate_request(actor=cast.rita, request=case, score=3, comment="Slow but kind.")
    transition_request(actor=cast.rita, request=case, to="closed")
    _answered_follow_up(cast, case, made_possible="Peace", problem="")
    kudos = grant_kudos(actor=cast.rita, message="Thank you", to_team=cast.people_partners)
    Kudos.objects.filter(pk=kudos.pk).update(request=case)
    Service.objects.filter(pk=cast.mediation.pk).update(retention_days=30)

    removed = apply_retention(now=timezone.now() + timedelta(days=31))

    assert [case.pk] == [expired.request_id for expired in removed]
    assert not Rating.objects.filter(request_id=case.pk)
    assert not FollowUp.objects.filter(request_id=case.pk)
    # A thanks is the sender's and stays, no longer pointing at the removed case.
    assert Kudos.objects.get(pk=kudos.pk).request_id is None
