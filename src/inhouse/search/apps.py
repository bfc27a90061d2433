from django.apps import AppConfig


class SearchConfig(AppConfig):
    """One full-text search over every kind of thing, filtered by the permission policy."""

    name = "inhouse.search"
    label = "search"
    verbose_name = "Search"
