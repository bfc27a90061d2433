"""Where the list pages' time goes: in-process median per call, then cProfile's top lines.

    INHOUSE_DATA_DIR=var/bench/scratch-100000 PYTHONPATH=src python bench/profile_lists.py
    … profile_lists.py --profile queue      # cProfile of the queue page only
    … profile_lists.py --only queue --dump var/html-before   # the queue's HTML on several URLs

``--dump DIR`` writes the queue page's HTML for a fixed set of addresses (full page and
htmx partial, both sorts, filters, an empty result, a later page) so two versions of the
code can be compared on the same data (``diff -w``).

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
import re
import statistics
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from django.test import Client

CALLS = 60
TOP = 30


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=CALLS)
    parser.add_argument("--profile", choices=["api", "filtered", "queue"], default=None)
    parser.add_argument("--only", choices=["api", "filtered", "queue"], default=None)
    parser.add_argument(
        "--queries", action="store_true", help="time each statement of the --only page alone"
    )
    parser.add_argument("--dump", default=None, help="write the queue's HTML of several URLs here")
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

    if options.dump:
        dump_queue(browser, cast.team.slug, options.dump)
    for name in [options.only] if options.only else pages:
        for _ in range(5):
            call(name)
        times = []
        cpu = []
        for _ in range(options.calls):
            started, started_cpu = time.perf_counter(), time.process_time()
            call(name)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        times.sort()
        print(
            f"{name:<10} median {statistics.median(times):6.1f} ms   "
            f"p90 {times[int(len(times) * 0.9)]:6.1f} ms   "
            f"CPU median {statistics.median(cpu):6.1f} ms   ({options.calls} calls)"
        )
    if options.queries and options.only:
        time_statements(lambda: call(options.only))
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


def time_statements(call: Callable[[], None], runs: int = 20) -> None:
    """Each statement one call of the page runs, run again alone: median ms and its start."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    total = 0.0
    with connection.cursor() as cursor:
        for statement in captured.captured_queries:
            sql = statement["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                # Django's logged SQL has its values inlined; run it as it was logged.
                cursor.execute(sql)
                cursor.fetchall()
                times.append((time.perf_counter() - started) * 1000)
            median = statistics.median(times)
            total += median
            print(f"{median:7.2f} ms  {' '.join(sql.split())[:150]}")
    print(f"{total:7.2f} ms  in {len(captured.captured_queries)} statements")


# The queue addresses whose HTML a change of the page must leave alone.
DUMPED_QUERIES = {
    "due": "",
    "newest": "sort=newest",
    "unassigned": "assignee=none",
    "urgent-newest": "priority=urgent&sort=newest",
    "breached": "breached=true",
    "at-risk": "at_risk=true",
    "resolved": "status=resolved",
    "everything": "open=any&sort=newest",
    "empty": "text=zzzznothingmatcheszzzz",
    "invalid": "sort=sideways",
}


def dump_queue(browser: "Client", team_slug: str, directory: str) -> None:
    """Write each address's full page and htmx partial, and the second page of the default."""
    os.makedirs(directory, exist_ok=True)
    base = f"/work/{team_slug}/"
    for name, query in DUMPED_QUERIES.items():
        url = f"{base}?{query}" if query else base
        for kind, headers in (("page", {}), ("partial", {"HTTP_HX_REQUEST": "true"})):
            html = browser.get(url, **headers).content.decode()
            with open(os.path.join(directory, f"{name}-{kind}.html"), "w") as out:
                out.write(_without_tokens(html))
            if name == "due" and kind == "page":
                found = re.search(r'href="([^"]*cursor=[^"]*)" rel="next"', html)
                if found:
                    second = browser.get(found.group(1).replace("&amp;", "&")).content.decode()
                    with open(os.path.join(directory, "due-page2.html"), "w") as out:
                        out.write(_without_tokens(second))


def _without_tokens(html: str) -> str:
    """The page with its CSRF tokens blanked: they differ on every response."""
    html = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', html)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', 'name="csrfmiddlewaretoken"', html)


if __name__ == "__main__":
    main()
