"""One database size, measured: `run.py` starts this once per size and reads its JSON.

Configures Django for the database the environment names (``INHOUSE_DATA_DIR`` for
SQLite, ``INHOUSE_DATABASE_URL`` for PostgreSQL), makes sure it holds the requests,
then measures under a gunicorn it starts itself: the submit and comment rates next to
the submit floor (with ``--rates``), and the latency of the lists next to the list floor.
"""

import argparse
import datetime
import json
import os
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

REQUESTER = "rita"
AGENT = "alex"
CLIENTS = 8
DEEP_PAGES = 50


def say(message: str) -> None:
    print(message, flush=True)


def setup_django() -> None:
    os.environ["INHOUSE_TASK_BACKEND"] = "dummy"
    os.environ["INHOUSE_BENCH_ENDPOINTS"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "inhouse.settings"
    import django

    django.setup()


def server_env() -> dict[str, str]:
    """The sources on the server's path; whitenoise wants its folder. The server queues
    its tasks as production does, in the database (no worker runs them here): with the
    dummy backend a submit skipped that write and looked a fifth faster than it is."""
    if os.environ.get("INHOUSE_DATA_DIR"):
        (Path(os.environ["INHOUSE_DATA_DIR"]) / "static").mkdir(exist_ok=True)
    paths = [str(BENCH), str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in paths if p),
        "INHOUSE_TASK_BACKEND": "database",
    }


class Cast:
    """The people, tokens and targets the calls use, read once before timing."""

    def __init__(self) -> None:
        from django.db import connection
        from django.test import Client

        from inhouse.ops.bench import BENCH_TABLE_SQL, BENCH_TABLE_SQL_POSTGRESQL
        from inhouse.org.models import Membership, Person
        from inhouse.org.services import create_api_token

        with connection.cursor() as cursor:
            cursor.execute(
                BENCH_TABLE_SQL_POSTGRESQL if connection.vendor == "postgresql" else BENCH_TABLE_SQL
            )
        self.requester = Person.objects.get(user__username=REQUESTER)
        self.agent = Person.objects.get(user__username=AGENT)
        self.requester_token = create_api_token(person=self.requester, name="bench")
        self.agent_token = create_api_token(person=self.agent, name="bench")
        self.team = Membership.objects.select_related("team").get(person=self.agent).team
        browser = Client()
        browser.force_login(self.agent.user)
        self.agent_session = browser.cookies["sessionid"].value
        connection.close()

    def bearer(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def submit_body(port: int, cast: Cast, service_slug: str) -> bytes:
    """A body the service's form accepts, from the form ``GET /api/v1/services/{slug}`` shows."""
    from load import Call, run_calls

    found = run_calls(
        port,
        [Call("GET", f"/api/v1/services/{service_slug}")],
        headers=cast.bearer(cast.requester_token),
        clients=1,
        expect=200,
        keep_bodies=True,
    )
    return body_for(json.loads(found.bodies[0]), cast)


def body_for(service: dict, cast: Cast) -> bytes:
    """Every required question of the service's form answered from its kind."""
    answers: dict[str, object] = {}
    for field in service["form"]:
        if not field["required"]:
            continue
        kind = field["kind"]
        if kind == "file":
            raise SystemExit(f"{service['slug']} requires a file; pick another service to bench.")
        answers[field["key"]] = {
            "number": 1,
            "date": datetime.date.today().isoformat(),
            "choice": field["choices"][0] if field["choices"] else "",
            "multi_choice": field["choices"][:1],
            "person": cast.requester.pk,
            "team": cast.team.pk,
        }.get(kind, "Bench answer")
    return json.dumps(
        {
            "service": service["slug"],
            "subject": "Locked out after holidays",
            "description": "Cannot sign in since coming back.",
            "form_answers": answers,
        }
    ).encode()


def query_counts(body: bytes, cast: Cast) -> dict[str, int]:
    """Queries of one submit, one comment and one transition, through the real API views,
    their tasks queued in the database as the server (and production) queues them."""
    from django.test.utils import override_settings

    queue = {"default": {"BACKEND": "inhouse.core.task_queue.DatabaseBackend"}}
    with override_settings(TASKS=queue):
        return _query_counts(body, cast)


def _query_counts(body: bytes, cast: Cast) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts: dict[str, int] = {}
    requester = {"HTTP_AUTHORIZATION": f"Bearer {cast.requester_token}"}
    agent = {"HTTP_AUTHORIZATION": f"Bearer {cast.agent_token}"}
    client.post("/api/v1/requests", body, content_type="application/json", **requester)  # warm
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            "/api/v1/requests", body, content_type="application/json", **requester
        )
    _expect(response, "POST /api/v1/requests", 201)
    counts["submit"] = len(captured)
    reference = response.json()["reference"]
    comment = json.dumps({"body": "Any news?"})
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/api/v1/requests/{reference}/comments", comment,
            content_type="application/json", **requester,
        )  # fmt: skip
    _expect(response, f"POST /api/v1/requests/{reference}/comments", 201)
    counts["comment"] = len(captured)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/api/v1/requests/{reference}/transitions", json.dumps({"to": "in_progress"}),
            content_type="application/json", **agent,
        )  # fmt: skip
    _expect(response, f"POST /api/v1/requests/{reference}/transitions", 200)
    counts["transition"] = len(captured)
    connection.close()
    return counts


def _expect(response, endpoint: str, status: int) -> None:
    if response.status_code != status:
        from load import BenchFailure

        raise BenchFailure(
            f"bench stopped: {endpoint} answered {response.status_code} (expected {status}): "
            f"{response.content[:200].decode(errors='replace')}"
        )


def measure_rates(port: int, cast: Cast, body: bytes, submits: int) -> dict[str, object]:
    """Submit and comment rates under CLIENTS clients, each next to the floor in this run."""
    from load import Call, run_calls

    requester = cast.bearer(cast.requester_token)
    floor_calls = [Call("POST", "/bench/insert", body)] * submits
    submit_calls = [Call("POST", "/api/v1/requests", body)] * submits
    # Warm every worker's imports, caches and connections before anything is timed.
    run_calls(port, floor_calls[: 4 * CLIENTS], headers=requester, clients=CLIENTS, expect=201)
    run_calls(port, submit_calls[: 4 * CLIENTS], headers=requester, clients=CLIENTS, expect=201)

    floor_before = run_calls(port, floor_calls, headers=requester, clients=CLIENTS, expect=201)
    submitted = run_calls(
        port, submit_calls, headers=requester, clients=CLIENTS, expect=201, keep_bodies=True
    )
    references = [json.loads(answer)["reference"] for answer in submitted.bodies]
    comment = json.dumps({"body": "Any news on this?"}).encode()
    comment_calls = [
        Call("POST", f"/api/v1/requests/{references[n % len(references)]}/comments", comment)
        for n in range(submits)
    ]
    commented = run_calls(port, comment_calls, headers=requester, clients=CLIENTS, expect=201)
    floor_after = run_calls(port, floor_calls, headers=requester, clients=CLIENTS, expect=201)
    # The floor is timed before and after, so a machine that slows down mid-run
    # does not flatter or punish the endpoints in between.
    floor = (floor_before.rate + floor_after.rate) / 2
    return {
        "floor_rate": floor,
        "submit_rate": submitted.rate,
        "comment_rate": commented.rate,
        "submit_p50": submitted.p50,
        "submit_p99": submitted.p99,
        "comment_p50": commented.p50,
        "comment_p99": commented.p99,
    }


def deep_cursor(port: int, cast: Cast, path: str) -> str:
    """Follow next_cursor to the 50th page (not timed), for timing that page alone."""
    from load import Call, run_calls

    cursor = ""
    for _ in range(DEEP_PAGES - 1):
        page = run_calls(
            port,
            [Call("GET", path + (f"&cursor={cursor}" if cursor else ""))],
            headers=cast.bearer(cast.agent_token),
            clients=1,
            expect=200,
            keep_bodies=True,
        )
        cursor = json.loads(page.bodies[0])["next_cursor"]
        if not cursor:
            raise SystemExit(f"{path} has fewer than {DEEP_PAGES} pages for the agent.")
    return cursor


def measure_lists(port: int, cast: Cast, samples: int) -> dict[str, dict[str, float]]:
    """p50/p99 of each list, one client calling in turn, next to the list floor."""
    from load import Call, run_calls

    first = "/api/v1/requests?limit=25"
    filtered = "/api/v1/requests?" + urlencode(
        {"provider_team": cast.team.slug, "open": "true", "limit": 25}
    )
    deep = f"{first}&cursor={deep_cursor(port, cast, first)}"
    agent = cast.bearer(cast.agent_token)
    browser = {"Cookie": f"sessionid={cast.agent_session}"}
    lists = [
        ("floor: one indexed SELECT of a page", f"/bench/page/{cast.team.pk}", agent),
        ("API first page, agent", first, agent),
        ("API first page, requester", first, cast.bearer(cast.requester_token)),
        ("API filtered (team, open)", filtered, agent),
        (f"API page {DEEP_PAGES} deep, agent", deep, agent),
        (f"queue page /work/{cast.team.slug}/", f"/work/{cast.team.slug}/", browser),
    ]
    figures = {}
    for label, path, headers in lists:
        calls = [Call("GET", path)] * samples
        run_calls(port, calls[:5], headers=headers, clients=1, expect=200)  # warm
        result = run_calls(port, calls, headers=headers, clients=1, expect=200)
        figures[label] = {"p50": result.p50, "p99": result.p99, "calls": result.count}
        say(
            f"    {label:<40} p50 {result.p50:7.1f} ms   p99 {result.p99:7.1f} ms   "
            f"({result.count} calls)"
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--base", type=int, required=True, help="requests the generator makes")
    parser.add_argument("--prepare", action="store_true", help="only make the data, then stop")
    parser.add_argument("--rates", action="store_true", help="also time submits and comments")
    parser.add_argument("--submits", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--service", default="password-reset")
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args()

    setup_django()
    import dataset
    from django.core.management import call_command
    from django.db import connection
    from load import gunicorn

    from inhouse.desk.models import OPEN_STATUSES, Request

    dataset.ensure(options.requests, base=options.base, say=say)
    if options.prepare:
        return
    call_command("migrate", verbosity=0)
    cast = Cast()
    results: dict[str, object] = {
        "requests": dataset.request_count(),
        "team": cast.team.slug,
        "team_requests": Request.objects.filter(provider_team=cast.team).count(),
        "team_open": Request.objects.filter(
            provider_team=cast.team, status__in=OPEN_STATUSES
        ).count(),
    }
    connection.close()
    with gunicorn(server_env()) as port:
        body = submit_body(port, cast, options.service)
        if options.rates:
            results["queries"] = query_counts(body, cast)
            results["rates"] = measure_rates(port, cast, body, options.submits)
        results["lists"] = measure_lists(port, cast, options.samples)
    options.out.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
