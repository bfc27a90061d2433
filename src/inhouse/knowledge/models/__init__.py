"""The knowledge tables, one module per topic; imported here so Django finds them."""

from inhouse.knowledge.models import ideas  # noqa: F401
