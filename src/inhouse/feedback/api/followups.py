"""A request's follow-ups over HTTP: read them, answer one, turn them off.

Mounted under ``/requests`` beside the desk's router; the request is found through
the desk's selector, so one the caller may not see is a 404 here as everywhere.
"""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from inhouse import policy
from inhouse.core.schemas import ErrorOut, StrictSchema
from inhouse.desk.audit import AuditDoor, record_confidential_view
from inhouse.desk.models import Request
from inhouse.desk.selectors import get_request_for
from inhouse.desk.services import followups as desk_followups
from inhouse.feedback.models.followups import FollowUp
from inhouse.feedback.selectors.followups import follow_ups_of, follow_ups_turned_off
from inhouse.feedback.services import followups
from inhouse.org.auth import CallerRequest

router = Router(tags=["follow-ups"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut}


class FollowUpOut(Schema):
    id: int
    step: str = Field(description="The cadence step after resolution: 2d, 2w, 2m")
    status: str = Field(description="scheduled, sent (asked), answered, cancelled or skipped")
    resolved_at: datetime = Field(description="The resolution this follow-up follows")
    due_at: datetime
    sent_at: datetime | None
    answered_at: datetime | None
    still_working: str = Field(description="yes, partly or no; empty until answered")
    made_possible: str
    problem: str
    reopened: bool = Field(description="Whether the answer reopened the request")


class FollowUpsOut(Schema):
    turned_off: bool = Field(description="The requester turned this request's follow-ups off")
    items: list[FollowUpOut]


class FollowUpAnswerIn(StrictSchema):
    follow_up: int = Field(description="The id of a follow-up you were asked (status sent)")
    still_working: Literal["yes", "partly", "no"] = Field(
        description="Is it still working? ``no`` reopens a resolved request"
    )
    made_possible: str = Field("", max_length=followups.MAX_ANSWER_TEXT)
    problem: str = Field(
        "", max_length=followups.MAX_ANSWER_TEXT, description="What stopped working"
    )


def _out(request: Request) -> FollowUpsOut:
    return FollowUpsOut(
        turned_off=follow_ups_turned_off(request),
        items=[_item(row) for row in follow_ups_of(request)],
    )


def _item(row: FollowUp) -> FollowUpOut:
    return FollowUpOut.model_validate(row, from_attributes=True)


@router.get("/{reference}/follow-ups", response={200: FollowUpsOut, **READ_ERRORS})
def list_follow_ups(request: CallerRequest, reference: str) -> FollowUpsOut:
    """The check-ins of the request after its resolutions, with the requester's answers."""
    viewer = policy.viewer_for(request.auth)
    found = get_request_for(viewer, reference)
    record_confidential_view(viewer, found, door=AuditDoor.API, what="read the follow-ups of")
    return _out(found)


@router.post("/{reference}/follow-ups", response={200: FollowUpOut, **WRITE_ERRORS})
def answer_follow_up(
    request: CallerRequest, reference: str, payload: FollowUpAnswerIn
) -> FollowUpOut:
    """Answer a follow-up you were asked about your request; once per follow-up (409 after).

    ``"still_working": "no"`` reopens a resolved request, even past the usual reopen window.
    """
    found = get_request_for(request.auth, reference)
    answered = desk_followups.answer_follow_up(
        actor=request.auth,
        request=found,
        follow_up_id=payload.follow_up,
        still_working=payload.still_working,
        made_possible=payload.made_possible,
        problem=payload.problem,
    )
    return _item(answered)


@router.post("/{reference}/follow-ups/turn-off", response={200: FollowUpsOut, **WRITE_ERRORS})
def turn_off_follow_ups(request: CallerRequest, reference: str) -> FollowUpsOut:
    """No more follow-ups on this request, also after a later resolution (requester only)."""
    found = get_request_for(request.auth, reference)
    followups.turn_off_follow_ups(actor=request.auth, request=found)
    return _out(found)
