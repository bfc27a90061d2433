"""Form widgets every app's forms may use; they know URLs and markup, never a domain.

``SearchInput`` is a text box that suggests choices as one types. The browser's
own ``<datalist>`` shows them, so choosing needs no script of ours: htmx asks the
search URL for fresh ``<option>``s while typing, and without JavaScript the box is
a plain text input whose typed value the form field resolves on submit.
"""

import json
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString


class SearchInput(forms.TextInput):
    """A text input that fetches suggestions from ``search_url`` as the user types.

    htmx sends the input itself, so the search URL is called as
    ``GET search_url?<name>=<typed text>&field=<name>``: ``field`` says which
    parameter holds the text. It answers with ``<option value="…">label</option>``
    elements, which replace the input's (at first empty) ``<datalist>``; an
    option's value is what the field receives when that option is chosen.
    """

    def __init__(self, *, search_url: str | Promise, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.search_url = search_url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        choices_id = self._choices_id(name, attrs)
        widget_attrs.update(
            {
                "list": choices_id,
                "hx-get": str(self.search_url),
                # "changed" skips keys that only move the caret; the delay waits out typing.
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{choices_id}",
                "hx-swap": "innerHTML",
                # A newer keystroke's answer replaces one still on its way.
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"field": name}),
            }
        )
        return context

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        text_input = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<datalist id="{}"></datalist>', text_input, self._choices_id(name, attrs)
        )

    def _choices_id(self, name: str, attrs: dict[str, Any] | None) -> str:
        return f"{self.build_attrs(self.attrs, attrs).get('id') or name}-choices"
