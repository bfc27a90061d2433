from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Feedback both ways: ratings, clarity, relationship surveys, follow-ups, kudos, training."""

    name = "inhouse.feedback"
    label = "feedback"
    verbose_name = "Feedback"

    def ready(self) -> None:
        # Erasing a person reaches this app's tables through its own step: the desk
        # must not import the apps above it (docs/privacy.md).
        from inhouse.desk.services.erasure import register_erasure_step
        from inhouse.feedback.services.erasure import FeedbackErasure

        register_erasure_step(self.label, FeedbackErasure())
