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
