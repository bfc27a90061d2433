"""Feedback's part of erasing a person (``inhouse.desk.services.erasure``).

The desk runs it inside its erasure's transaction, before it rewrites the person's
name and address wherever they are quoted (which covers these tables too). What
this part does, and why:

- their survey invitations, always: an invitation they can still use (its survey
  not yet closed, not answered) is deleted, since a token minted for it would
  otherwise still answer without a login; the others stay, with their token digest
  cleared, so a round's number of people invited does not move. What stays ties
  only the pseudonym to having been invited (and having answered, ``used``), which
  is all an invitation ever said: answers name nobody and are left as they are;
- with ``include_text``, the words they wrote: the comments of the ratings they
  gave, the messages of the kudos they sent, and their answers to follow-ups
  ("what did this make possible?", "what stopped working?"). Scores, the still-
  working choice and every time stay, so CSAT and the follow-up figures do not move.

A clarity rating has no words (a score and the obligations' keys) and a training
session's rating is a number, so neither has anything to replace; sessions and
surveys a lead wrote are their team's, and keep their words.
"""

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from inhouse.feedback.models import FollowUp, Kudos, Rating, SurveyInvitation
from inhouse.org.models import Person


def _invitations_still_usable(person: Person) -> models.QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(
        person=person, used=False, survey__closes_at__gt=timezone.now()
    )


def _invitations_with_a_token(person: Person) -> models.QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.filter(person=person, token_hash__isnull=False)


def _rating_comments(person: Person, replacement: str) -> models.QuerySet[Rating]:
    return Rating.objects.filter(rated_by=person).exclude(comment="").exclude(comment=replacement)


def _kudos_messages(person: Person, replacement: str) -> models.QuerySet[Kudos]:
    return Kudos.objects.filter(sender=person).exclude(message=replacement)


def _follow_up_answers(person: Person, replacement: str) -> models.QuerySet[FollowUp]:
    words_left = (~Q(made_possible="") & ~Q(made_possible=replacement)) | (
        ~Q(problem="") & ~Q(problem=replacement)
    )
    return FollowUp.objects.filter(words_left, answered_by=person)


class FeedbackErasure:
    """The erasure step the feedback app registers (see the module's docstring)."""

    def plan(self, person: Person, *, include_text: bool, replacement: str) -> dict[str, int]:
        usable = _invitations_still_usable(person)
        planned = {
            "survey invitations removed": usable.count(),
            "survey invitations unlinked from their token": _invitations_with_a_token(person)
            .exclude(pk__in=usable.values("pk"))
            .count(),
        }
        if include_text:
            planned |= {
                "rating comments replaced": _rating_comments(person, replacement).count(),
                "kudos messages replaced": _kudos_messages(person, replacement).count(),
                "follow-up answers replaced": _follow_up_answers(person, replacement).count(),
            }
        return planned

    def erase(self, person: Person, *, include_text: bool, replacement: str) -> dict[str, int]:
        removed, _ = _invitations_still_usable(person).delete()
        erased = {
            "survey invitations removed": removed,
            "survey invitations unlinked from their token": _invitations_with_a_token(
                person
            ).update(token_hash=None),
        }
        if include_text:
            erased |= {
                "rating comments replaced": _rating_comments(person, replacement).update(
                    comment=replacement
                ),
                "kudos messages replaced": _kudos_messages(person, replacement).update(
                    message=replacement
                ),
                "follow-up answers replaced": _replace_follow_up_answers(person, replacement),
            }
        return erased

    def index_again(self, rewritten: dict[str, list[Any]]) -> None:
        """Search finds no feedback table: nothing to index again."""


def _replace_follow_up_answers(person: Person, replacement: str) -> int:
    """Each of their answers' texts that holds words becomes ``replacement``; an empty
    one stays empty, so the page still tells an answer with words from one without."""
    answers = list(_follow_up_answers(person, replacement).only("made_possible", "problem"))
    for answer in answers:
        answer.made_possible = replacement if answer.made_possible else ""
        answer.problem = replacement if answer.problem else ""
    FollowUp.objects.bulk_update(answers, ["made_possible", "problem"])
    return len(answers)
