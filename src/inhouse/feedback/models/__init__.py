"""The feedback tables, one module per topic; imported here so Django finds them."""

from inhouse.feedback.models.ratings import ClarityRating, Rating  # noqa: F401
