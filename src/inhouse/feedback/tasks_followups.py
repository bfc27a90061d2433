"""Background work of the follow-ups: thin and idempotent."""

from django.utils import timezone
from django_tasks import task

from inhouse.feedback.services.followups import send_due_follow_ups


@task()
def send_follow_ups() -> int:
    """Ask the requesters whose follow-ups are due; the worker queues this every minute.

    Each follow-up is claimed with a conditional UPDATE, so two workers running this
    at once ask nobody twice. Returns how many were asked.
    """
    return send_due_follow_ups(now=timezone.now())
