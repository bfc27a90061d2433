from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    """Self-help and shared improvement: knowledge articles and the ideas forum."""

    name = "inhouse.knowledge"
    label = "knowledge"
    verbose_name = "Knowledge"

    def ready(self) -> None:
        # Erasing a person reaches this app's tables through its own step: the desk
        # must not import the apps above it (docs/privacy.md).
        from inhouse.desk.services.erasure import register_erasure_step
        from inhouse.knowledge.services.erasure import KnowledgeErasure

        register_erasure_step(self.label, KnowledgeErasure())
