"""Background work of feedback: thin, idempotent, taking ids."""

from django.utils import timezone
from django_tasks import task

from inhouse.feedback.services.surveys import send_due_survey_notices


@task()
def send_survey_notices() -> dict[str, int]:
    """Send the survey invitations and reminders that are due; the worker queues this
    every minute. Each survey's sending is claimed with a conditional UPDATE, so a
    retried or doubled run sends nothing twice."""
    return send_due_survey_notices(now=timezone.now())
