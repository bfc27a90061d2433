"""The knowledge tables, one module per topic; imported here so Django finds them."""

from inhouse.knowledge.models import ideas  # noqa: F401
from inhouse.knowledge.models.articles import (  # noqa: F401
    Article,
    ArticleRevision,
    ArticleStatus,
    ArticleViewFromForm,
    ArticleVote,
    Deflection,
)
