"""Reads of a request's follow-ups. The caller has found the request through the desk's
selectors (``get_request_for``), which decided whether the reader may see it at all."""

from dataclasses import dataclass

from django.db.models import QuerySet

from inhouse.catalog.models import follow_up_step_text
from inhouse.desk.models import Request
from inhouse.feedback.models.followups import FollowUp, FollowUpOptOut, FollowUpStatus


def follow_ups_of(request: Request) -> QuerySet[FollowUp]:
    """Every follow-up of the request, each round in due order, oldest round first."""
    return FollowUp.objects.filter(request_id=request.pk).order_by("due_at", "id")


def follow_ups_turned_off(request: Request) -> bool:
    return FollowUpOptOut.objects.filter(request_id=request.pk).exists()


@dataclass(frozen=True)
class FollowUpPanel:
    """What the request's page shows of its follow-ups."""

    # The newest check-in the requester was asked and has not answered.
    open: FollowUp | None
    answered: list[FollowUp]
    # Still to come after this resolution.
    upcoming: list[FollowUp]
    turned_off: bool

    @property
    def shown(self) -> bool:
        return bool(self.open or self.answered or self.upcoming)

    @property
    def open_step_text(self) -> str:
        return follow_up_step_text(self.open.step) if self.open else ""


def follow_up_panel(request: Request) -> FollowUpPanel:
    """The follow-ups as the request's page shows them, in two queries."""
    rows = list(follow_ups_of(request))
    asked = [row for row in rows if row.status == FollowUpStatus.SENT]
    return FollowUpPanel(
        open=asked[-1] if asked else None,
        answered=[row for row in rows if row.status == FollowUpStatus.ANSWERED],
        upcoming=[row for row in rows if row.status == FollowUpStatus.SCHEDULED],
        turned_off=follow_ups_turned_off(request),
    )
