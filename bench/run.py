"""`make bench`: the speed figures Inhouse tracks, printed from one run.

- Requests submitted per second through the HTTP API (one gunicorn process,
  SQLite) next to a bare Django view inserting one row under the same server;
  the ratio is the figure to watch (aim: at least 0.5).
- p50/p99 latency of submit and of filtered lists with 100,000 requests.
- Server time of the agent queue page and the request page with 100,000 requests.
- BusinessCalendar.add calls per second.

The 100,000-request database is generated once under var/bench/ and reused.
All traffic goes to 127.0.0.1; loops are bounded in count.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
PYTHON = sys.executable


def configure_django(data_dir: Path) -> None:
    os.environ["INHOUSE_DATA_DIR"] = str(data_dir)
    os.environ["INHOUSE_TASK_BACKEND"] = "dummy"
    os.environ["INHOUSE_BENCH_ENDPOINTS"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inhouse.settings")
    import django

    django.setup()


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def describe(samples_ms: list[float]) -> str:
    return (
        f"p50 {statistics.median(samples_ms):7.1f} ms   p99 {percentile(samples_ms, 0.99):7.1f} ms"
    )


def ensure_data(request_count: int) -> None:
    from django.core.management import call_command

    from inhouse.desk.models import Request
    from inhouse.org.models import Person

    call_command("migrate", verbosity=0)
    if Person.objects.exists():
        have = Request.objects.count()
        print(f"reusing {BENCH_DIR / 'inhouse.sqlite3'} ({have:,} requests)")
        return
    from inhouse.demo.generator import generate_demo

    started = time.perf_counter()
    summary = generate_demo(seed=11, request_count=request_count)
    print(
        f"generated the bench organization: {summary.requests:,} requests, "
        f"{summary.events:,} events in {time.perf_counter() - started:.0f} s"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ}
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "inhouse.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--workers", "1",
            "--threads", "4",
            "--log-level", "warning",
            "--no-control-socket",
        ],
        env=env,
        cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


def hammer(port: int, method: str, path: str, bodies: list[bytes], headers: dict, clients: int):
    """Send every body once, spread over ``clients`` keep-alive connections."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    chunks = [bodies[n::clients] for n in range(clients)]

    def run(chunk: list[bytes]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for body in chunk:
            started = time.perf_counter()
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(bodies) / (time.perf_counter() - started), latencies, statuses


def bench_http(submits: int, lists: int) -> None:
    from django.db import connection

    from inhouse.ops.bench import BENCH_TABLE_SQL
    from inhouse.org.models import Person
    from inhouse.org.services import create_api_token

    with connection.cursor() as cursor:
        cursor.execute(BENCH_TABLE_SQL)
    requester = Person.objects.get(user__username="rita")
    agent = Person.objects.get(user__username="alex")
    requester_token = create_api_token(person=requester, name="bench")
    agent_token = create_api_token(person=agent, name="bench")
    connection.close()

    port = free_port()
    server = start_server(port)
    try:
        json_headers = {"Content-Type": "application/json"}
        submit_body = json.dumps(
            {
                "service": "password-reset",
                "subject": "Locked out after holidays",
                "form_answers": {},
            }
        ).encode()
        # Warm both paths so imports and caches are not counted.
        hammer(port, "POST", "/bench/insert", [b"{}"] * 20, json_headers, 2)
        hammer(port, "POST", "/api/v1/requests", [submit_body] * 20,
               {**json_headers, "Authorization": f"Bearer {requester_token}"}, 2)  # fmt: skip

        bare_rate, _, bare_statuses = hammer(
            port, "POST", "/bench/insert", [submit_body] * submits, json_headers, 4
        )
        api_rate, submit_ms, api_statuses = hammer(
            port, "POST", "/api/v1/requests", [submit_body] * submits,
            {**json_headers, "Authorization": f"Bearer {requester_token}"}, 4,
        )  # fmt: skip
        print("\n== submit through the HTTP API (1 gunicorn process, 4 threads, SQLite, 4 clients)")
        print(f"bare Django insert view   {bare_rate:8.0f} req/s   statuses {bare_statuses}")
        print(f"POST /api/v1/requests     {api_rate:8.0f} req/s   statuses {api_statuses}")
        print(f"ratio API / bare          {api_rate / bare_rate:8.2f}   (aim: >= 0.5)")
        print(f"submit latency            {describe(submit_ms)}")

        agent_headers = {"Authorization": f"Bearer {agent_token}"}
        print(f"\n== filtered lists, {lists} sequential calls each, 1 client")
        for label, path in [
            (
                "team open queue",
                "/api/v1/requests?provider_team=it-service-desk&open=true&limit=25",
            ),
            ("status + priority", "/api/v1/requests?status=new&status=in_progress&priority=high"),
            ("breached", "/api/v1/requests?provider_team=it-service-desk&breached=true"),
            ("text search", "/api/v1/requests?q=laptop&limit=25"),
        ]:
            _, samples, statuses = hammer(port, "GET", path, [b""] * lists, agent_headers, 1)
            print(f"{label:<24}  {describe(samples)}   statuses {statuses}")
    finally:
        server.terminate()
        server.wait(timeout=10)


def bench_pages(loads: int) -> None:
    """Server time of the agent's pages, measured in-process (no network)."""
    from django.test import Client
    from django.urls import NoReverseMatch, Resolver404, resolve

    from inhouse.desk.models import Request
    from inhouse.org.models import Person

    agent = Person.objects.get(user__username="alex")
    client = Client()
    client.force_login(agent.user)
    team_slug = agent.memberships.first().team.slug
    sample = Request.objects.filter(provider_team__slug=team_slug).order_by("-pk").first()
    pages = [
        ("agent queue page", f"/work/{team_slug}/"),
        ("agent request page", f"/work/requests/{sample.reference}/"),
        ("requester home page", "/"),
    ]
    print(f"\n== web pages with {Request.objects.count():,} requests, {loads} loads each")
    for label, path in pages:
        try:
            resolve(path)
        except (Resolver404, NoReverseMatch):
            print(f"{label:<24}  not built yet")
            continue
        client.get(path)
        samples = []
        for _ in range(loads):
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        print(
            f"{label:<24}  {describe(samples)}   "
            f"status {response.status_code}   (aim: median < 100 ms)"
        )


def bench_business_time() -> None:
    print("\n== business-time arithmetic")
    subprocess.run([PYTHON, str(ROOT / "bench" / "bench_businesstime.py")], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000, help="size of the bench database")
    parser.add_argument("--submits", type=int, default=1000)
    parser.add_argument("--lists", type=int, default=200)
    parser.add_argument("--page-loads", type=int, default=50)
    options = parser.parse_args()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    configure_django(BENCH_DIR)
    ensure_data(options.requests)
    bench_http(options.submits, options.lists)
    bench_pages(options.page_loads)
    bench_business_time()


if __name__ == "__main__":
    main()
