"""Background work of the desk: thin, idempotent, taking ids."""

from django.utils import timezone
from django_tasks import task

from inhouse.desk.models import Notification


@task()
def deliver_notifications(notification_ids: list[int]) -> int:
    """Deliver notices in the app once their change has committed; returns how many.

    Each notice is claimed with a conditional UPDATE, so a retried or duplicated
    task delivers nothing twice.
    """
    return Notification.objects.filter(pk__in=notification_ids, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )


@task()
def remove_expired_cases() -> int:
    """Remove confidential cases past their retention period; the worker queues this daily.

    Idempotent: a case removed once is no longer a candidate, and each removal
    re-checks its case under a lock, so overlapping runs remove and audit it once.
    """
    # Imported here: the desk's services import this module to queue deliveries.
    from inhouse.desk.services.retention import apply_retention

    return len(apply_retention(now=timezone.now(), door="worker"))
