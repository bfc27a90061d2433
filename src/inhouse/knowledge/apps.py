from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """Self-help and shared improvement: knowledge articles and the ideas forum."""

    name = "inhouse.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge"
