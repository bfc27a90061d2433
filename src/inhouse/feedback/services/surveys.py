"""Relationship surveys: schedule one, send its invitations and reminder, answer it.

Anonymity is kept by the shape of the code as well as the tables
(``inhouse.feedback.models.surveys``):

- ``open_invitation`` is the only function that knows who is answering: it mints a
  fresh one-use token for the signed-in invitee and stores only its digest.
- ``answer_survey`` takes the token and the answers and no person: it marks the
  invitation used and writes the answer as two unrelated rows, so nothing it
  writes, returns or logs can tie one to the other.

The worker sends invitations when a survey opens and one reminder half way to its
close (``send_due_survey_notices``); each step claims its survey with a conditional
UPDATE so two workers never send the same notices twice.
"""

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from inhouse import policy
from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inhouse.desk.models import NotificationKind, Request
from inhouse.desk.outbox import notify
from inhouse.feedback.models import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion
from inhouse.feedback.models.surveys import (
    MAX_OWN_QUESTIONS,
    RECOMMEND_MAX,
    RECOMMEND_MIN,
    SCORE_MAX,
    SCORE_MIN,
    QuestionKind,
)
from inhouse.org.models import Membership, Person, Team

MAX_TITLE = 200
MAX_PROMPT = 300
MAX_COMMENT = 5000
MAX_OWN_TEXT = 2000
# A survey open for less than a day cannot reach people across timezones; longer than
# a quarter, and it is no longer one round.
MIN_OPEN_DAYS = 1
MAX_OPEN_DAYS = 92
MAX_DAYS_AHEAD = 366
DRIVERS = ("timeliness", "quality", "communication", "ease_of_asking")


class AlreadyAnswered(Conflict):
    code = "already_answered"

    def __init__(self) -> None:
        super().__init__(
            "You have already answered this survey. Each person answers once, "
            "and your answer is kept as you gave it."
        )


class SurveyNotOpen(Conflict):
    code = "survey_not_open"


@dataclass(frozen=True)
class OwnQuestion:
    prompt: str
    kind: str


@dataclass(frozen=True)
class OpenedInvitation:
    """The survey a person may answer now and the one-use token to answer it with."""

    survey: Survey
    token: str


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- scheduling ---------------------------------------------------------------------


def customer_teams_in_period(*, team: Team, start: date, end: date) -> list[Team]:
    """The teams other than ``team`` on whose behalf requests were filed to it between
    ``start`` and ``end`` (whole days, UTC)."""
    since = datetime.combine(start, time.min, tzinfo=ZoneInfo("UTC"))
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=ZoneInfo("UTC"))
    team_ids = (
        Request.objects.filter(provider_team=team, created_at__gte=since, created_at__lt=until)
        .exclude(customer_team=None)
        .exclude(customer_team=team)
        .order_by()
        .values("customer_team_id")
        .distinct()
    )
    return list(Team.objects.filter(pk__in=team_ids, is_active=True).order_by("name"))


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _clean_own_questions(questions: Sequence[OwnQuestion], errors: dict[str, str]) -> None:
    if len(questions) > MAX_OWN_QUESTIONS:
        errors["own_questions"] = f"Ask at most {MAX_OWN_QUESTIONS} questions of your own."
        return
    for number, question in enumerate(questions):
        if not question.prompt.strip():
            errors[f"own_questions.{number}.prompt"] = "Write the question."
        elif len(question.prompt) > MAX_PROMPT:
            errors[f"own_questions.{number}.prompt"] = f"At most {MAX_PROMPT} characters."
        if question.kind not in QuestionKind.values:
            errors[f"own_questions.{number}.kind"] = (
                f"Choose one of: {', '.join(QuestionKind.values)}."
            )


def schedule_survey(
    *,
    actor: Person,
    team: Team,
    title: str,
    opens_on: date,
    closes_on: date,
    customer_team_ids: Sequence[int] = (),
    audience_from: date | None = None,
    audience_to: date | None = None,
    own_questions: Sequence[OwnQuestion] = (),
    now: datetime | None = None,
) -> Survey:
    """Schedule a round of ``team``'s relationship survey; only its leads (and admins) may.

    The audience is either the customer teams named (``customer_team_ids``) or the
    teams that filed requests to ``team`` between ``audience_from`` and
    ``audience_to``; never both, never none. Dates are days in the actor's timezone:
    the survey opens at the start of ``opens_on`` and takes answers through the end
    of ``closes_on``; the one reminder goes out half way.
    """
    if not policy.can_manage_team(actor, team):
        raise PermissionDenied(f"Only the leads of {team.name} can survey its customers.")
    now = now or timezone.now()
    zone = ZoneInfo(actor.timezone)
    today = now.astimezone(zone).date()
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = "Give the survey a title."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"At most {MAX_TITLE} characters."
    if opens_on < today:
        errors["opens_on"] = "A survey cannot open in the past."
    elif opens_on > today + timedelta(days=MAX_DAYS_AHEAD):
        errors["opens_on"] = "Schedule a survey at most a year ahead."
    open_days = (closes_on - opens_on).days + 1
    if open_days < MIN_OPEN_DAYS + 1:
        errors["closes_on"] = "Close the survey at least a day after it opens."
    elif open_days > MAX_OPEN_DAYS:
        errors["closes_on"] = f"Keep a survey open for at most {MAX_OPEN_DAYS} days."
    _clean_own_questions(own_questions, errors)

    by_period = audience_from is not None or audience_to is not None
    customer_teams: list[Team] = []
    if by_period and customer_team_ids:
        errors["customer_teams"] = "Name the teams or choose a period, not both."
    elif by_period:
        if audience_from is None or audience_to is None:
            errors["audience_from"] = "Give both the first and the last day of the period."
        elif audience_from > audience_to:
            errors["audience_to"] = "The period ends before it starts."
        elif audience_to > today:
            errors["audience_to"] = "The period cannot end in the future."
        else:
            customer_teams = customer_teams_in_period(
                team=team, start=audience_from, end=audience_to
            )
            if not customer_teams:
                errors["audience_from"] = (
                    f"No other team filed requests to {team.name} in that period."
                )
    elif not customer_team_ids:
        errors["customer_teams"] = "Name the customer teams, or choose a period."
    else:
        customer_teams = list(
            Team.objects.filter(pk__in=set(customer_team_ids), is_active=True).exclude(pk=team.pk)
        )
        if len(customer_teams) != len(set(customer_team_ids)):
            errors["customer_teams"] = "Choose active teams other than the one surveyed."
    if errors:
        raise InvalidInput("The survey needs some changes.", fields=errors)

    opens_at = max(_start_of(opens_on, zone), now)
    closes_at = _start_of(closes_on + timedelta(days=1), zone)
    with transaction.atomic():
        survey = Survey.objects.create(
            provider_team=team,
            title=title,
            created_by=actor,
            created_at=now,
            opens_at=opens_at,
            remind_at=opens_at + (closes_at - opens_at) / 2,
            closes_at=closes_at,
            audience_from=audience_from,
            audience_to=audience_to,
        )
        survey.customer_teams.set(customer_teams)
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(
                survey=survey, position=position, prompt=question.prompt.strip(), kind=question.kind
            )
            for position, question in enumerate(own_questions, start=1)
        )
    return survey


# --- invitations and the reminder (the worker) -------------------------------------------


def _about(survey: Survey, zone_name: str = "UTC") -> dict[str, str]:
    last_day = (survey.closes_at - timedelta(seconds=1)).astimezone(ZoneInfo(zone_name))
    return {
        "team": survey.provider_team.name,
        "title": survey.title,
        "closes_on": last_day.date().isoformat(),
        "link": reverse("surveys:answer", args=[survey.pk]),
    }


def _audience(survey: Survey) -> dict[int, int]:
    """Who is invited, as {person id: the customer team their answer counts for}: the
    active people of the survey's customer teams, less the surveyed team's own people;
    someone in several customer teams counts for the one they joined first."""
    own_people = Membership.objects.filter(team_id=survey.provider_team_id).values("person_id")
    rows = (
        Membership.objects.filter(team__in=survey.customer_teams.all(), person__is_active=True)
        .exclude(person_id__in=own_people)
        .order_by("person_id", "id")
        .values_list("person_id", "team_id")
    )
    audience: dict[int, int] = {}
    for person_id, team_id in rows:
        audience.setdefault(person_id, team_id)
    return audience


def send_survey_invitations(*, survey_id: int, now: datetime) -> int:
    """Invite a survey's audience once it has opened; returns how many were invited.

    Claimed with a conditional UPDATE of ``invitations_sent_at`` inside the
    transaction that writes the invitations and their notices: a second worker's
    claim waits for the first and then finds nothing to do.
    """
    with transaction.atomic():
        claimed = Survey.objects.filter(
            pk=survey_id, invitations_sent_at=None, opens_at__lte=now, closes_at__gt=now
        ).update(invitations_sent_at=now)
        if not claimed:
            return 0
        survey = Survey.objects.select_related("provider_team").get(pk=survey_id)
        audience = _audience(survey)
        SurveyInvitation.objects.bulk_create(
            [
                SurveyInvitation(survey=survey, person_id=person_id, customer_team_id=team_id)
                for person_id, team_id in audience.items()
            ],
            ignore_conflicts=True,
        )
        notify(
            Q(pk__in=list(audience)),
            request=None,
            kind=NotificationKind.SURVEY_INVITATION,
            params=_about(survey),
        )
    return len(audience)


def send_survey_reminder(*, survey_id: int, now: datetime) -> int:
    """Remind, once, the invitees who have not answered; returns how many were reminded."""
    with transaction.atomic():
        claimed = (
            Survey.objects.filter(
                pk=survey_id, reminder_sent_at=None, remind_at__lte=now, closes_at__gt=now
            )
            .exclude(invitations_sent_at=None)
            .update(reminder_sent_at=now)
        )
        if not claimed:
            return 0
        survey = Survey.objects.select_related("provider_team").get(pk=survey_id)
        waiting = list(
            SurveyInvitation.objects.filter(survey=survey, used=False).values_list(
                "person_id", flat=True
            )
        )
        if waiting:
            notify(
                Q(pk__in=waiting),
                request=None,
                kind=NotificationKind.SURVEY_REMINDER,
                params=_about(survey),
            )
    return len(waiting)


def send_due_survey_notices(*, now: datetime | None = None) -> dict[str, int]:
    """Send every invitation and reminder that is due; the worker runs this every minute."""
    now = now or timezone.now()
    open_now = Survey.objects.filter(opens_at__lte=now, closes_at__gt=now)
    to_invite = open_now.filter(invitations_sent_at=None).values_list("pk", flat=True)
    to_remind = (
        open_now.filter(reminder_sent_at=None, remind_at__lte=now)
        .exclude(invitations_sent_at=None)
        .values_list("pk", flat=True)
    )
    invited = sum(send_survey_invitations(survey_id=pk, now=now) for pk in list(to_invite))
    reminded = sum(send_survey_reminder(survey_id=pk, now=now) for pk in list(to_remind))
    return {"invited": invited, "reminded": reminded}


# --- answering -----------------------------------------------------------------------


def _refuse_unless_open(survey: Survey, now: datetime) -> None:
    if survey.is_closed_at(now):
        raise SurveyNotOpen("This survey has closed; it no longer takes answers.")
    if not survey.is_open_at(now):
        raise SurveyNotOpen("This survey has not opened yet.")


def open_invitation(
    *, actor: Person, survey_id: int, now: datetime | None = None
) -> OpenedInvitation:
    """Mint the one-use token with which ``actor`` answers a survey they were invited to.

    Each call replaces the token minted before (only its digest is stored), so an
    older copy of the form stops working. Someone not invited gets ``NotFound``;
    someone who answered, ``AlreadyAnswered``.
    """
    now = now or timezone.now()
    invitation = (
        SurveyInvitation.objects.select_related("survey__provider_team")
        .filter(survey_id=survey_id, person=actor)
        .first()
    )
    if invitation is None or not actor.is_active:
        raise NotFound("No such survey.")
    if invitation.used:
        raise AlreadyAnswered()
    _refuse_unless_open(invitation.survey, now)
    token = secrets.token_urlsafe(32)
    minted = SurveyInvitation.objects.filter(pk=invitation.pk, used=False).update(
        token_hash=digest_of(token)
    )
    if not minted:
        raise AlreadyAnswered()
    return OpenedInvitation(survey=invitation.survey, token=token)


def _score(value: object, field: str, low: int, high: int, errors: dict[str, str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors[field] = f"Choose a whole number from {low} to {high}."
        return low
    return value


def _clean_own_answers(
    survey: Survey, own_answers: Mapping[int, int | str], errors: dict[str, str]
) -> dict[str, int | str]:
    questions = {question.pk: question for question in survey.own_questions.all()}
    cleaned: dict[str, int | str] = {}
    for question_id in set(own_answers) - set(questions):
        errors[f"own_answers.{question_id}"] = "Not a question of this survey."
    for question_id, question in questions.items():
        value = own_answers.get(question_id)
        if value is None or value == "":
            # The lead's own questions are optional, so none of them blocks an answer.
            continue
        field = f"own_answers.{question_id}"
        if question.kind == QuestionKind.SCORE:
            cleaned[str(question_id)] = _score(value, field, SCORE_MIN, SCORE_MAX, errors)
        elif not isinstance(value, str) or len(value) > MAX_OWN_TEXT:
            errors[field] = f"Write at most {MAX_OWN_TEXT} characters."
        elif value.strip():
            cleaned[str(question_id)] = value.strip()
    return cleaned


def answer_survey(
    *,
    token: str,
    recommend: int,
    timeliness: int,
    quality: int,
    communication: int,
    ease_of_asking: int,
    comment: str = "",
    own_answers: Mapping[int, int | str] | None = None,
    now: datetime | None = None,
) -> None:
    """Record one anonymous answer with a token from ``open_invitation``.

    Takes no person on purpose: what it writes cannot name one. The invitation is
    marked used and the answer written in one transaction; neither row refers to
    the other and the answer carries no time. A used token gets ``AlreadyAnswered``,
    an unknown or replaced one ``NotFound``. Returns nothing, not even the answer's
    id, so no caller can keep the pair.
    """
    now = now or timezone.now()
    invitation = (
        SurveyInvitation.objects.select_related("survey")
        .filter(token_hash=digest_of(token))
        .first()
        if token
        else None
    )
    if invitation is None:
        raise NotFound(
            "This survey link is not valid any more: open the survey again from your notification."
        )
    if invitation.used:
        raise AlreadyAnswered()
    survey = invitation.survey
    _refuse_unless_open(survey, now)
    errors: dict[str, str] = {}
    answer = SurveyAnswer(
        survey=survey,
        customer_team_id=invitation.customer_team_id,
        recommend=_score(recommend, "recommend", RECOMMEND_MIN, RECOMMEND_MAX, errors),
        timeliness=_score(timeliness, "timeliness", SCORE_MIN, SCORE_MAX, errors),
        quality=_score(quality, "quality", SCORE_MIN, SCORE_MAX, errors),
        communication=_score(communication, "communication", SCORE_MIN, SCORE_MAX, errors),
        ease_of_asking=_score(ease_of_asking, "ease_of_asking", SCORE_MIN, SCORE_MAX, errors),
        comment=comment.strip(),
        own_answers=_clean_own_answers(survey, own_answers or {}, errors),
    )
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Write at most {MAX_COMMENT} characters."
    if errors:
        raise InvalidInput("Some answers need fixing.", fields=errors)
    with transaction.atomic():
        # The claim: of two submissions of one token, only the first marks it used.
        claimed = SurveyInvitation.objects.filter(pk=invitation.pk, used=False).update(used=True)
        if not claimed:
            raise AlreadyAnswered()
        answer.save(force_insert=True)
