"""The worker sweeps clocks once per call; production settings are hardened."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from inhouse.desk.models import EventKind, RequestEvent
from inhouse.desk.services import submit_request
from inhouse.sla.models import Clock


@pytest.mark.django_db
def test_worker_once_marks_overdue_clocks_breached_once(cast):
    request = submit_request(actor=cast.rita, service=cast.printer, subject="Printer jam")
    clock = Clock.objects.get(request=request, kind="first_response")
    Clock.objects.filter(pk=clock.pk).update(
        started_at=clock.started_at.replace(year=2020), due_at=clock.due_at.replace(year=2020)
    )
    call_command("worker", "--once")
    call_command("worker", "--once")
    clock.refresh_from_db()
    assert clock.breached_at is not None
    breaches = RequestEvent.objects.filter(request=request, kind=EventKind.BREACHED)
    assert breaches.count() == 1
    request.refresh_from_db()
    assert request.sla_breached


def run_inhouse(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    # A fresh environment like a server's: no INHOUSE_* from the test run, and not the
    # async-safety switch the browser tests set for themselves.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("INHOUSE_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-m", "inhouse.cli", *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_production_profile_refuses_the_demo_secret(tmp_path):
    result = run_inhouse("check", INHOUSE_PROFILE="production", INHOUSE_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "INHOUSE_SECRET_KEY" in result.stderr


def test_production_profile_passes_the_deploy_check(tmp_path):
    result = run_inhouse(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        INHOUSE_PROFILE="production",
        INHOUSE_SECRET_KEY="x7!" + "k" * 30 + "Qz9#vW2$mN8&pL4^rT6*yU1(oI3)eA5",
        INHOUSE_ALLOWED_HOSTS="inhouse.example.com",
        INHOUSE_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
