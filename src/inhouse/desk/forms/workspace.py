"""Forms of the agent workspace: they shape input; the services judge it.

Every form that changes a request's fields carries the ``version`` the agent saw
and the moment the page was ``loaded_at``, so a change made meanwhile by someone
else is caught (``StaleVersion``) and explained instead of overwritten.

Every message says, in the agent's words, what to do next; none names an input
by its code name or says a thing that does not apply.
"""

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from inhouse.catalog.models import Priority, Service
from inhouse.desk.models import Status
from inhouse.desk.services.retention import MAX_HOLD_REASON
from inhouse.org.models import Person

MAX_BODY = 100_000
# The hidden version is only ever missing or broken on a page that is out of date.
_OUT_OF_DATE = _("This page is out of date. Reload it and try again.")


class WorkspaceForm(forms.Form):
    """Labels without a trailing colon: they read as the names of the fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class VersionedForm(WorkspaceForm):
    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={key: _OUT_OF_DATE for key in ("required", "invalid", "min_value")},
    )
    loaded_at = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class CommentForm(WorkspaceForm):
    """A public reply or an internal note; comments are append-only and need no version."""

    body = forms.CharField(
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=False,
    )

    def __init__(self, *args: Any, public: bool, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reply_%s" if public else "note_%s")
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        body.label = _("Public reply") if public else _("Internal note")
        body.help_text = (
            _("The requester sees this. Markdown works.")
            if public
            else _("Internal – not visible to the requester.")
        )
        self.empty_message = (
            _("Write a reply before sending.") if public else _("Write the note before adding it.")
        )
        body.error_messages["required"] = self.empty_message
        body.error_messages["max_length"] = (
            _("Keep the reply under 100,000 characters (it has %(show_value)s).")
            if public
            else _("Keep the note under 100,000 characters (it has %(show_value)s).")
        )

    def clean_body(self) -> str:
        # Spaces and blank lines alone are no message either.
        body: str = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError(self.empty_message, code="required")
        return body


class TransitionForm(VersionedForm):
    to = forms.ChoiceField(
        choices=Status.choices,
        error_messages={
            "required": _("Choose what to do with the request: press one of its buttons."),
            "invalid_choice": _("That is not a status a request can move to."),
        },
    )
    comment = forms.CharField(
        label=_("Comment to the requester (optional)"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": _("Keep the comment under 100,000 characters (it has %(show_value)s).")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "transition_%s")
        super().__init__(*args, **kwargs)


class AssignForm(VersionedForm):
    assignee = forms.ChoiceField(
        label=_("Assignee"),
        required=False,
        error_messages={
            "invalid_choice": _("Choose someone who works this team's queue, or nobody.")
        },
    )

    def __init__(self, *args: Any, agents: Sequence[Person], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "assign_%s")
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", _("Unassigned")),
            *((str(agent.pk), agent.full_name) for agent in agents),
        ]
        self.agents = {str(agent.pk): agent for agent in agents}

    def chosen_assignee(self) -> Person | None:
        return self.agents.get(self.cleaned_data["assignee"])


class PriorityForm(VersionedForm):
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        error_messages={
            "required": _("Choose a priority."),
            "invalid_choice": _("Choose one of the priorities in the list."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "priority_%s")
        super().__init__(*args, **kwargs)


class DependencyForm(VersionedForm):
    reference = forms.CharField(
        label=_("Blocked by request"),
        max_length=24,
        help_text=_("A request that must be done first, e.g. FAC-1001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": _("Type the reference of the request that blocks this one."),
            "max_length": _("A reference is at most 24 characters, e.g. FAC-1001."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "dependency_%s")
        super().__init__(*args, **kwargs)

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip().upper()


class TransferForm(VersionedForm):
    service = forms.ChoiceField(
        label=_("Transfer to service"),
        error_messages={
            "required": _("Choose the service to hand this request to."),
            "invalid_choice": _("That service cannot take this request; choose another one."),
        },
    )
    note = forms.CharField(
        label=_("Handover note (internal)"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": _("Keep the note under 100,000 characters (it has %(show_value)s).")
        },
    )

    def __init__(self, *args: Any, services: Sequence[Service], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "transfer_%s")
        super().__init__(*args, **kwargs)
        self.services = {service.slug: service for service in services}
        grouped: dict[str, list[tuple[str, str]]] = {}
        for service in services:
            grouped.setdefault(service.provider_team.name, []).append((service.slug, service.name))
        cast(forms.ChoiceField, self.fields["service"]).choices = [
            ("", _("Choose a service…")),
            *grouped.items(),
        ]

    def chosen_service(self) -> Service:
        return self.services[self.cleaned_data["service"]]


class CannedReplyForm(WorkspaceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Placeholders: {requester_name}, {requester_first_name}, {reference}, {subject}, "
            "{agent_name}, {team_name}."
        ),
    )


class SavedViewForm(WorkspaceForm):
    name = forms.CharField(label=_("Name this view"), max_length=100)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "view_%s")
        super().__init__(*args, **kwargs)


class ReferencesField(forms.Field):
    """Every value a repeated field (checkboxes named ``ref``) was sent with."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        return [str(item) for item in value]


class BulkForm(WorkspaceForm):
    ASSIGN = "assign"
    TRANSITION = "transition"

    ref = ReferencesField(error_messages={"required": _("Select at least one request.")})
    action = forms.ChoiceField(choices=[(ASSIGN, _("Assign")), (TRANSITION, _("Change status"))])
    assignee = forms.ChoiceField(label=_("Assign selected to"), required=False)
    to = forms.ChoiceField(label=_("Move selected to"), required=False)
    back = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agents: Sequence[Person], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "bulk_%s")
        super().__init__(*args, **kwargs)
        self.agents = {str(agent.pk): agent for agent in agents}
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", _("Nobody (unassign)")),
            *((pk, agent.full_name) for pk, agent in self.agents.items()),
        ]
        cast(forms.ChoiceField, self.fields["to"]).choices = [
            ("", _("Choose a status…")),
            *Status.choices,
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == self.TRANSITION and not cleaned.get("to"):
            self.add_error("to", _("Choose the status to move the selected requests to."))
        return cleaned

    def chosen_assignee(self) -> Person | None:
        return self.agents.get(self.cleaned_data["assignee"])


class LegalHoldForm(WorkspaceForm):
    """Place a confidential case on legal hold (with why) or lift it; its buttons say which.

    Not versioned: a hold changes nothing a client edits (``set_legal_hold``).
    """

    reason = forms.CharField(
        label=_("Why it is held"),
        required=False,
        max_length=MAX_HOLD_REASON,
        error_messages={"max_length": _("Keep the reason under %(limit_value)d characters.")},
    )
    hold = forms.TypedChoiceField(
        choices=[("on", _("Place on legal hold")), ("off", _("Lift the legal hold"))],
        coerce=lambda value: value == "on",
        error_messages={"required": _("Choose to place or lift the hold.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "legal_hold_%s")
        super().__init__(*args, **kwargs)
