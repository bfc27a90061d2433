"""`inhouse serve` runs gunicorn and the worker together and stops them together.

The live tests start real processes on a free loopback port, each bounded in time.
"""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from inhouse.ops import server
from inhouse.ops.server import ServeError, ensure_bind_available, supervise

STARTUP_SECONDS = 30
STOP_SECONDS = 45


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(data_dir: Path) -> dict[str, str]:
    # A server's environment: SQLite in its own folder, nothing from the test run's INHOUSE_*.
    env = {key: value for key, value in os.environ.items() if not key.startswith("INHOUSE_")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["INHOUSE_DATA_DIR"] = str(data_dir)
    return env


def child_pids(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if not children.exists():
        pytest.skip("needs Linux's /proc/<pid>/task/<pid>/children")
    return [int(child) for child in children.read_text().split()]


def command_line(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/cmdline").read_text().rstrip("\0").split("\0")


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def has_exited(pid: int) -> bool:
    """True once ``pid`` is gone or a zombie (an orphan's new parent may never reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    # The state follows the command name, which is in parentheses and may contain spaces.
    return stat.rpartition(")")[2].split()[0] in {"Z", "X"}


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass
class Serving:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def serving(tmp_path) -> Iterator[Serving]:
    """``inhouse serve`` with one web worker and the task worker, answering on a free port."""
    env = server_environment(tmp_path / "data")
    command = [sys.executable, "-m", "inhouse.cli"]
    subprocess.run([*command, "migrate", "-v0"], env=env, check=True, timeout=120)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    serving = Serving(process=process, port=port, log=log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answers(port):
            assert process.poll() is None, serving.output()
            assert time.monotonic() < deadline, "no answer in time\n" + serving.output()
            time.sleep(0.2)
        yield serving
    finally:
        if process.poll() is None:
            # Each child leads its own process group, gunicorn's web workers included.
            for pid in child_pids(process.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
            process.kill()
        process.wait()


def _answers(port: int) -> bool:
    try:
        get(port, "/api/v1/openapi.json")
    except OSError:
        return False
    return True


def test_serve_answers_http_and_stops_both_processes_on_sigterm(serving):
    status, body = get(serving.port, "/api/v1/openapi.json")
    assert status == 200
    assert json.loads(body)["openapi"].startswith("3.")
    children = child_pids(serving.process.pid)
    assert len(children) == 2, serving.output()

    serving.process.send_signal(signal.SIGTERM)

    assert serving.process.wait(timeout=STOP_SECONDS) == 0, serving.output()
    assert not any(is_running(pid) for pid in children)
    assert not _answers(serving.port)


def test_serve_stops_the_web_server_when_the_worker_dies(serving):
    children = child_pids(serving.process.pid)
    worker = next(pid for pid in children if command_line(pid)[-1] == "worker")

    os.kill(worker, signal.SIGKILL)

    assert serving.process.wait(timeout=STOP_SECONDS) == 128 + signal.SIGKILL
    assert "worker stopped (exit status 137); stopping the rest" in serving.output()
    assert not any(is_running(pid) for pid in children)


def test_serve_killed_outright_takes_gunicorn_and_the_worker_with_it(serving):
    children = child_pids(serving.process.pid)
    assert len(children) == 2, serving.output()
    # gunicorn's web workers die with their arbiter; they must not hold the port either.
    processes = children + [pid for child in children for pid in child_pids(child)]
    try:
        # SIGKILL to the serve process alone: it can neither catch it nor forward it.
        serving.process.kill()
        serving.process.wait(timeout=STOP_SECONDS)

        deadline = time.monotonic() + STOP_SECONDS
        while not all(has_exited(pid) for pid in processes):
            assert time.monotonic() < deadline, "still running after the serve process died"
            time.sleep(0.2)
        with socket.socket() as restart:
            # As gunicorn binds on a restart: a port in TIME_WAIT from our requests is free.
            restart.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            restart.bind(("127.0.0.1", serving.port))
            restart.listen()
    finally:
        for pid in children:  # each leads its own process group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def test_supervise_stops_the_others_and_reports_the_first_failure():
    started = time.monotonic()
    code = supervise(
        {
            "failing": [sys.executable, "-c", "raise SystemExit(3)"],
            "sleeping": [sys.executable, "-c", "import time; time.sleep(60)"],
        }
    )
    assert code == 3
    assert time.monotonic() - started < 20


def test_supervise_runs_without_the_parent_death_signal_where_linux_is_not(monkeypatch):
    monkeypatch.setattr(server.sys, "platform", "darwin")
    assert server.die_with_parent() is None
    assert supervise({"failing": [sys.executable, "-c", "raise SystemExit(3)"]}) == 3


def test_a_port_in_use_is_refused_before_starting():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match="already in use"):
            ensure_bind_available(f"127.0.0.1:{port}")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--bind", "127.0.0.1:http"], "not a valid address"),
        (["--workers", "0"], "must be at least 1"),
        (["--workers", "many"], "not a whole number"),
    ],
)
def test_serve_refuses_bad_options_with_a_message(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("serve", *arguments)


def test_serve_refuses_a_bad_web_worker_count_from_the_environment(monkeypatch):
    monkeypatch.setenv("INHOUSE_WEB_WORKERS", "lots")
    with pytest.raises(CommandError, match="INHOUSE_WEB_WORKERS must be a whole number"):
        call_command("serve", "--bind", f"127.0.0.1:{free_port()}")
