"""The production profile refuses the demo secret and passes Django's deploy checks."""

import os
import secrets
import subprocess
import sys

import pytest

from inhouse.settings import DEMO_SECRET_KEY


def run_inhouse(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Runs the ``inhouse`` CLI the way a server would: only the given INHOUSE_* variables."""
    # The test run's own INHOUSE_* (a PostgreSQL URL, say) and the async-safety switch the
    # browser tests set for themselves must not leak into the checked configuration.
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


@pytest.mark.parametrize(
    "secret_key",
    [None, DEMO_SECRET_KEY, secrets.token_urlsafe(24)],
    ids=["unset", "demo key", "too short"],
)
def test_production_profile_refuses_a_missing_demo_or_short_secret_key(tmp_path, secret_key):
    environment = {"INHOUSE_PROFILE": "production", "INHOUSE_DATA_DIR": str(tmp_path)}
    if secret_key is not None:
        environment["INHOUSE_SECRET_KEY"] = secret_key
    result = run_inhouse("check", **environment)
    assert result.returncode != 0
    assert "INHOUSE_SECRET_KEY" in result.stderr


def test_production_profile_passes_the_deploy_check_at_warning_level(tmp_path):
    result = run_inhouse(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        INHOUSE_PROFILE="production",
        INHOUSE_SECRET_KEY=secrets.token_urlsafe(64),
        INHOUSE_ALLOWED_HOSTS="inhouse.example.com",
        INHOUSE_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
