"""Where the list pages' time goes: in-process median per call, then cProfile's top lines.

    INHOUSE_DATA_DIR=var/bench/scratch-100000 PYTHONPATH=src python bench/profile_lists.py
    … profile_lists.py --profile queue      # cProfile of the queue page only

Calls the real views through the test client (bearer token for the API, a logged-in
session for the queue page), so auth, parsing, SQL, rendering and serialising are
all counted; no server, so the figures are the Python side without the network.
It creates an API token: point it at a scratch copy, never the pristine database.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time
from collections.abc import Callable
from urllib.parse import urlencode

CALLS = 60
TOP = 30


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=CALLS)
    parser.add_argument("--profile", choices=["api", "filtered", "queue"], default=None)
    options = parser.parse_args()
    os.environ["INHOUSE_TASK_BACKEND"] = "dummy"
    os.environ["DJANGO_SETTINGS_MODULE"] = "inhouse.settings"
    import django

    django.setup()
    from django.test import Client
    from measure import Cast

    cast = Cast()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {cast.agent_token}")
    browser = Client()
    browser.force_login(cast.agent.user)
    filtered = "/api/v1/requests?" + urlencode(
        {"provider_team": cast.team.slug, "open": "true", "limit": 25}
    )
    pages: dict[str, Callable[[], object]] = {
        "api": lambda: api.get("/api/v1/requests?limit=25"),
        "filtered": lambda: api.get(filtered),
        "queue": lambda: browser.get(f"/work/{cast.team.slug}/"),
    }

    def call(name: str) -> None:
        response = pages[name]()
        if response.status_code != 200:  # type: ignore[attr-defined]
            raise SystemExit(f"{name} answered {response.status_code}")  # type: ignore[attr-defined]

    for name in pages:
        for _ in range(5):
            call(name)
        times = []
        for _ in range(options.calls):
            started = time.perf_counter()
            call(name)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        print(
            f"{name:<10} median {statistics.median(times):6.1f} ms   "
            f"p90 {times[int(len(times) * 0.9)]:6.1f} ms   ({options.calls} calls)"
        )
    if options.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(options.calls):
            call(options.profile)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        # The project's own functions by cumulative time, then everything by own time.
        stats.sort_stats("cumulative").print_stats("inhouse", TOP)
        stats.sort_stats("tottime").print_stats(TOP)
        print(out.getvalue())


if __name__ == "__main__":
    main()
