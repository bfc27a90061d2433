from django.utils import timezone
from django_tasks import task

from inhouse.desk.services.sweep import sweep_breaches, sweep_warnings


@task()
def sweep_clocks() -> dict[str, int]:
    """Warn on clocks at risk and mark overdue ones breached; the worker runs this every minute.

    The clocks are claimed in ``inhouse.sla.services``; the desk, which owns the
    history and the notices, records what the claims found.
    """
    now = timezone.now()
    return {"warned": sweep_warnings(now=now), "breached": sweep_breaches(now=now)}
