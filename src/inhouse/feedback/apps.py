from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Feedback both ways: ratings, clarity, relationship surveys, follow-ups, kudos, training."""

    name = "inhouse.feedback"
    label = "feedback"
    verbose_name = "Feedback"
