"""Background work of the desk: thin and idempotent."""

from django.utils import timezone
from django_tasks import task

from inhouse.desk.models import Notification

# Notices marked delivered per statement: a backlog (a worker stopped for a day) is
# worked through in short write transactions, never one that holds the lock for long.
DELIVERY_BATCH = 500


@task()
def deliver_notifications() -> int:
    """Deliver in the app every notice not yet delivered; returns how many.

    Changes queue it once committed (``core.task_queue.enqueue_once_committed``), one
    run for all the changes that commit before it starts. Each notice is claimed
    with a conditional UPDATE, so overlapping or repeated runs deliver nothing twice.
    """
    delivered = 0
    while True:
        waiting = list(
            Notification.objects.filter(delivered_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:DELIVERY_BATCH]
        )
        if waiting:
            delivered += Notification.objects.filter(
                pk__in=waiting, delivered_at__isnull=True
            ).update(delivered_at=timezone.now())
        # A short batch was the last: notices written meanwhile have queued a run.
        if len(waiting) < DELIVERY_BATCH:
            return delivered


@task()
def remove_expired_cases() -> int:
    """Remove confidential cases past their retention period; the worker queues this daily.

    Idempotent: a case removed once is no longer a candidate, and each removal
    re-checks its case under a lock, so overlapping runs remove and audit it once.
    """
    # Imported here: the desk's services import this module to queue deliveries.
    from inhouse.desk.services.retention import apply_retention

    return len(apply_retention(now=timezone.now(), door="worker"))
