"""Where one submit's time goes: its SQL queries, then cProfile's top 30 by cumulative time.

    INHOUSE_DATA_DIR=var/bench/scratch python bench/profile_submit.py

Submits through the real API view in-process (test client, bearer token), so token
auth, the service look-up, the submit and the response are all counted. It writes
requests: point it at a scratch copy of a bench database, never the pristine one.
"""

import cProfile
import io
import os
import pstats
import time

SUBMITS = 200
TOP = 30


def main() -> None:
    os.environ["INHOUSE_TASK_BACKEND"] = "dummy"
    os.environ["DJANGO_SETTINGS_MODULE"] = "inhouse.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from measure import Cast, body_for

    cast = Cast()
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {cast.requester_token}"}
    service = client.get("/api/v1/services/password-reset", **headers).json()
    body = body_for(service, cast)

    def submit() -> None:
        response = client.post("/api/v1/requests", body, content_type="application/json", **headers)
        if response.status_code != 201:
            raise SystemExit(f"submit answered {response.status_code}: {response.content[:200]}")

    for _ in range(20):
        submit()
    with CaptureQueriesContext(connection) as captured:
        submit()
    print(f"=== the {len(captured)} queries of one submit (statements cut at 160 characters)")
    for number, query in enumerate(captured.captured_queries, start=1):
        print(f"{number:2}. {query['sql'][:160]}")

    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for _ in range(SUBMITS):
        submit()
    profile.disable()
    seconds = time.perf_counter() - started
    print(
        f"\n=== {SUBMITS} submits in-process under cProfile: {seconds / SUBMITS * 1000:.1f} ms each"
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
