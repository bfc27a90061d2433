"""Background work for kudos and training: thin, idempotent wrappers the worker queues
(the digest weekly, the reminders hourly)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from inhouse.feedback.services.kudos import send_weekly_kudos_digests, week_starting
from inhouse.feedback.services.training import send_training_reminders


@task()
def send_kudos_digests() -> int:
    """Each manager's digest of last week's kudos to their sharing reports; returns how
    many were written. Run again in the same week, it writes none."""
    last_week = week_starting(timezone.now().date() - timedelta(days=7))
    return send_weekly_kudos_digests(week_start=last_week)


@task()
def remind_training_signups() -> int:
    """Remind those signed up for a session starting soon; each sign-up once."""
    return send_training_reminders(now=timezone.now())
