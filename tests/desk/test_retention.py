"""Retention: confidential cases past their service's period are removed, whole and audited,
unless on legal hold; everything else stays. The legal hold and who may change it."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult
from tests.conftest import client_for
from tests.desk.helpers import START, frozen_time, submit, upload
from tests.factories import make_person, make_service

from inhouse.audit.models import AuditAction, AuditRecord
from inhouse.catalog.models import Service
from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inhouse.desk.models import (
    Attachment,
    Comment,
    Notification,
    Request,
    RequestEvent,
    RequestReference,
    Status,
)
from inhouse.desk.services import add_comment, apply_retention, set_legal_hold, transition_request
from inhouse.desk.services.retention import expired_cases
from inhouse.desk.storage import attachment_path
from inhouse.ops.management.commands.worker import schedule_sweeps
from inhouse.org.models import MembershipRole
from inhouse.sla.models import Clock

pytestmark = pytest.mark.django_db

RETENTION = 30
SUBJECT = "Conflict with my manager"


@pytest.fixture
def petra(cast):
    """The lead of People Partners, the team that handles the confidential cases."""
    return make_person("petra", team=cast.people_partners, role=MembershipRole.LEAD)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what waits for the commit (unlinking files) as the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def kept_for_30_days(cast):
    Service.objects.filter(pk=cast.mediation.pk).update(retention_days=RETENTION)


def _case(cast, *, service=None, end: str | None = Status.CLOSED, subject=SUBJECT) -> Request:
    """A case (confidential unless ``service`` says otherwise) filed by rita at START, with a
    reply and a file, and ended then unless ``end`` is None."""
    service = service or cast.mediation
    answers = {"summary": "It started in January."} if service == cast.mediation else {}
    agent = cast.hana if service.provider_team == cast.people_partners else cast.alex
    with frozen_time(START):
        request = submit(cast, service=service, subject=subject, form_answers=answers)
        add_comment(actor=agent, request=request, body="We will call you.")
        add_comment(
            actor=cast.rita, request=request, body="Mornings.", attachments=[upload(b"notes")]
        )
        if end == Status.CLOSED:
            transition_request(actor=agent, request=request, to=Status.RESOLVED)
            transition_request(actor=cast.rita, request=request, to=Status.CLOSED)
        elif end == Status.CANCELLED:
            transition_request(actor=cast.rita, request=request, to=Status.CANCELLED)
    return Request.objects.get(pk=request.pk)


def _days_after_start(days: float):
    return START + timedelta(days=days)


def test_an_expired_case_goes_with_everything_on_it_and_is_audited(
    cast, kept_for_30_days, committed
):
    case = _case(cast)
    files = list(case.attachments.values_list("stored_name", flat=True))
    assert files and all(attachment_path(name).exists() for name in files)

    with committed():
        removed = apply_retention(now=_days_after_start(RETENTION + 1))

    assert [(c.request_id, c.reference, c.service) for c in removed] == [
        (case.pk, case.reference, "mediation")
    ]
    assert not Request.objects.filter(pk=case.pk).exists()
    for rows in (Comment, Attachment, RequestEvent, Clock, Notification, RequestReference):
        assert not rows.objects.filter(request_id=case.pk).exists(), rows
    assert not any(attachment_path(name).exists() for name in files)
    record = AuditRecord.objects.get(action=AuditAction.RETENTION_REMOVED)
    assert (record.actor_id, record.target_kind, record.target_id, record.target_label) == (
        None,
        "request",
        str(case.pk),
        case.reference,
    )
    assert record.data == {
        "service": "mediation",
        "ended_at": START.isoformat(),
        "retention_days": RETENTION,
    }
    # Its kind, id, reference and service; never what it said.
    assert "conflict" not in (record.detail + str(record.data)).lower()


def test_a_case_inside_its_retention_period_stays(cast, kept_for_30_days):
    case = _case(cast)

    assert apply_retention(now=_days_after_start(RETENTION - 1)) == []

    assert Request.objects.filter(pk=case.pk).exists()
    assert not AuditRecord.objects.filter(action=AuditAction.RETENTION_REMOVED).exists()


def test_a_cancelled_case_counts_from_its_cancellation(cast, kept_for_30_days):
    with frozen_time(START):
        case = submit(cast, service=cast.mediation, subject=SUBJECT, form_answers={"summary": "x"})
    with frozen_time(_days_after_start(10)):
        transition_request(actor=cast.rita, request=case, to=Status.CANCELLED)

    assert apply_retention(now=_days_after_start(10 + RETENTION - 1)) == []
    assert [c.request_id for c in apply_retention(now=_days_after_start(10 + RETENTION + 1))] == [
        case.pk
    ]
    assert not Request.objects.filter(pk=case.pk).exists()


def test_open_and_ordinary_cases_and_services_without_retention_stay(cast, kept_for_30_days):
    open_case = _case(cast, end=None)
    resolved = _case(cast)
    Request.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED, closed_at=None)
    elsewhere = make_service(cast.people_partners, "Grievance", slug="grievance", confidential=True)
    unlimited = _case(cast, service=elsewhere)
    # A service's retention touches only its confidential requests.
    Service.objects.filter(pk=cast.printer.pk).update(retention_days=1)
    ordinary = _case(cast, service=cast.printer)

    assert apply_retention(now=_days_after_start(10 * RETENTION)) == []

    kept = {open_case.pk, resolved.pk, unlimited.pk, ordinary.pk}
    assert set(Request.objects.filter(pk__in=kept).values_list("pk", flat=True)) == kept


def test_a_held_case_stays_until_the_hold_is_lifted(cast, kept_for_30_days, petra):
    case = _case(cast)
    set_legal_hold(actor=petra, request=case, hold=True, reason="Tribunal claim 2026/114")

    assert apply_retention(now=_days_after_start(RETENTION + 1)) == []
    assert Request.objects.filter(pk=case.pk).exists()

    set_legal_hold(actor=petra, request=case, hold=False)
    assert [c.request_id for c in apply_retention(now=_days_after_start(RETENTION + 1))] == [
        case.pk
    ]


def test_a_dry_run_lists_the_cases_and_removes_and_audits_nothing(cast, kept_for_30_days):
    case = _case(cast)

    listed = apply_retention(now=_days_after_start(RETENTION + 1), dry_run=True)

    assert [c.reference for c in listed] == [case.reference]
    assert Request.objects.filter(pk=case.pk).exists()
    assert not AuditRecord.objects.filter(action=AuditAction.RETENTION_REMOVED).exists()


def test_a_second_run_removes_and_audits_nothing_more(cast, kept_for_30_days):
    _case(cast)
    keep = _case(cast, end=None)
    now = _days_after_start(RETENTION + 1)
    apply_retention(now=now)

    assert apply_retention(now=now) == []

    assert AuditRecord.objects.filter(action=AuditAction.RETENTION_REMOVED).count() == 1
    assert Request.objects.filter(pk=keep.pk).exists()


def test_a_case_held_between_listing_and_removal_is_kept(
    cast, kept_for_30_days, petra, monkeypatch
):
    """The removal re-reads each case under a lock: a hold placed meanwhile wins."""
    case = _case(cast)
    listed = expired_cases(now=_days_after_start(RETENTION + 1))
    set_legal_hold(actor=petra, request=case, hold=True, reason="Subpoena")
    monkeypatch.setattr("inhouse.desk.services.retention.expired_cases", lambda *, now: listed)

    assert apply_retention(now=_days_after_start(RETENTION + 1)) == []

    assert Request.objects.filter(pk=case.pk).exists()
    assert not AuditRecord.objects.filter(action=AuditAction.RETENTION_REMOVED).exists()


# --- legal hold ----------------------------------------------------------------------------


def test_a_lead_places_a_hold_with_who_when_why_in_the_history_and_the_audit(cast, petra):
    case = _case(cast)
    version = case.version

    with frozen_time(_days_after_start(2)):
        held = set_legal_hold(actor=petra, request=case, hold=True, reason="  Tribunal claim  ")

    row = Request.objects.get(pk=case.pk)
    assert (row.legal_hold, row.legal_hold_by, row.legal_hold_at, row.legal_hold_reason) == (
        True,
        petra,
        _days_after_start(2),
        "Tribunal claim",
    )
    assert held.legal_hold and row.version == version
    event = RequestEvent.objects.get(request=case, kind="legal_hold_changed")
    assert (event.actor_id, event.data, event.is_public) == (
        petra.pk,
        {"legal_hold": [False, True]},
        False,
    )
    record = AuditRecord.objects.get(action=AuditAction.LEGAL_HOLD_CHANGED)
    assert (record.actor_id, record.target_id, record.target_label, record.detail) == (
        petra.pk,
        str(case.pk),
        case.reference,
        "placed",
    )
    assert record.data == {"legal_hold": True, "reason": "Tribunal claim"}


def test_lifting_clears_the_hold_and_is_recorded_too(cast):
    case = _case(cast)
    set_legal_hold(actor=cast.ada, request=case, hold=True, reason="Audit")

    set_legal_hold(actor=cast.ada, request=case, hold=False, reason="")

    row = Request.objects.get(pk=case.pk)
    assert (row.legal_hold, row.legal_hold_by, row.legal_hold_at, row.legal_hold_reason) == (
        False,
        None,
        None,
        "",
    )
    assert [
        e.data["legal_hold"]
        for e in RequestEvent.objects.filter(request=case, kind="legal_hold_changed")
    ] == [[False, True], [True, False]]
    assert list(
        AuditRecord.objects.filter(action=AuditAction.LEGAL_HOLD_CHANGED)
        .order_by("id")
        .values_list("detail", flat=True)
    ) == ["placed", "lifted"]


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("hana", PermissionDenied),
        ("rita", PermissionDenied),
        ("lena", NotFound),
        ("otto", NotFound),
    ],
)
def test_only_the_handling_teams_leads_and_admins_change_a_hold(cast, who, refusal):
    case = _case(cast)

    with pytest.raises(refusal):
        set_legal_hold(actor=getattr(cast, who), request=case, hold=True, reason="Because")

    assert not Request.objects.get(pk=case.pk).legal_hold
    assert not RequestEvent.objects.filter(request=case, kind="legal_hold_changed").exists()
    assert not AuditRecord.objects.filter(action=AuditAction.LEGAL_HOLD_CHANGED).exists()


def test_a_hold_needs_a_reason_and_a_change(cast, petra):
    case = _case(cast)

    with pytest.raises(InvalidInput) as no_reason:
        set_legal_hold(actor=petra, request=case, hold=True, reason="   ")
    assert no_reason.value.fields == {"reason": "Give a reason."}
    with pytest.raises(InvalidInput):
        set_legal_hold(actor=petra, request=case, hold=True, reason="x" * 501)
    with pytest.raises(Conflict, match="not on legal hold"):
        set_legal_hold(actor=petra, request=case, hold=False)
    set_legal_hold(actor=petra, request=case, hold=True, reason="Claim")
    with pytest.raises(Conflict, match="already on legal hold"):
        set_legal_hold(actor=petra, request=case, hold=True, reason="Claim again")
    assert RequestEvent.objects.filter(request=case, kind="legal_hold_changed").count() == 1


def test_the_requester_is_not_told_of_the_hold(cast, petra):
    case = _case(cast)
    set_legal_hold(actor=petra, request=case, hold=True, reason="Claim")

    history = client_for(cast.rita).get(f"/api/v1/requests/{case.reference}/history")

    assert history.status_code == 200
    assert "legal_hold" not in history.content.decode()


# --- the service's retention period --------------------------------------------------------


def _service_form(service: Service, **changes: str) -> dict[str, str | list[str]]:
    form: dict[str, str | list[str]] = {
        "name": service.name,
        "slug": service.slug,
        "description": service.description,
        "process_category": service.process_category,
        "default_priority": service.default_priority,
        "visibility": service.visibility,
        "priority_from": service.priority_from,
        "standard_fields": list(service.standard_fields),
        "is_active": "on",
    }
    if service.confidential:
        form["confidential"] = "on"
    return form | changes


def test_the_lead_sets_the_retention_on_the_service_page(cast, petra):
    page = f"/catalog/manage/{cast.people_partners.slug}/services/{cast.mediation.slug}/"
    client = client_for(petra)
    assert 'name="retention_days"' in client.get(page).content.decode()

    saved = client.post(page, _service_form(cast.mediation, retention_days="365"))

    assert saved.status_code == 302
    assert Service.objects.get(pk=cast.mediation.pk).retention_days == 365
    client.post(page, _service_form(cast.mediation, retention_days=""))
    assert Service.objects.get(pk=cast.mediation.pk).retention_days is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("0", "greater than or equal to 1"),
        ("abc", "Enter a whole number"),
        ("999999", "less than or equal to 36600"),
    ],
)
def test_a_bad_retention_is_an_error_on_the_form(cast, petra, value, error):
    page = f"/catalog/manage/{cast.people_partners.slug}/services/{cast.mediation.slug}/"

    response = client_for(petra).post(page, _service_form(cast.mediation, retention_days=value))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Service.objects.get(pk=cast.mediation.pk).retention_days is None


def test_only_a_confidential_service_keeps_a_retention(cast):
    page = f"/catalog/manage/{cast.service_desk.slug}/services/{cast.printer.slug}/"

    response = client_for(cast.lena).post(page, _service_form(cast.printer, retention_days="30"))

    assert response.status_code == 200
    assert "mark the service confidential" in response.content.decode()
    assert Service.objects.get(pk=cast.printer.pk).retention_days is None


def test_the_admin_edits_the_retention_too(cast):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com"))

    page = client.get(f"/admin/catalog/service/{cast.mediation.pk}/change/")

    assert page.status_code == 200
    assert 'name="retention_days"' in page.content.decode()


# --- the command line and the worker -------------------------------------------------------


def test_the_command_lists_with_dry_run_and_removes_without(cast, kept_for_30_days, capsys):
    case = _case(cast)
    Request.objects.filter(pk=case.pk).update(closed_at=START - timedelta(days=400))

    call_command("apply_retention", "--dry-run")
    listed = capsys.readouterr().out
    assert case.reference in listed and "1 case(s) would be removed." in listed
    assert SUBJECT not in listed
    assert Request.objects.filter(pk=case.pk).exists()

    call_command("apply_retention")
    assert "1 case(s) removed." in capsys.readouterr().out
    assert not Request.objects.filter(pk=case.pk).exists()
    assert AuditRecord.objects.get(action=AuditAction.RETENTION_REMOVED).door == "cli"


def test_the_hold_command_places_and_lifts_as_the_named_lead(cast, petra, capsys):
    case = _case(cast)

    call_command("legal_hold", case.reference, "--by", petra.email, "--reason", "Claim")
    assert f"{case.reference} is on legal hold." in capsys.readouterr().out
    call_command("legal_hold", case.reference.lower(), "--by", petra.email, "--lift")
    assert "no longer on legal hold" in capsys.readouterr().out

    with pytest.raises(CommandError, match="No such request"):
        call_command("legal_hold", case.reference, "--by", cast.lena.email, "--reason", "x")
    with pytest.raises(CommandError, match="Only the leads"):
        call_command("legal_hold", case.reference, "--by", cast.hana.email, "--reason", "x")
    with pytest.raises(CommandError, match="No active person"):
        call_command("legal_hold", case.reference, "--by", "nobody@example.com", "--lift")
    assert not Request.objects.get(pk=case.pk).legal_hold


@pytest.mark.django_db(transaction=True)
def test_the_worker_queues_the_retention_run_once_a_day_not_every_sweep(settings):
    settings.TASKS = {
        "default": {"BACKEND": "inhouse.core.task_queue.DatabaseBackend", "QUEUES": []}
    }
    stop = threading.Event()
    scheduler = threading.Thread(
        target=schedule_sweeps, kwargs={"every": 0.05, "stop": stop}, daemon=True
    )
    scheduler.start()
    sweeps = DBTaskResult.objects.filter(task_path="inhouse.sla.tasks.sweep_clocks")
    deadline = time.monotonic() + 10
    while sweeps.count() < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    scheduler.join(timeout=10)

    assert sweeps.count() >= 3
    retention = DBTaskResult.objects.filter(task_path="inhouse.desk.tasks.remove_expired_cases")
    assert retention.count() == 1

    call_command("worker", "--once")
    assert retention.get().return_value == 0
