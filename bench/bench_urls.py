"""Inhouse's URLs plus every floor view of ``inhouse.ops.bench``."""

from inhouse.ops.bench import urlpatterns as floor_patterns
from inhouse.urls import handler403, handler404, handler500
from inhouse.urls import urlpatterns as site_patterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [*site_patterns, *floor_patterns]
