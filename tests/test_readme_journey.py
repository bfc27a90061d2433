"""The README's "The API in five commands" works as written: its curl commands run
against a live server and each answers 2xx, the submit with 201 and a reference the
next commands use.

Only three things differ from a reader's shell: ``$API`` points at the test server's
port, the example reference IT-7399 becomes the one the submit answered, and
``inhouse token create`` runs in this process (it is Django's manage.py), because
the test database lives here.
"""

import io
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from inhouse.demo import catalog_data
from tests.factories import make_service

README = Path(__file__).resolve().parents[1] / "README.md"
EXAMPLE_REFERENCE = "IT-7399"
INHOUSE_CALL = re.compile(r"^(?P<name>\w+)=\$\(\.venv/bin/inhouse (?P<arguments>[^)]*)\)$")
ASSIGNMENT = re.compile(r"^(?P<name>\w+)=(?P<value>\S+)$")
# Appended to curl's output so each command's status can be read without changing it.
STATUS_MARK = "\nHTTP-STATUS:"

pytestmark = pytest.mark.django_db(transaction=True)


def readme_journey() -> list[str]:
    """The commands of the ``sh`` block under "## The API in five commands", one per
    logical line (continuation lines joined)."""
    section = README.read_text().split("## The API in five commands", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "README.md has no sh block under 'The API in five commands'"
    joined = block.group(1).replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip()]


def run_curl(command: str, variables: dict[str, str]) -> tuple[int, str]:
    # bash expands the variables and quotes exactly as a reader's shell would.
    assert command.startswith("curl "), command
    with_status = command.replace("curl ", f"curl -w '{STATUS_MARK}%{{http_code}}' ", 1)
    finished = subprocess.run(
        ["/bin/bash", "-c", with_status],
        env={"PATH": "/usr/bin:/bin", **variables},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    body, _, status = finished.stdout.rpartition(STATUS_MARK)
    return int(status), body


@pytest.fixture
def password_reset(cast):
    """The demo's password reset service, with the demo's form."""
    spec = next(spec for spec in catalog_data.SERVICES if spec.slug == "password-reset")
    return make_service(
        cast.service_desk,
        spec.name,
        slug=spec.slug,
        description=spec.description,
        fields=[dict(field) for field in spec.fields],
    )


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl, as the README does")
def test_readme_api_journey_runs_as_written(cast, password_reset, live_server):
    commands = readme_journey()
    variables: dict[str, str] = {}
    statuses: list[int] = []
    answers: list[object] = []
    reference = None
    for command in commands:
        if inhouse_call := INHOUSE_CALL.match(command):
            output = io.StringIO()
            call_command(*shlex.split(inhouse_call["arguments"]), stdout=output)
            variables[inhouse_call["name"]] = output.getvalue().strip()
        elif assignment := ASSIGNMENT.match(command):
            readme_url = urlsplit(assignment["value"])
            live = urlsplit(live_server.url)
            variables[assignment["name"]] = readme_url._replace(netloc=live.netloc).geturl()
        else:
            if reference is not None:
                command = command.replace(EXAMPLE_REFERENCE, reference)
            status, body = run_curl(command, variables)
            assert 200 <= status < 300, f"{command}\n{status} {body}"
            statuses.append(status)
            answer = json.loads(body)
            if " -d " in command:
                assert status == 201, body
                reference = answer["reference"]
            elif isinstance(answer, dict) and "reference" in answer:
                assert answer["reference"] == reference
            answers.append(answer)

    assert set(variables) == {"TOKEN", "API"}
    assert statuses == [200, 201, 200, 200]
    services, submitted, detail, history = answers
    assert [service["slug"] for service in services] == ["password-reset"]
    assert submitted["reference"] == detail["reference"] == "IT-1000"
    assert detail["form_answers"] == {"system": "VPN"}
    assert [event["kind"] for event in history["items"]] == ["created"]
