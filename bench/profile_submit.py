"""Where one submit's time goes: CPU per call next to the floor, its SQL queries, then
cProfile's top 30 by cumulative time.

    INHOUSE_DATA_DIR=var/bench/scratch python bench/profile_submit.py [--comment|--transition]

Submits (or, with ``--comment``, comments; with ``--transition``, an agent's status
changes) through the real API view in-process (test
client, bearer token), so token auth, the service look-up, the write and the response
are all counted. The CPU figures are medians of batches timed without the profiler,
for the submit floor (``/bench/insert``), a submit, a comment and a transition
(the agent moving the request between in progress and waiting on the customer), interleaved so a
machine that slows down mid-run treats all three alike. It writes requests: point it
at a scratch copy of a bench database, never the pristine one.
"""

import argparse
import cProfile
import io
import itertools
import json
import os
import pstats
import statistics
import time
from collections.abc import Callable

PROFILED = 200
BATCHES = 7
BATCH = 50
TOP = 30


def main() -> None:
    parser = argparse.ArgumentParser()
    profiled_call = parser.add_mutually_exclusive_group()
    profiled_call.add_argument("--comment", action="store_true", help="profile a comment instead")
    profiled_call.add_argument(
        "--transition", action="store_true", help="profile an agent's status change instead"
    )
    options = parser.parse_args()
    # Tasks queued as production queues them: a row in the database.
    os.environ["INHOUSE_TASK_BACKEND"] = "database"
    os.environ["INHOUSE_BENCH_ENDPOINTS"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "inhouse.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from measure import Cast, body_for

    from inhouse.ops.bench import BENCH_TABLE_SQL

    cast = Cast()
    with connection.cursor() as cursor:
        cursor.execute(BENCH_TABLE_SQL)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {cast.requester_token}"}
    service = client.get("/api/v1/services/password-reset", **headers).json()
    body = body_for(service, cast)
    comment = json.dumps({"body": "Any news on this?"})

    agent_headers = {"HTTP_AUTHORIZATION": f"Bearer {cast.agent_token}"}

    def post(
        path: str, data: bytes | str, status: int, as_agent: bool = False
    ) -> dict[str, object]:
        response = client.post(
            path, data, content_type="application/json", **(agent_headers if as_agent else headers)
        )
        if response.status_code != status:
            raise SystemExit(f"{path} answered {response.status_code}: {response.content[:200]}")
        return response.json()

    def floor() -> None:
        post("/bench/insert", body, 201)

    def submit() -> None:
        post("/api/v1/requests", body, 201)

    reference = str(post("/api/v1/requests", body, 201)["reference"])

    def add_comment() -> None:
        post(f"/api/v1/requests/{reference}/comments", comment, 201)

    # The agent alternates between two statuses, so every call is a real change.
    statuses = itertools.cycle(["waiting_on_customer", "in_progress"])

    def transition() -> None:
        to = json.dumps({"to": next(statuses)})
        post(f"/api/v1/requests/{reference}/transitions", to, 200, as_agent=True)

    calls: dict[str, Callable[[], None]] = {
        "floor": floor,
        "submit": submit,
        "comment": add_comment,
        "transition": transition,
    }
    for call in calls.values():
        for _ in range(20):
            call()
    cpu: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(BATCHES):
        for name, call in calls.items():
            started = time.process_time()
            for _ in range(BATCH):
                call()
            cpu[name].append((time.process_time() - started) / BATCH * 1000)
    print(f"=== CPU per call, median of {BATCHES} batches of {BATCH} (no profiler)")
    floor_ms = statistics.median(cpu["floor"])
    for name, samples in cpu.items():
        median = statistics.median(samples)
        print(
            f"{name:8} {median:6.2f} ms  (min {min(samples):5.2f}, max {max(samples):5.2f})"
            f"  {median / floor_ms:4.1f}x the floor"
        )

    what = "comment" if options.comment else "transition" if options.transition else "submit"
    profiled = {"comment": add_comment, "transition": transition, "submit": submit}[what]
    with CaptureQueriesContext(connection) as captured:
        profiled()
    print(f"\n=== the {len(captured)} queries of one {what} (statements cut at 160 characters)")
    for number, query in enumerate(captured.captured_queries, start=1):
        print(f"{number:2}. {query['sql'][:160]}")

    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(PROFILED):
        profiled()
    profile.disable()
    seconds = time.perf_counter() - started
    print(
        f"\n=== {PROFILED} {what}s in-process under cProfile: "
        f"{seconds / PROFILED * 1000:.1f} ms each"
    )
    for title, restriction in (
        ("everything", ()),
        ("Inhouse's own functions", (r"/inhouse/",)),
        ("the database driver (time inside SQLite or PostgreSQL)", (r"execute\b|fetch",)),
    ):
        report = io.StringIO()
        stats = pstats.Stats(profile, stream=report).sort_stats("cumulative")
        stats.print_stats(*restriction, TOP)
        print(f"--- top {TOP} by cumulative time: {title}")
        print(report.getvalue().split("function)\n", 1)[-1])


if __name__ == "__main__":
    main()
