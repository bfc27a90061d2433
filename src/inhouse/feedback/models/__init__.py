"""The feedback tables, one module per topic; imported here so Django finds them."""

from inhouse.feedback.models.followups import FollowUp, FollowUpOptOut  # noqa: F401
