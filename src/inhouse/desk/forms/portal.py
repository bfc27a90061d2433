"""The portal's request form, generated from a service's form definition.

The form only collects and shapes input: the answers are judged by
``submit_request`` (the same check every channel gets), and the errors it
reports by key are put back on the matching fields here. ``required`` is
mirrored into the HTML so a browser can point out a missing answer early.
"""

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from inhouse.catalog.models import FieldKind, FormField, Priority, Service
from inhouse.catalog.priority import Impact, Urgency
from inhouse.core.errors import DomainError
from inhouse.desk.services import MAX_BODY, Upload
from inhouse.org.forms import PEOPLE_SEARCH_URL, PersonChoiceField
from inhouse.org.models import Person, Team

ANSWER_PREFIX = "answer_"
# Keys ``submit_request`` names in its errors for the fixed part of the form.
FIXED_FIELDS = (
    "subject", "description", "priority", "impact", "urgency", "customer_team", "requester",
    "external_ref",
)  # fmt: skip


# The fields of the form a service may leave out (see ``Service.offered_fields``).
STANDARD_FIELDS = ("priority", "impact", "urgency", "customer_team", "external_ref", "requester")


class AnswerField(forms.Field):
    """Passes the raw answer through; ``submit_request`` is the one to validate it."""

    def to_python(self, value: Any) -> Any:
        return value


def _answer_widget(form_field: FormField, html_required: dict[str, bool]) -> forms.Widget:
    """The input for an answer the service validates; people and files have their own."""
    kind = form_field.kind
    if kind == FieldKind.LONG_TEXT:
        return forms.Textarea(attrs={"rows": 4, **html_required})
    if kind == FieldKind.NUMBER:
        limits = {
            name: limit
            for name, limit in (("min", form_field.min_value), ("max", form_field.max_value))
            if limit is not None
        }
        return forms.NumberInput(attrs={"step": "any", **limits, **html_required})
    if kind == FieldKind.DATE:
        return forms.DateInput(attrs={"type": "date", **html_required})
    if kind == FieldKind.CHOICE:
        options = [("", _("Choose…")), *((c, c) for c in form_field.choices)]
        return forms.Select(choices=options, attrs=html_required)
    if kind == FieldKind.MULTI_CHOICE:
        # A required attribute on each box would demand every box; the server says
        # when none is ticked.
        return forms.CheckboxSelectMultiple(choices=[(c, c) for c in form_field.choices])
    if kind == FieldKind.TEAM:
        options = [("", _("Choose a team…"))] + [
            (team.pk, team.name) for team in Team.objects.filter(is_active=True)
        ]
        return forms.Select(choices=options, attrs=html_required)
    return forms.TextInput(attrs=html_required)


class RequestForm(forms.Form):
    """The service's request form: subject and description, the standard fields the
    service offers (``Service.offered_fields``), and its own questions.

    "For whom" is offered only to those who may file for someone else (the
    provider's agents and admins); it is typed and resolved like every person answer.
    """

    subject = forms.CharField(
        label=_("Subject"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"required": True, "autocomplete": "off"}),
        help_text=_("One line that says what you need."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Anything else that helps. Markdown works."),
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, required=False)
    impact = forms.ChoiceField(
        label=_("Impact: who is held up?"),
        choices=Impact.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"required": True}),
    )
    urgency = forms.ChoiceField(
        label=_("Urgency: how soon does it hurt?"),
        choices=Urgency.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"required": True}),
    )
    requester = PersonChoiceField(
        label=_("For whom"),
        required=False,
        help_text=_(
            "Filing for someone else? Type their name, username or email address; "
            "leave it empty to ask for yourself."
        ),
    )
    customer_team = forms.ModelChoiceField(
        label=_("On behalf of team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=None,
    )
    external_ref = forms.CharField(
        label=_("External reference"),
        max_length=200,
        required=False,
        help_text=_("The customer account, deal or case this work serves, if any."),
    )

    def __init__(
        self,
        *args: Any,
        service: Service,
        teams: list[Team],
        may_file_for_others: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.service = service
        self.form_fields: list[FormField] = list(service.form_fields.all())
        self.fields["priority"].initial = service.default_priority
        team_field = cast(forms.ModelChoiceField, self.fields["customer_team"])
        team_field.queryset = Team.objects.filter(pk__in=[team.pk for team in teams])
        team_field.initial = teams[0].pk if teams else None
        offered = set(service.offered_fields)
        if not teams:
            offered.discard("customer_team")
        if not may_file_for_others:
            offered.discard("requester")
        # What the service does not ask is not in the form, so a browser cannot send it.
        for name in STANDARD_FIELDS:
            if name not in offered:
                del self.fields[name]
        # Shown as "required" next to the label; Django's own ``required`` stays off
        # so the service, not the form, judges a missing answer.
        self.marked_required = (
            {"subject"}
            | ({"impact", "urgency"} & offered)
            | {
                ANSWER_PREFIX + form_field.key
                for form_field in self.form_fields
                if form_field.required
            }
        )
        answer_fields = {
            ANSWER_PREFIX + form_field.key: self._field_for(form_field)
            for form_field in self.form_fields
        }
        # The service's own questions come after the subject, before the details.
        fixed = dict(self.fields)
        self.fields = {"subject": fixed.pop("subject"), **answer_fields, **fixed}

    @staticmethod
    def _field_for(form_field: FormField) -> forms.Field:
        html_required = {"required": True} if form_field.required else {}
        label, help_text = form_field.label, form_field.help_text
        if form_field.kind == FieldKind.PERSON:
            # Typed and resolved on submit: no list of every active person in the page.
            person = PersonChoiceField(
                search_url=PEOPLE_SEARCH_URL, required=False, label=label, help_text=help_text
            )
            person.widget.attrs.update(html_required)
            return person
        if form_field.kind == FieldKind.FILE:
            return forms.FileField(
                widget=forms.FileInput(attrs=html_required),
                required=False,
                label=label,
                help_text=help_text,
            )
        return AnswerField(
            widget=_answer_widget(form_field, html_required),
            required=False,
            label=label,
            help_text=help_text,
        )

    @property
    def has_files(self) -> bool:
        return any(f.kind == FieldKind.FILE for f in self.form_fields)

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[ANSWER_PREFIX + form_field.key] for form_field in self.form_fields]

    def answers(self) -> dict[str, Any]:
        """The typed answers, blank ones left out, as ``submit_request`` takes them."""
        result: dict[str, Any] = {}
        for form_field in self.form_fields:
            if form_field.kind == FieldKind.FILE:
                continue
            value = self.cleaned_data.get(ANSWER_PREFIX + form_field.key)
            if isinstance(value, Person):
                # The service takes a person answer by id, as every channel sends it.
                value = value.pk
            if value not in (None, "", []):
                result[form_field.key] = value
        return result

    def uploads(self) -> dict[str, Upload]:
        result: dict[str, Upload] = {}
        for form_field in self.form_fields:
            if form_field.kind != FieldKind.FILE:
                continue
            uploaded = self.cleaned_data.get(ANSWER_PREFIX + form_field.key)
            if isinstance(uploaded, UploadedFile):
                result[form_field.key] = Upload(
                    name=uploaded.name or "upload",
                    content_type=uploaded.content_type or "application/octet-stream",
                    stream=uploaded,
                )
        return result

    def add_domain_error(self, error: DomainError) -> None:
        """Put each error the service named by key on the field it is about."""
        placed = False
        for key, message in error.fields.items():
            name = key if key in FIXED_FIELDS else ANSWER_PREFIX + key
            if name in self.fields:
                self.add_error(name, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class ReplyForm(forms.Form):
    """The requester's reply; its messages say what to do, and only the ones that apply."""

    body = forms.CharField(
        label=_("Your reply"),
        widget=forms.Textarea(attrs={"rows": 4, "required": True}),
        required=False,
        max_length=MAX_BODY,
        help_text=_("Markdown works: **bold**, lists, links."),
        error_messages={
            "max_length": _("Keep your reply under 100,000 characters (it has %(show_value)s).")
        },
    )
    attachment = forms.FileField(label=_("Attach a file (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Ids that other parts of the page can point at ("Reply now" links to it).
        kwargs.setdefault("auto_id", "reply-%s")
        super().__init__(*args, **kwargs)

    def clean_body(self) -> str:
        # Judged here, not left to the service, so the words are the requester's.
        body: str = self.cleaned_data["body"] or ""
        if not body.strip():
            raise forms.ValidationError(_("Write a reply before sending."), code="required")
        return body

    @property
    def file_to_choose_again(self) -> str:
        """The name of the file that was chosen but not sent, when the reply is refused.

        A browser never fills a file box in again, so the requester must be told;
        without a chosen file there is nothing to say.
        """
        if not self.is_bound or not self.errors:
            return ""
        chosen = self.files.get("attachment")
        return getattr(chosen, "name", "") or ""
