"""The queue's rows written in Python say exactly what the row template said.

``ROW_TEMPLATE`` is the queue's row markup as the template engine wrote it before the
rows moved to ``views/workspace/queue_rows.py``; every state a row can be in is planted
here and both ways must give the same HTML, white space aside.
"""

from datetime import UTC, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st
from tests.conftest import client_for
from tests.desk.helpers import submit

from inhouse.catalog.models import Priority
from inhouse.desk.models import Request
from inhouse.desk.selectors import RequestFilters
from inhouse.desk.selectors.queue import SORT_NEWEST, QueueRow, queue_for
from inhouse.desk.selectors.requests import ListedRequest
from inhouse.desk.views.workspace.queue_rows import _MomentWriter, queue_rows_html
from inhouse.sla.models import Clock, ClockKind
from inhouse.web.templatetags.inhouse_tags import moment, status_badge

ROW_TEMPLATE = """{% load i18n %}
{% translate "Requester" as requester_label %}{% translate "Priority" as priority_label %}{% translate "Status" as status_label %}{% translate "Assignee" as assignee_label %}{% translate "Resolution due" as due_label %}{% translate "Confidential" as confidential_tag %}{% translate "Unassigned" as unassigned %}
      {% for row in rows %}{% with req=row.request %}
      <tr class="ws-row ws-row--{{ row.due_state|default:'none' }}" data-ws-row>
        <td class="ws-col-select"><input type="checkbox" name="ref" value="{{ req.reference }}" id="select-{{ req.reference }}" aria-label="{{ row.select_label }}"></td>
        <td class="ws-col-request">
          <a class="ws-open" href="{{ row.url }}"><span class="ws-ref">{{ req.reference }}</span> <span class="ws-subject">{{ req.subject }}</span></a>
          <span class="ws-meta">{{ req.service_name }}{% if req.confidential %} · <span class="tag">{{ confidential_tag }}</span>{% endif %}</span>
        </td>
        <td class="ws-col-requester" data-label="{{ requester_label }}">{{ req.requester_full_name }}{% if req.customer_team_slug %}<span class="ws-meta">{{ req.customer_team_name }}</span>{% endif %}</td>
        <td class="ws-col-priority" data-label="{{ priority_label }}"><span class="ws-priority ws-priority--{{ req.priority }}">{{ row.priority_label }}</span></td>
        <td class="ws-col-status" data-label="{{ status_label }}">{{ row.status_badge }}</td>
        <td class="ws-col-assignee" data-label="{{ assignee_label }}">{% if req.assignee_id %}{{ req.assignee_full_name }}{% else %}<span class="muted">{{ unassigned }}</span>{% endif %}</td>
        <td class="ws-col-due" data-label="{{ due_label }}">
          {% if row.due_state == "breached" %}<span class="badge badge--breached">{% translate "Breached" %}</span>
          {% elif row.due_state == "at_risk" %}<span class="badge badge--at-risk">{% translate "At risk" %}</span>
          {% elif row.due_state == "paused" %}<span class="ws-paused">{% translate "Paused" %}</span>{% endif %}
          {% if req.resolution_due_at %}{{ row.due }}{% elif row.due_state != "paused" %}<span class="muted">—</span>{% endif %}
        </td>
      </tr>
      {% endwith %}{% endfor %}
"""  # noqa: E501


def _template_rows(rows: list[QueueRow]) -> str:
    """The rows as the template wrote them, with the values the view worked out for it."""
    priority_labels = {value: str(label) for value, label in Priority.choices}
    shown = [
        {
            "request": row.request,
            "due_state": row.due_state,
            "url": reverse("workspace:request", kwargs={"reference": row.request.reference}),
            "select_label": translation.gettext("Select %(ref)s") % {"ref": row.request.reference},
            "priority_label": priority_labels.get(row.request.priority, row.request.priority),
            "status_badge": status_badge(row.request.status),
            "due": moment(timezone.localtime(row.request.resolution_due_at))
            if row.request.resolution_due_at
            else "",
        }
        for row in rows
    ]
    return engines["django"].from_string(ROW_TEMPLATE).render({"rows": shown})


def _same_but_whitespace(html: str) -> str:
    return " ".join(html.split())


def _listed(number: int, **changes: object) -> ListedRequest:
    fields: dict[str, object] = {
        "id": number,
        "reference": f"IT-{number}",
        "subject": "Printer on floor 3 jams",
        "status": "new",
        "priority": "normal",
        "service_slug": "printing",
        "service_name": "Printing",
        "provider_team_slug": "it-service-desk",
        "provider_team_name": "IT service desk",
        "customer_team_slug": "finance",
        "customer_team_name": "Finance",
        "requester_id": 7,
        "requester_full_name": "Otto Ortega",
        "requester_email": "otto@example.org",
        "assignee_id": None,
        "assignee_full_name": None,
        "assignee_email": None,
        "confidential": False,
        "external_ref": "",
        "channel": "portal",
        "created_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        "updated_at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        "resolution_due_at": datetime(2026, 3, 3, 9, 30, tzinfo=UTC),
        "sla_breached": False,
        "version": 1,
    }
    fields.update(changes)
    return ListedRequest(**fields)  # type: ignore[arg-type]


def _every_kind_of_row() -> list[QueueRow]:
    """Each due state with and without a due time, each status and priority, the optional
    names there and missing, a confidential one, and text that must be escaped."""
    due_states = ["breached", "at_risk", "paused", "running", ""]
    dues = [datetime(2026, 3, 3, 9, 30, tzinfo=UTC), None]
    statuses = ["new", "in_progress", "waiting_on_customer", "on_hold", "resolved", "closed"]
    rows = []
    for number, (due_state, due) in enumerate(product(due_states, dues), start=1000):
        rows.append(
            QueueRow(
                request=_listed(number, resolution_due_at=due, status=statuses[number % 6]),
                due_state=due_state,
            )
        )
    rows += [
        QueueRow(_listed(2001, confidential=True, priority="urgent"), "running"),
        QueueRow(_listed(2002, assignee_id=3, assignee_full_name="Alex Ahn", priority="high"), ""),
        QueueRow(_listed(2003, customer_team_slug=None, customer_team_name=None), "running"),
        QueueRow(
            _listed(
                2004,
                subject="<script>alert(\"x\")</script> & 'quotes'",
                service_name="R&D <tools>",
                requester_full_name="Zoë O'Brien & <co>",
                assignee_id=4,
                assignee_full_name='"Quoted" <agent>',
                customer_team_name="Sales & Marketing",
                priority="low",
            ),
            "breached",
        ),
        QueueRow(_listed(2005, status="cancelled", priority="unheard-of"), ""),
    ]
    return rows


@pytest.mark.parametrize(
    ("zone", "language"),
    [("UTC", "en"), ("Europe/Berlin", "en"), ("America/New_York", "de"), ("Asia/Kolkata", "fr")],
)
def test_the_rows_are_what_the_row_template_wrote(zone, language):
    rows = _every_kind_of_row()

    with timezone.override(ZoneInfo(zone)), translation.override(language):
        written = queue_rows_html(rows)
        expected = _template_rows(rows)

    assert _same_but_whitespace(written) == _same_but_whitespace(expected)
    assert written.count("<tr ") == len(rows)


def test_values_are_escaped_and_a_badge_keeps_its_space_before_the_time():
    written = queue_rows_html(_every_kind_of_row())

    assert "<script>" not in written
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in written
    # Between inline elements white space shows: the badge and its time stay apart.
    assert '<span class="badge badge--breached">Breached</span>\n<time' in written


def test_no_rows_write_nothing():
    assert queue_rows_html([]) == ""


ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]


@given(
    moment_at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1), timezones=st.just(UTC)
    ),
    zone=st.sampled_from(ZONES),
)
def test_a_moment_reads_as_the_moment_filter_writes_it(moment_at, zone):
    local_zone = ZoneInfo(zone)

    assert _MomentWriter(local_zone)(moment_at) == moment(moment_at.astimezone(local_zone))


@pytest.mark.parametrize(
    # The hour Berlin's clocks go back (ambiguous) and the one just before it.
    "moment_at",
    [datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]
    + [datetime(2026, 10, 24, 23, 59, tzinfo=UTC) + timedelta(minutes=m) for m in (0, 1, 61)],
)
def test_a_moment_in_the_hour_the_clocks_change(moment_at):
    berlin = ZoneInfo("Europe/Berlin")

    assert _MomentWriter(berlin)(moment_at) == moment(moment_at.astimezone(berlin))


@pytest.mark.django_db
def test_the_queue_page_shows_a_confidential_row_with_its_tag_and_link(cast):
    case = submit(cast, actor=cast.carl, service=cast.mediation, subject="A <conflict>",
                  form_answers={"summary": "A conflict in the team"})  # fmt: skip

    html = client_for(cast.hana).get(f"/work/{cast.people_partners.slug}/").content.decode()

    assert f'href="/work/requests/{case.reference}/"' in html
    assert "A &lt;conflict&gt;" in html
    assert '<span class="tag">Confidential</span>' in html


@pytest.mark.django_db
def test_each_row_stands_against_its_clocks_as_the_page_says(cast):
    """Planted clock states, read back through the queue's one query."""
    now = timezone.now()
    late = submit(cast, subject="Late")
    risky = submit(cast, subject="Risky")
    paused = submit(cast, subject="Paused")
    flagged = submit(cast, subject="Flagged by the sweep")
    submit(cast, subject="Running")
    stopped = submit(cast, subject="Stopped")
    paused_but_late = submit(cast, subject="Paused, first response late")
    clocks = Clock.objects.filter(kind=ClockKind.RESOLUTION)
    clocks.filter(request=late).update(due_at=now - timedelta(minutes=5))
    clocks.filter(request=risky).update(warn_at=now - timedelta(minutes=1))
    clocks.filter(request=paused).update(paused_at=now - timedelta(hours=1))
    Request.objects.filter(pk=flagged.pk).update(sla_breached=True)
    clocks.filter(request=stopped).update(stopped_at=now)
    Clock.objects.filter(request=stopped).exclude(kind=ClockKind.RESOLUTION).update(stopped_at=now)
    clocks.filter(request=paused_but_late).update(paused_at=now - timedelta(hours=1))
    Clock.objects.filter(request=paused_but_late, kind=ClockKind.FIRST_RESPONSE).update(
        due_at=now - timedelta(minutes=1)
    )

    page = queue_for(cast.alex, cast.service_desk, RequestFilters(), SORT_NEWEST, None)

    states = {row.request.subject: row.due_state for row in page.rows}
    assert states == {
        "Late": "breached",
        "Risky": "at_risk",
        "Paused": "paused",
        "Flagged by the sweep": "breached",
        "Running": "running",
        "Stopped": "",
        "Paused, first response late": "breached",
    }
    assert late.reference in queue_rows_html(page.rows)
