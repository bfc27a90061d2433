"""Rating a request from its pages: the requester on the portal's request page, an agent
(clarity) on the workspace's.

Both panels sit among the page's actions, whose controls belong to the page's reply
form (``inhouse.desk.views.drafts`` says why), so without JavaScript a rating's POST
carries the reply typed on the page and the redirect puts it back. With htmx the
answer is the panel alone, swapped out of band, and the reply box is never touched.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from inhouse import policy
from inhouse.core.errors import DomainError
from inhouse.desk.models import Request
from inhouse.desk.selectors import get_request_for
from inhouse.desk.views.drafts import keep_drafts, posted_drafts
from inhouse.desk.views.workspace.request_page import DRAFT_FIELDS
from inhouse.feedback.models.ratings import HIGHEST_SCORE, LOWEST_SCORE
from inhouse.feedback.selectors.ratings import provider_rating_panel, requester_rating_panel
from inhouse.feedback.services.ratings import MAX_RATING_COMMENT, rate_clarity, rate_request
from inhouse.pages import not_found_as_404, viewer_or_404, wants_partial

SCORE_CHOICES = [(str(score), str(score)) for score in range(LOWEST_SCORE, HIGHEST_SCORE + 1)]


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=SCORE_CHOICES,
        coerce=int,
        error_messages={"required": gettext_lazy("Choose a score from 1 to 5.")},
    )
    comment = forms.CharField(required=False, max_length=MAX_RATING_COMMENT)


class ClarityForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=SCORE_CHOICES,
        coerce=int,
        error_messages={"required": gettext_lazy("Choose a score from 1 to 5.")},
    )
    # Checked against the request's agreement by the service, which names any stranger.
    missing = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, obligations: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["missing"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(key, key) for key in obligations]


def _problem(form: forms.Form) -> str:
    """The form's complaints as one sentence for the panel or a message."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _visible(viewer: policy.Viewer, reference: str) -> Request:
    with not_found_as_404():
        return get_request_for(viewer, reference)


def _panel_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The panel alone, swapped by its id; the form that sent it swaps nothing itself."""
    response = render(request, template, {**context, "oob": True})
    response["HX-Reswap"] = "none"
    return response


@login_required
@require_POST
def rate(request: HttpRequest, reference: str) -> HttpResponse:
    """The requester's rating from the portal's request page."""
    viewer = viewer_or_404(request)
    found = _visible(viewer, reference)
    form = RatingForm(request.POST, prefix="rating")
    problem = ""
    if form.is_valid():
        try:
            with not_found_as_404():
                rate_request(
                    actor=viewer.person,
                    request=found,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
        except DomainError as exc:
            problem = " ".join(exc.fields.values()) if exc.fields else exc.message
        else:
            messages.success(request, _("Thank you for rating %(reference)s.") % {
                "reference": found.reference
            })  # fmt: skip
    else:
        problem = _problem(form)
    return _after_rating(
        request,
        viewer,
        found,
        problem,
        panel=requester_rating_panel,
        template="feedback/ratings/requester_oob.html",
        page="portal:request#rating",
        drafts=["body"],
    )


@login_required
@require_POST
def rate_clarity_view(request: HttpRequest, reference: str) -> HttpResponse:
    """An agent's clarity rating from the workspace's request page."""
    viewer = viewer_or_404(request)
    found = _visible(viewer, reference)
    obligations = list(found.agreement.customer_obligations) if found.agreement else []
    form = ClarityForm(request.POST, prefix="clarity", obligations=obligations)
    problem = ""
    if form.is_valid():
        try:
            with not_found_as_404():
                rate_clarity(
                    actor=viewer.person,
                    request=found,
                    score=form.cleaned_data["score"],
                    missing_obligations=form.cleaned_data["missing"],
                )
        except DomainError as exc:
            problem = exc.message
        else:
            messages.success(request, _("Clarity of %(reference)s rated.") % {
                "reference": found.reference
            })  # fmt: skip
    else:
        problem = _problem(form)
    return _after_rating(
        request,
        viewer,
        found,
        problem,
        panel=provider_rating_panel,
        template="feedback/ratings/provider_oob.html",
        page="workspace:request#ratings",
        drafts=DRAFT_FIELDS.values(),
    )


def _after_rating(
    request: HttpRequest,
    viewer: policy.Viewer,
    found: Request,
    problem: str,
    *,
    panel: Callable[[policy.Viewer, Request], Any],
    template: str,
    page: str,
    drafts: Iterable[str],
) -> HttpResponse:
    """With htmx the fresh panel (and the problem, if any); otherwise back to ``page``
    ("url-name#anchor") with the problem as a message and the page's drafts kept."""
    if wants_partial(request):
        fresh = _visible(viewer, found.reference)
        return _panel_response(
            request,
            template,
            {"req": fresh, "rating_panel": panel(viewer, fresh), "rating_problem": problem},
        )
    if problem:
        messages.error(request, problem)
    keep_drafts(request, found.pk, posted_drafts(request.POST, drafts))
    name, anchor = page.split("#")
    return redirect(f"{reverse(name, kwargs={'reference': found.reference})}#{anchor}")
