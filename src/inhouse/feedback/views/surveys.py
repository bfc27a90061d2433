"""Relationship surveys on the web: a lead's rounds and results, and the answer page.

A lead's pages sit among their team's pages (``/catalog/manage/<team>/surveys/``) and
answer 404 to anyone who cannot manage the team. The answer page
(``/surveys/<id>/``) needs a signed-in invitee: opening it mints the one-use token
the form carries (``services.open_invitation``); posting the form hands only that
token and the answers to ``services.answer_survey``, which never learns who sent them.
"""

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.feedback.models.surveys import (
    MAX_OWN_QUESTIONS,
    RECOMMEND_MAX,
    RECOMMEND_MIN,
    SCORE_MAX,
    SCORE_MIN,
    QuestionKind,
    Survey,
)
from inhouse.feedback.selectors.surveys import (
    invitation_for,
    invitations_of,
    min_group_size,
    survey_results,
    surveys_of_team,
    team_choices,
    teams_surveyed_by,
)
from inhouse.feedback.services.surveys import (
    AlreadyAnswered,
    OwnQuestion,
    SurveyNotOpen,
    answer_survey,
    customer_teams_in_period,
    open_invitation,
    schedule_survey,
)
from inhouse.org.models import Team
from inhouse.org.selectors import get_team
from inhouse.pages import not_found_as_404, refused_as_404, viewer_or_404
from inhouse.sla.forms import add_service_errors

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFAULT_OPEN_DAYS = 14
BY_PERIOD, BY_TEAMS = "period", "teams"
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SurveyForm(forms.Form):
    """What a lead types to schedule a round; the rules live in ``schedule_survey``."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=DATE_INPUT)
    closes_on = forms.DateField(
        label=gettext_lazy("Closes after"),
        widget=DATE_INPUT,
        help_text=gettext_lazy(
            "Answers are taken through the end of this day; one reminder goes out half way."
        ),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Who is asked"),
        choices=[
            (BY_PERIOD, gettext_lazy("The teams that filed requests to us in a period")),
            (BY_TEAMS, gettext_lazy("The teams I choose")),
        ],
        widget=forms.RadioSelect,
        initial=BY_PERIOD,
    )
    audience_from = forms.DateField(
        label=gettext_lazy("Requests filed from"), widget=DATE_INPUT, required=False
    )
    audience_to = forms.DateField(
        label=gettext_lazy("Requests filed until"), widget=DATE_INPUT, required=False
    )
    customer_teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Customer teams"),
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer_teams"].queryset = team_choices().exclude(pk=team.pk)  # type: ignore[attr-defined]
        for number in range(1, MAX_OWN_QUESTIONS + 1):
            self.fields[f"own_prompt_{number}"] = forms.CharField(
                label=_("Your question %(number)s") % {"number": number},
                max_length=300,
                required=False,
            )
            self.fields[f"own_kind_{number}"] = forms.ChoiceField(
                label=_("Answered with"),
                choices=QuestionKind.choices,
                initial=QuestionKind.SCORE,
            )

    def own_question_pairs(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"own_prompt_{number}"], self[f"own_kind_{number}"])
            for number in range(1, MAX_OWN_QUESTIONS + 1)
        ]

    def own_questions(self) -> list[OwnQuestion]:
        return [
            OwnQuestion(prompt=prompt, kind=self.cleaned_data[f"own_kind_{number}"])
            for number in range(1, MAX_OWN_QUESTIONS + 1)
            if (prompt := self.cleaned_data.get(f"own_prompt_{number}", "").strip())
        ]


def _score_field(
    label: "StrOrPromise", low: int, high: int, required: bool = True
) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(value, str(value)) for value in range(low, high + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        required=required,
        empty_value=None,
    )


class AnswerForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)
    recommend = _score_field(
        gettext_lazy(
            "How likely are you to recommend this team to a colleague? (0 not at all, 10 extremely)"
        ),
        RECOMMEND_MIN,
        RECOMMEND_MAX,
    )
    timeliness = _score_field(gettext_lazy("Timeliness: they deliver when they said"), 1, 5)
    quality = _score_field(gettext_lazy("Quality: what they deliver is right"), 1, 5)
    communication = _score_field(
        gettext_lazy("Communication: they keep me informed, clearly"), 1, 5
    )
    ease_of_asking = _score_field(
        gettext_lazy("Ease of asking: I know how to ask them for what I need"), 1, 5
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything else they should hear?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.own_names: list[tuple[int, str]] = []
        for question in survey.own_questions.all():
            name = f"own_{question.pk}"
            self.own_names.append((question.pk, name))
            if question.kind == QuestionKind.SCORE:
                self.fields[name] = _score_field(question.prompt, SCORE_MIN, SCORE_MAX, False)
            else:
                self.fields[name] = forms.CharField(
                    label=question.prompt,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    required=False,
                    max_length=2000,
                )

    def own_answers(self) -> dict[int, int | str]:
        return {
            pk: self.cleaned_data[name]
            for pk, name in self.own_names
            if self.cleaned_data.get(name) not in (None, "")
        }


# --- a lead's pages ----------------------------------------------------------------


def _managed_team(viewer: policy.Viewer, team_slug: str) -> Team:
    with not_found_as_404():
        team = get_team(team_slug, include_inactive=True)
        if not policy.can_manage_team(viewer, team):
            raise Http404
        return team


def _initial(viewer: policy.Viewer) -> dict[str, Any]:
    today = timezone.now().astimezone(ZoneInfo(viewer.person.timezone)).date()
    return {
        "opens_on": today,
        "closes_on": today + timedelta(days=DEFAULT_OPEN_DAYS),
        "audience_from": today - timedelta(days=90),
        "audience_to": today,
        "audience": BY_PERIOD,
    }


@login_required
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest, team_slug: str) -> HttpResponse:
    """A team's survey rounds, with their net promoter scores, and the form for the next."""
    viewer = viewer_or_404(request)
    team = _managed_team(viewer, team_slug)
    if request.method == "POST":
        form = SurveyForm(request.POST, team=team)
        if form.is_valid():
            by_period = form.cleaned_data["audience"] == BY_PERIOD
            try:
                with refused_as_404():
                    survey = schedule_survey(
                        actor=viewer.person,
                        team=team,
                        title=form.cleaned_data["title"],
                        opens_on=form.cleaned_data["opens_on"],
                        closes_on=form.cleaned_data["closes_on"],
                        customer_team_ids=[]
                        if by_period
                        else [t.pk for t in form.cleaned_data["customer_teams"]],
                        audience_from=form.cleaned_data["audience_from"] if by_period else None,
                        audience_to=form.cleaned_data["audience_to"] if by_period else None,
                        own_questions=form.own_questions(),
                    )
            except InvalidInput as exc:
                add_service_errors(form, exc.fields, exc.message)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is scheduled; invitations go out when it opens.")
                    % {"title": survey.title},
                )
                return redirect("surveys:list", team_slug=team.slug)
    else:
        form = SurveyForm(team=team, initial=_initial(viewer))
    with not_found_as_404():
        rows = surveys_of_team(viewer, team)
    return render(
        request,
        "feedback/surveys/list.html",
        {"team": team, "rows": rows, "form": form, "minimum": min_group_size()},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def audience_preview(request: HttpRequest, team_slug: str) -> HttpResponse:
    """The customer teams a period would ask (htmx, while the lead picks the dates)."""
    viewer = viewer_or_404(request)
    team = _managed_team(viewer, team_slug)
    teams: list[Team] = []
    try:
        start = date.fromisoformat(request.GET.get("audience_from", ""))
        end = date.fromisoformat(request.GET.get("audience_to", ""))
    except ValueError:
        start = end = None  # type: ignore[assignment]
    if start and end and start <= end:
        teams = customer_teams_in_period(team=team, start=start, end=end)
    return render(
        request,
        "feedback/surveys/partials/audience_preview.html",
        {"teams": teams, "valid": bool(start and end and start <= end)},
    )


@login_required
@require_GET
def survey_results_page(request: HttpRequest, team_slug: str, pk: int) -> HttpResponse:
    viewer = viewer_or_404(request)
    team = _managed_team(viewer, team_slug)
    with not_found_as_404():
        results = survey_results(viewer, team, pk)
    return render(request, "feedback/surveys/results.html", {"team": team, "results": results})


# --- the invitee's pages -------------------------------------------------------------


@login_required
@require_GET
def my_surveys(request: HttpRequest) -> HttpResponse:
    """The surveys the signed-in person is asked to answer, and for a lead the way to
    the survey rounds of each team they lead."""
    viewer = viewer_or_404(request)
    return render(
        request,
        "feedback/surveys/mine.html",
        {"invitations": invitations_of(viewer.person), "led_teams": teams_surveyed_by(viewer)},
    )


def _answer_page(
    request: HttpRequest,
    *,
    survey: Survey,
    form: AnswerForm | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "feedback/surveys/answer.html",
        {"survey": survey, "form": form, "refusal": refusal},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer a survey once. Opening the page mints the form's one-use token, as a
    sign-in form gets a CSRF token: it gives no rights beyond the invitation."""
    viewer = viewer_or_404(request)
    with not_found_as_404():
        state = invitation_for(viewer.person, pk)
    survey = state.survey
    if request.method == "GET":
        try:
            opened = open_invitation(actor=viewer.person, survey_id=survey.pk)
        except (AlreadyAnswered, SurveyNotOpen) as exc:
            return _answer_page(request, survey=survey, refusal=exc.message)
        form = AnswerForm(survey=survey, initial={"token": opened.token})
        return _answer_page(request, survey=survey, form=form)
    form = AnswerForm(request.POST, survey=survey)
    if not form.is_valid():
        return _answer_page(request, survey=survey, form=form, status=400)
    data = form.cleaned_data
    try:
        answer_survey(
            token=data["token"],
            recommend=data["recommend"],
            timeliness=data["timeliness"],
            quality=data["quality"],
            communication=data["communication"],
            ease_of_asking=data["ease_of_asking"],
            comment=data["comment"],
            own_answers=form.own_answers(),
        )
    except (AlreadyAnswered, SurveyNotOpen) as exc:
        return _answer_page(request, survey=survey, refusal=exc.message, status=409)
    except NotFound as exc:
        return _answer_page(request, survey=survey, refusal=exc.message, status=400)
    except InvalidInput as exc:
        add_service_errors(form, exc.fields, exc.message)
        return _answer_page(request, survey=survey, form=form, status=400)
    messages.success(
        request,
        _(
            "Thank you. Your answer is recorded without your name; %(team)s sees it only "
            "together with others'."
        )
        % {"team": survey.provider_team.name},
    )
    return redirect(reverse("surveys:mine"))
