"""The feedback tables, one module per topic; imported here so Django finds them."""

from inhouse.feedback.models.followups import FollowUp, FollowUpOptOut  # noqa: F401
from inhouse.feedback.models.kudos import Kudos, KudosDigest, KudosSetting, TeamKudosSetting  # noqa: F401
from inhouse.feedback.models.ratings import (
    ClarityRating,  # noqa: F401
    Rating,  # noqa: F401
)
from inhouse.feedback.models.surveys import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion  # noqa: F401
from inhouse.feedback.models.training import TrainingSession, TrainingSignup  # noqa: F401
