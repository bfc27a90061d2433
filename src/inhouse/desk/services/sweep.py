"""What the worker's SLA sweep finds, recorded: breaches in the history, warnings as notices.

The clocks are claimed by ``inhouse.sla.services`` with conditional UPDATEs; each
claim and what it records share one transaction, so a crash between them leaves
the clock to the next sweep rather than breached without a record.
"""

from datetime import datetime

from django.db import transaction

from inhouse.desk import events
from inhouse.desk.models import Request
from inhouse.desk.services import notifications
from inhouse.sla import services as clocks


def sweep_breaches(*, now: datetime) -> int:
    """Mark every running clock past its due time as breached, once; returns how many.

    Safe to run from several workers at once: only the worker whose claim matched
    records the breach and tells the lead.
    """
    marked = 0
    for overdue in clocks.overdue_clocks(now=now):
        with transaction.atomic():
            # The request is locked first, as every service does before its clocks, so
            # the breach takes the next place in its history and the locks never cross.
            request = Request.objects.select_for_update(of=("self",)).get(pk=overdue.request_id)
            breach = clocks.claim_breach(overdue)
            if breach is None:
                continue
            events.record(
                request,
                events.breached(
                    request_id=breach.request_id, at=now, clock=breach.clock, due_at=breach.due_at
                ),
            )
            events.save_chain_head(request)
            notifications.notify_breached(request, clock=breach.clock)
        marked += 1
    return marked


def sweep_warnings(*, now: datetime) -> int:
    """Warn the people working a request, once per clock, when it enters its at-risk share."""
    warned = 0
    for at_risk in clocks.clocks_entering_risk(now=now):
        with transaction.atomic():
            if not clocks.claim_warning(at_risk, now=now):
                continue
            notifications.notify_at_risk(
                Request.objects.get(pk=at_risk.request_id), clock=at_risk.clock
            )
        warned += 1
    return warned
