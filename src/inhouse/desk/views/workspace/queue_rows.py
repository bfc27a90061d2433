"""The queue table's rows as HTML, written in one Python pass.

A queue page prints fifty rows of about thirty values each; through the template
engine every value is a variable look-up, a filter chain and an escape, and that was
the larger part of the page's time. Here each row is one ``format_html``-style
string join, every repeated word is translated once per page, the viewer's timezone
is looked up once, and the request link is reversed once. Every value from the
database goes through ``escape``: the output is what the row template wrote, byte for
byte apart from whitespace (``tests/desk/test_queue_rows.py`` compares the two).
The escaping is the standard library's ``html.escape``, which is what Django's
``escape`` calls, without its check for lazy strings on each of ~500 values a page.
"""

from collections.abc import Sequence
from datetime import datetime, tzinfo
from html import escape
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from inhouse.catalog.models import Priority
from inhouse.desk.selectors.queue import QueueRow
from inhouse.web.templatetags.inhouse_tags import status_badge

# Stands in for a reference while the request page's address is reversed once per page.
_REFERENCE_MARK = "REFERENCE"
# What ``reverse`` leaves unquoted in a path argument.
_PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"


class _MomentWriter:
    """Writes what ``inhouse_tags.moment`` writes for the default style ("D j M, H:i T"),
    with the month and weekday names translated once and the timezone read once.

    Django's ``dateformat`` parses the format and builds a formatter per call (about a
    tenth of a millisecond, fifty times a page); the queue shows one moment per row.
    """

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.weekdays = [str(WEEKDAYS_ABBR[day]) for day in range(7)]
        self.months = {month: str(name).title() for month, name in MONTHS_3.items()}

    def __call__(self, value: datetime) -> str:
        local = value.astimezone(self.zone)
        # ``dateformat`` leaves the zone's name out of a wall time that is ambiguous or
        # does not exist (a DST change); so does this.
        ambiguous = self.zone.utcoffset(local.replace(fold=not local.fold)) != self.zone.utcoffset(
            local
        )
        zone_name = "" if ambiguous else str(self.zone.tzname(local))
        return (
            f'<time datetime="{escape(local.isoformat())}">'
            f"{escape(self.weekdays[local.weekday()])} {local.day} "
            f"{escape(self.months[local.month])}, {local.hour:02d}:{local.minute:02d} "
            f"{escape(zone_name)}</time>"
        )


def queue_rows_html(rows: Sequence[QueueRow]) -> SafeString:
    """The ``<tr>`` of each row of a queue page, in order, in the active language and timezone."""
    requester_label = escape(str(_("Requester")))
    priority_label = escape(str(_("Priority")))
    status_label = escape(str(_("Status")))
    assignee_label = escape(str(_("Assignee")))
    due_label = escape(str(_("Resolution due")))
    confidential_tag = f' · <span class="tag">{escape(str(_("Confidential")))}</span>'
    unassigned = f'<span class="muted">{escape(str(_("Unassigned")))}</span>'
    due_badges = {
        "breached": f'<span class="badge badge--breached">{escape(str(_("Breached")))}</span>',
        "at_risk": f'<span class="badge badge--at-risk">{escape(str(_("At risk")))}</span>',
        "paused": f'<span class="ws-paused">{escape(str(_("Paused")))}</span>',
    }
    no_due = '<span class="muted">—</span>'
    select_label = _("Select %(ref)s")
    priority_words = {value: escape(str(label)) for value, label in Priority.choices}
    link_head, _mark, link_tail = reverse(
        "workspace:request", kwargs={"reference": _REFERENCE_MARK}
    ).partition(_REFERENCE_MARK)
    moment = _MomentWriter(timezone.get_current_timezone())
    badges: dict[str, str] = {}

    written = []
    for row in rows:
        req = row.request
        reference = escape(req.reference)
        if req.status not in badges:
            badges[req.status] = status_badge(req.status)
        url = escape(link_head + quote(req.reference, safe=_PATH_SAFE) + link_tail)
        customer = (
            f'<span class="ws-meta">{escape(str(req.customer_team_name))}</span>'
            if req.customer_team_slug
            else ""
        )
        if req.resolution_due_at:
            due = moment(req.resolution_due_at)
        elif row.due_state != "paused":
            due = no_due
        else:
            due = ""
        # The line breaks stand where the row template had white space: between inline
        # elements (a badge and its time) it shows as a space.
        written.append(
            f'<tr class="ws-row ws-row--{escape(row.due_state or "none")}" data-ws-row>\n'
            f'<td class="ws-col-select"><input type="checkbox" name="ref" value="{reference}"'
            f' id="select-{reference}"'
            f' aria-label="{escape(select_label % {"ref": req.reference})}"></td>\n'
            f'<td class="ws-col-request">\n'
            f'<a class="ws-open" href="{url}"><span class="ws-ref">{reference}</span>'
            f' <span class="ws-subject">{escape(req.subject)}</span></a>\n'
            f'<span class="ws-meta">{escape(req.service_name)}'
            f"{confidential_tag if req.confidential else ''}</span>\n</td>\n"
            f'<td class="ws-col-requester" data-label="{requester_label}">'
            f"{escape(req.requester_full_name)}{customer}</td>\n"
            f'<td class="ws-col-priority" data-label="{priority_label}">'
            f'<span class="ws-priority ws-priority--{escape(req.priority)}">'
            f"{priority_words.get(req.priority, escape(req.priority))}</span></td>\n"
            f'<td class="ws-col-status" data-label="{status_label}">{badges[req.status]}</td>\n'
            f'<td class="ws-col-assignee" data-label="{assignee_label}">'
            f"{escape(str(req.assignee_full_name)) if req.assignee_id else unassigned}</td>\n"
            f'<td class="ws-col-due" data-label="{due_label}">\n'
            f"{due_badges.get(row.due_state, '')}\n{due}\n</td>\n"
            "</tr>"
        )
    # Every value above was escaped; the fixed markup is this module's own.
    return mark_safe("\n".join(written))  # noqa: S308
