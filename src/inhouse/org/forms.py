"""Form fields for choosing people, for any app's forms.

``PersonChoiceField`` replaces a select box of every active person: the person
is typed (with suggestions from the people search while JavaScript runs) and
resolved on submit, so a form costs the same in an organization of ten or of
a hundred thousand.
"""

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from inhouse.core.widgets import SearchInput
from inhouse.org.models import Person
from inhouse.org.selectors import people_answering_to

# Longer than any email address may be: nobody answers to it.
MAX_HANDLE = 254
PEOPLE_SEARCH_URL = reverse_lazy("org:people-search")


class PersonChoiceField(forms.Field):
    """An active person, typed as an id, a username, an email address or a full name.

    Cleans to a ``Person`` (``None`` when left empty and not required). A full name
    that two active people share is refused with a request for a unique handle.
    The initial value may be a ``Person``; it shows as their email address, which
    is also what a chosen suggestion fills in.
    """

    default_error_messages = {
        "unknown": _("Nobody active answers to “%(handle)s”; type a username or an email address."),
        "ambiguous": _(
            "Several people are called “%(handle)s”; type the username or email address "
            "of the one you mean."
        ),
    }

    def __init__(self, *, search_url: str | Promise = PEOPLE_SEARCH_URL, **kwargs: Any) -> None:
        kwargs.setdefault("widget", SearchInput(search_url=search_url))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.email if isinstance(value, Person) else value

    def to_python(self, value: Any) -> Person | None:
        if isinstance(value, Person):
            return value
        handle = str(value or "").strip()
        if not handle:
            return None
        found = people_answering_to(handle) if len(handle) <= MAX_HANDLE else []
        if len(found) == 1:
            return found[0]
        code = "ambiguous" if found else "unknown"
        raise forms.ValidationError(
            self.error_messages[code], code=code, params={"handle": handle[:80]}
        )
