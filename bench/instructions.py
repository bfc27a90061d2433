"""Instructions per call of the submit and its floor: a figure that does not drift.

    python bench/instructions.py [--what submit|floor] [--without STEP ...]

On the shared 2-core machines this project is measured on, a load run's rates swing
by a third from one round to the next, and CPU time per call by a fifth. The number
of instructions one call executes does not: this runs the WSGI application in
process, called as gunicorn calls it, under valgrind's callgrind, once for 20 calls
and once for 120, and prints the difference per call (start-up and warm-up cancel).
System calls are not counted (callgrind sees only user space).

``--without STEP`` replaces one step of a submit with nothing, to see what it costs;
such a run measures, it changes nothing kept (the steps: see ``ABLATIONS``).

Each run works on its own copy of the pristine bench database of 100,000 requests
(``var/bench/sqlite-100000``, made by ``make bench``), so the figures of two builds
are comparable. Needs valgrind (``apt-get install valgrind``).
"""

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PRISTINE = ROOT / "var" / "bench" / "sqlite-100000" / "inhouse.sqlite3"
PATHS = {"submit": "/api/v1/requests", "floor": "/bench/insert"}
WARM_UP = 30
FEW, MANY = 20, 120


# --- inside valgrind: the calls ------------------------------------------------------------


def _without_references_and_holding() -> None:
    from inhouse.core.inserts import insert_rows
    from inhouse.desk.services import submit
    from inhouse.search import changes

    def insert(request: Any) -> None:
        insert_rows([request])
        changes.changed("request", request.pk)

    submit._insert = insert


def _without_search_change() -> None:
    from inhouse.search import changes

    changes.changed = lambda kind, object_id: None


def _without_event() -> None:
    from inhouse.desk.services import submit

    submit._record_created = lambda request, filing, *, impact_urgency: None


def _without_notices() -> None:
    from inhouse.desk.services import notifications

    notifications.send_new_request_notice = lambda notice, request: None


def _without_clock_rows() -> None:
    from inhouse.sla import services
    from inhouse.sla.models import Clock

    write = services.insert_rows
    next_id = iter(range(10**12, 2 * 10**12))

    def insert(rows: Any) -> None:
        if not rows or not isinstance(rows[0], Clock):
            write(rows)
            return
        for clock in rows:  # as if written: an id, and no longer new
            clock.pk = next(next_id)
            clock._state.adding = False
            clock._state.db = "default"

    services.insert_rows = insert


ABLATIONS: dict[str, Callable[[], None]] = {
    "references-and-holding": _without_references_and_holding,
    "search-change": _without_search_change,
    "event": _without_event,
    "notices": _without_notices,
    "clock-rows": _without_clock_rows,
}


def run_calls(what: str, calls: int, without: Iterable[str]) -> None:
    os.environ["INHOUSE_TASK_BACKEND"] = "database"
    os.environ["INHOUSE_BENCH_ENDPOINTS"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "inhouse.settings"
    sys.path.insert(0, str(BENCH))
    import gc

    import django

    django.setup()
    from django.test import Client
    from measure import Cast, body_for

    from inhouse.wsgi import application

    cast = Cast()
    service = Client().get(
        "/api/v1/services/password-reset", HTTP_AUTHORIZATION=f"Bearer {cast.requester_token}"
    )
    body = body_for(service.json(), cast)
    for name in without:
        ABLATIONS[name]()

    def call(path: str) -> None:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": path, "SCRIPT_NAME": "",
            "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000", "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": f"Bearer {cast.requester_token}",
            "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
        }  # fmt: skip
        statuses: list[str] = []

        def start_response(status: str, headers: Any, exc_info: Any = None) -> None:
            statuses.append(status)

        answer = application(environ, start_response)
        content = b"".join(answer)
        answer.close()
        if not statuses[0].startswith("201"):
            raise SystemExit(f"POST {path} answered {statuses[0]}: {content[:200]!r}")

    for _ in range(WARM_UP):
        call(PATHS["floor"])
        call(PATHS["submit"])
    # A full collection of what start-up left would land in one of the two runs only.
    gc.collect()
    for _ in range(calls):
        call(PATHS[what])


# --- outside: two runs under callgrind ------------------------------------------------------


def instructions(what: str, calls: int, without: list[str]) -> int:
    """Instructions of a whole run of ``calls`` calls, on a fresh copy of the database."""
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch)
        (data / "static").mkdir()
        shutil.copy(PRISTINE, data / "inhouse.sqlite3")
        out = data / "callgrind.out"
        command = [
            "valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
            sys.executable, __file__, "--inner", str(calls), "--what", what,
            *[f"--without={name}" for name in without],
        ]  # fmt: skip
        env = {**os.environ, "INHOUSE_DATA_DIR": str(data)}
        env.pop("INHOUSE_DATABASE_URL", None)
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise SystemExit(f"the run of {calls} calls failed:\n{completed.stderr[-2000:]}")
        totals = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
        if totals is None:
            raise SystemExit(f"callgrind wrote no totals to {out}")
        return int(totals.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--what", choices=sorted(PATHS), default="submit")
    parser.add_argument("--without", action="append", default=[], choices=sorted(ABLATIONS))
    parser.add_argument("--inner", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.inner is not None:
        run_calls(options.what, options.inner, options.without)
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    if not PRISTINE.exists():
        raise SystemExit(f"no bench database at {PRISTINE}: `make bench` makes it")
    few = instructions(options.what, FEW, options.without)
    many = instructions(options.what, MANY, options.without)
    label = options.what + "".join(f" without {name}" for name in options.without)
    print(f"{label}: {(many - few) / (MANY - FEW) / 1e6:.2f} M instructions per call")


if __name__ == "__main__":
    main()
