"""Relationship surveys: a provider team asks its customer teams how well it serves them.

Anonymity is a property of these tables, not only of the pages that read them:

- ``SurveyInvitation`` knows *who* was invited and whether they have answered
  (``used``), and nothing of *what* they answered: no answer, no answer id, no time.
  Its token is stored only as a SHA-256 digest, minted when the person opens the
  survey; the raw token lives only in that person's browser.
- ``SurveyAnswer`` knows *what* was answered and for which customer team, and
  nothing of *who*: no person, no token, no invitation, no timestamp, and a random
  primary key, so neither a time nor an insertion order lines an answer up with
  the moment someone was seen answering.
"""

import uuid
from datetime import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inhouse.org.models import Person, Team

RECOMMEND_MIN, RECOMMEND_MAX = 0, 10
SCORE_MIN, SCORE_MAX = 1, 5
MAX_OWN_QUESTIONS = 3


class Survey(models.Model):
    """One round of a provider team's relationship survey.

    Invitations go out at ``opens_at``, one reminder at ``remind_at`` to those who
    have not answered, and answers are taken until ``closes_at``. The customer
    teams are fixed when the survey is scheduled; their people are invited when it
    opens. ``audience_from``/``audience_to`` record the period whose requests chose
    the teams, when the lead chose them that way.
    """

    provider_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        Person, null=True, on_delete=models.SET_NULL, related_name="surveys_created"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opens_at = models.DateTimeField()
    remind_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    audience_from = models.DateField(null=True, blank=True)
    audience_to = models.DateField(null=True, blank=True)
    customer_teams = models.ManyToManyField(Team, related_name="surveys_answered_for")
    # Set once, by the worker run that claimed the sending (a conditional UPDATE).
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lte=models.F("remind_at"))
                & Q(remind_at__lte=models.F("closes_at"))
                & Q(opens_at__lt=models.F("closes_at")),
                name="survey_dates_in_order",
            )
        ]
        indexes = [models.Index(fields=["provider_team", "-opens_at"], name="survey_team_rounds")]

    def __str__(self) -> str:
        return self.title

    def is_open_at(self, moment: datetime) -> bool:
        return self.opens_at <= moment < self.closes_at

    def is_closed_at(self, moment: datetime) -> bool:
        return moment >= self.closes_at


class QuestionKind(models.TextChoices):
    SCORE = "score", _("A score from 1 to 5")
    TEXT = "text", _("Free text")


class SurveyQuestion(models.Model):
    """A question of the lead's own, asked after the standard ones (at most three)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="own_questions")
    position = models.PositiveSmallIntegerField()
    prompt = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)

    class Meta:
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "position"], name="survey_question_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.prompt


class SurveyInvitation(models.Model):
    """One person's right to answer one survey once; it never holds their answer."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="survey_invitations")
    # The customer team their answer counts for (a person in several: the first of theirs).
    customer_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    # SHA-256 of the one-use token last minted for this invitation; kept once used, so
    # the same link a second time is recognised and refused in words.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    used = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "person"], name="survey_invitation_unique_person"
            )
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.survey_id} for {self.person_id}"


class SurveyAnswer(models.Model):
    """One anonymous answer: the scores and words, and the customer team they count for."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    customer_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    recommend = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(RECOMMEND_MIN), MaxValueValidator(RECOMMEND_MAX)]
    )
    timeliness = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    quality = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    communication = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    ease_of_asking = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    comment = models.TextField(blank=True)
    # The answers to the lead's own questions: {question id (as text): score or text}.
    own_answers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(recommend__gte=RECOMMEND_MIN) & Q(recommend__lte=RECOMMEND_MAX),
                name="survey_answer_recommend_range",
            ),
            models.CheckConstraint(
                condition=Q(timeliness__gte=SCORE_MIN)
                & Q(timeliness__lte=SCORE_MAX)
                & Q(quality__gte=SCORE_MIN)
                & Q(quality__lte=SCORE_MAX)
                & Q(communication__gte=SCORE_MIN)
                & Q(communication__lte=SCORE_MAX)
                & Q(ease_of_asking__gte=SCORE_MIN)
                & Q(ease_of_asking__lte=SCORE_MAX),
                name="survey_answer_driver_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.survey_id}"
