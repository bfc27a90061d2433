"""The requester answers a follow-up, or turns them off, from the request's page.

Plain POSTs that redirect back to the request's page, where the answer (or the
refusal, as a message) shows; a request the viewer may not see is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inhouse.core.errors import DomainError, InvalidInput
from inhouse.core.ids import database_id
from inhouse.desk.models import Request
from inhouse.desk.selectors import get_request_for
from inhouse.desk.services.followups import answer_follow_up
from inhouse.feedback.services.followups import turn_off_follow_ups
from inhouse.pages import not_found_as_404, viewer_or_404


def _back_to(found: Request) -> HttpResponse:
    return redirect(reverse("portal:request", kwargs={"reference": found.reference}) + "#follow-up")


@login_required
@require_POST
def answer(request: HttpRequest, reference: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    with not_found_as_404():
        found = get_request_for(viewer, reference)
    follow_up_id = database_id(request.POST.get("follow_up", ""))
    try:
        with not_found_as_404():
            if follow_up_id is None:
                raise InvalidInput("Choose the follow-up you answer.")
            answered = answer_follow_up(
                actor=viewer.person,
                request=found,
                follow_up_id=follow_up_id,
                still_working=request.POST.get("still_working", ""),
                made_possible=request.POST.get("made_possible", ""),
                problem=request.POST.get("problem", ""),
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if answered.reopened:
            messages.success(
                request, _("Thank you. %(reference)s is reopened.") % {"reference": reference}
            )
        else:
            messages.success(request, _("Thank you for your answer."))
    return _back_to(found)


@login_required
@require_POST
def turn_off(request: HttpRequest, reference: str) -> HttpResponse:
    viewer = viewer_or_404(request)
    with not_found_as_404():
        found = get_request_for(viewer, reference)
    try:
        with not_found_as_404():
            turn_off_follow_ups(actor=viewer.person, request=found)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You will not be asked about this request any more."))
    return _back_to(found)
