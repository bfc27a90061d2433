"""Runs the web server (gunicorn) and one background worker side by side.

If either stops, the other is stopped too, so a supervisor sees one failure
instead of a half-running service.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def _inhouse_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "inhouse.cli", *arguments]


def serve_with_worker(*, bind: str, web_workers: int, with_worker: bool) -> int:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    web = [
        str(gunicorn),
        "inhouse.wsgi:application",
        "--bind", bind,
        "--workers", str(web_workers),
        "--threads", "4",
        "--access-logfile", "-",
        "--graceful-timeout", "10",
    ]  # fmt: skip
    # The commands are built here from fixed parts and validated options, never from input.
    children = [subprocess.Popen(web, env=os.environ.copy())]  # noqa: S603
    if with_worker:
        worker = subprocess.Popen(_inhouse_command("worker"), env=os.environ.copy())  # noqa: S603
        children.append(worker)

    def stop_all(signum: int = signal.SIGTERM, _frame: object = None) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        stop_all()
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    return max(child.returncode or 0 for child in children)
