"""The feedback tables, one module per topic; imported here so Django finds them."""

from inhouse.feedback.models.surveys import Survey, SurveyAnswer, SurveyInvitation, SurveyQuestion  # noqa: F401
