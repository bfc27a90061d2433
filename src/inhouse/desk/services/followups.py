"""A requester answers a follow-up: the answer is feedback's, a reopening the desk's.

Feedback records the answer (``inhouse.feedback.services.followups``) and says whether
it asks to reopen the request; reopening is a change of the request's life, so it goes
through the desk's one transition service, in the same transaction as the answer: an
answer is never stored as having reopened a request that stayed resolved.
"""

import logging

from django.db import transaction

from inhouse.desk.models import Request, Status
from inhouse.desk.services.lifecycle import transition_request
from inhouse.feedback.models.followups import FollowUp
from inhouse.feedback.services import followups
from inhouse.org.models import Person

logger = logging.getLogger(__name__)


def answer_follow_up(
    *,
    actor: Person,
    request: Request,
    follow_up_id: int,
    still_working: str,
    made_possible: str = "",
    problem: str = "",
) -> FollowUp:
    """Store the requester's answer to a follow-up they were asked, in the history too.

    "Not working any more" (``no``) reopens a resolved request through
    ``transition_request``, with ``problem`` (or a sentence saying so) as the reply, even
    after the requester's usual reopen window: the team asked. A closed request stays
    closed (closing is final in the lifecycle); the answer is stored all the same.
    """
    answer = followups.check_follow_up_answer(
        actor=actor,
        request=request,
        still_working=still_working,
        made_possible=made_possible,
        problem=problem,
    )
    with transaction.atomic():
        recorded = followups.record_follow_up_answer(answer, follow_up_id=follow_up_id)
        if recorded.reopen_with is not None:
            transition_request(
                actor=actor,
                request=recorded.request,
                to=Status.IN_PROGRESS,
                comment=recorded.reopen_with,
                follow_up_reopen=True,
            )
    logger.info("follow-up %s of request %s answered", recorded.follow_up.pk, recorded.request.pk)
    return recorded.follow_up
