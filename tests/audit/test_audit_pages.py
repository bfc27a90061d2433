"""The admin's audit: search newest first, page, export the search as CSV, read it over
the API; nobody else reaches any of it."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from tests.conftest import client_for

from inhouse.audit.export import neutralised
from inhouse.audit.models import AuditAction, AuditDoor, AuditRecord
from inhouse.audit.services import record_audit

from .helpers import bearer

pytestmark = pytest.mark.django_db


def _record(
    *,
    actor=None,
    action=AuditAction.REFUSED_CHANGE,
    kind="request",
    target_id="7",
    label="IT-7",
    detail="assign",
    at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    correlation_id="",
    data=None,
) -> AuditRecord:
    record = record_audit(
        action,
        actor=actor,
        target_kind=kind,
        target_id=target_id,
        target_label=label,
        detail=detail,
        door=AuditDoor.WEB.value,
        data=data,
    )
    AuditRecord.objects.filter(pk=record.pk).update(occurred_at=at, correlation_id=correlation_id)
    record.refresh_from_db()
    return record


def _labels(response) -> list[str]:
    return [item["target_label"] for item in response.json()["items"]]


# --- who may read it ----------------------------------------------------------------------


def test_only_org_admins_reach_the_audit_page_and_its_export(cast):
    for person in (cast.rita, cast.alex, cast.lena, cast.hana):
        client = client_for(person)
        assert client.get("/audit/").status_code == 404
        assert client.get("/audit/export.csv").status_code == 404
    anonymous = Client().get("/audit/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert client_for(cast.ada).get("/audit/").status_code == 200


def test_only_org_admins_read_the_audit_over_the_api(cast):
    _record(actor=cast.carl)

    refused = bearer(cast.lena).get("/api/v1/audit")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert Client().get("/api/v1/audit").status_code == 401
    assert _labels(bearer(cast.ada).get("/api/v1/audit")) == ["IT-7"]


def test_the_audit_link_is_in_the_admins_navigation_only(cast):
    assert 'href="/audit/"' in client_for(cast.ada).get("/").content.decode()
    assert 'href="/audit/"' not in client_for(cast.lena).get("/").content.decode()


# --- searching ---------------------------------------------------------------------------------


def test_the_page_lists_records_newest_first_with_who_what_and_which(cast):
    _record(actor=cast.carl, label="IT-1", detail="change the status of")
    _record(actor=None, label="IT-2", data={"remote_address": "203.0.113.9"})

    page = client_for(cast.ada).get("/audit/").content.decode()

    assert page.index("IT-2") < page.index("IT-1")
    assert "Carl Tester" in page and "change the status of" in page
    assert "unidentified caller" in page and "203.0.113.9" in page


def test_the_filters_narrow_the_page_and_the_api_alike(cast):
    _record(actor=cast.carl, label="IT-1", correlation_id="aaaa1111")
    _record(actor=cast.fred, label="IT-2", kind="request", target_id="2")
    _record(
        actor=cast.hana,
        action=AuditAction.CONFIDENTIAL_VIEW,
        label="HR-1",
        target_id="3",
        at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC),
    )
    _record(actor=None, kind="team", label="it", target_id="it")
    api = bearer(cast.ada)
    page = client_for(cast.ada)

    cases = {
        "action=confidential_view": ["HR-1"],
        f"actor={cast.carl.pk}": ["IT-1"],
        "actor=fred": ["IT-2"],
        "actor=none": ["it"],
        "target_kind=team": ["it"],
        "target=it-2": ["IT-2"],
        "target=3": ["HR-1"],
        "since=2026-03-03": ["HR-1"],
        "until=2026-03-02": ["it", "IT-2", "IT-1"],
        "since=2026-03-05&until=2026-03-05": ["HR-1"],
        "correlation_id=aaaa1111": ["IT-1"],
    }
    for query, expected in cases.items():
        assert _labels(api.get(f"/api/v1/audit?{query}")) == expected, query
        html = page.get(f"/audit/?{query}").content.decode()
        for label in ("IT-1", "IT-2", "HR-1"):
            assert (f"request {label}" in html) == (label in expected), (query, label)


def test_date_ranges_are_days_in_the_readers_timezone(cast):
    """rita's Berlin morning of 3 March starts at 23:00 UTC on 2 March."""
    _record(label="IT-1", at=datetime(2026, 3, 2, 23, 30, tzinfo=UTC))
    cast.ada.timezone = "Europe/Berlin"
    cast.ada.save(update_fields=["timezone"])

    html = client_for(cast.ada).get("/audit/?since=2026-03-03&until=2026-03-03").content.decode()

    assert "request IT-1" in html
    assert "2026-03-03 00:30:00 CET" in html


def test_pages_follow_a_cursor_without_repeating_or_skipping(cast, monkeypatch):
    monkeypatch.setattr("inhouse.audit.views.RECORDS_PER_PAGE", 2)
    for number in range(5):
        _record(label=f"IT-{number}")
    api = bearer(cast.ada)

    seen: list[str] = []
    url = "/api/v1/audit?limit=2"
    while url:
        body = api.get(url).json()
        seen += [item["target_label"] for item in body["items"]]
        url = f"/api/v1/audit?limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else ""
    assert seen == ["IT-4", "IT-3", "IT-2", "IT-1", "IT-0"]

    first = client_for(cast.ada).get("/audit/?target_kind=request")
    assert first.status_code == 200
    older = first.content.decode().split('href="?target_kind=request&amp;cursor=')[1].split('"')[0]
    second = client_for(cast.ada).get(f"/audit/?target_kind=request&cursor={older}")
    html = second.content.decode()
    assert "request IT-2" in html and "request IT-1" in html and "request IT-4" not in html


def test_bad_filters_are_named_on_the_page_and_by_the_api(cast):
    api = bearer(cast.ada)

    response = api.get("/api/v1/audit?since=yesterday&action=bogus&actor=99999999999999999999")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"since", "action", "actor"}
    unknown = api.get("/api/v1/audit?colour=red")
    assert unknown.status_code == 400 and "colour" in unknown.json()["error"]["fields"]
    backwards = api.get("/api/v1/audit?since=2026-03-05&until=2026-03-01")
    assert backwards.json()["error"]["fields"] == {
        "until": "The end of the range is before its start."
    }
    assert api.get("/api/v1/audit?cursor=broken!").status_code == 400

    page = client_for(cast.ada).get("/audit/?since=yesterday")
    assert page.status_code == 400
    assert "A date as YYYY-MM-DD." in page.content.decode()
    assert client_for(cast.ada).get("/audit/?cursor=broken!").status_code == 400


# --- exporting ----------------------------------------------------------------------------------


def _rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_export_streams_the_filtered_records_newest_first(cast):
    _record(actor=cast.carl, label="IT-1", correlation_id="aaaa1111", data={"status": 403})
    _record(actor=cast.fred, label="IT-2")
    _record(actor=cast.hana, label="HR-1", action=AuditAction.CONFIDENTIAL_VIEW)

    response = client_for(cast.ada).get("/audit/export.csv?action=refused_change")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    header, *rows = _rows(response)
    assert header[:4] == ["occurred_at", "action", "actor_id", "actor"]
    assert [row[6] for row in rows] == ["IT-2", "IT-1"]
    assert rows[1] == [
        "2026-03-02T09:00:00+00:00",
        "refused_change",
        str(cast.carl.pk),
        "Carl Tester",
        "request",
        "7",
        "IT-1",
        "assign",
        "web",
        "aaaa1111",
        '{"status": 403}',
    ]


def test_the_export_link_carries_the_pages_filters(cast):
    html = client_for(cast.ada).get("/audit/?action=confidential_view&target=HR-1").content
    assert b'href="/audit/export.csv?action=confidential_view&amp;target=HR-1"' in html


def test_exported_cells_that_a_spreadsheet_would_run_are_neutralised(cast):
    for formula in ("=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "\tx", "\rx"):
        _record(label=formula, detail=formula)
    _record(label="IT-1", detail="plain")

    _, *rows = _rows(client_for(cast.ada).get("/audit/export.csv"))

    labels = [row[6] for row in rows]
    assert labels == ["IT-1", "'\rx", "'\tx", "'@SUM(A1)", "'-2", "'+1", "'=HYPERLINK(1)"]
    assert [row[7] for row in rows][1:] == labels[1:]


@pytest.mark.parametrize(
    ("cell", "safe"),
    [("=1+1", "'=1+1"), ("+", "'+"), ("-", "'-"), ("@a", "'@a"), ("IT-1", "IT-1"), ("", "")],
)
def test_neutralised_prefixes_only_cells_that_start_a_formula(cell, safe):
    assert neutralised(cell) == safe


def test_the_export_refuses_bad_filters(cast):
    response = client_for(cast.ada).get("/audit/export.csv?until=someday")
    assert response.status_code == 400
