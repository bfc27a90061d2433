"""Where a list's time goes: every SQL query of one call, its time and its plan.

    INHOUSE_DATA_DIR=var/bench/sqlite-100000 python bench/explain.py
    scripts/with-postgres.sh python bench/explain.py   (after the bench made bench_100000)

Calls each list as the bench does (in-process, through the test client), captures its
queries, and prints the slowest with ``EXPLAIN QUERY PLAN`` (SQLite) or ``EXPLAIN
ANALYZE`` (PostgreSQL). Read-only apart from a token and a session for the cast.
"""

import os
import statistics
import time
from urllib.parse import urlencode

CALLS = 5
SLOWEST = 3


def setup_django() -> None:
    os.environ["INHOUSE_TASK_BACKEND"] = "dummy"
    os.environ["DJANGO_SETTINGS_MODULE"] = "inhouse.settings"
    import django

    django.setup()


def explain(sql: str) -> list[str]:
    """The plan of a captured query (its parameters already written into the text)."""
    from django.db import connection

    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        return [" | ".join(str(part) for part in row) for row in cursor.fetchall()]


def main() -> None:
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from inhouse.org.models import Membership, Person
    from inhouse.org.services import create_api_token

    agent = Person.objects.get(user__username="alex")
    requester = Person.objects.get(user__username="rita")
    team = Membership.objects.select_related("team").get(person=agent).team
    tokens = {
        "agent": create_api_token(person=agent, name="explain"),
        "requester": create_api_token(person=requester, name="explain"),
    }
    browser = Client()
    browser.force_login(agent.user)
    api = Client()

    first = "/api/v1/requests?limit=25"
    filtered = "/api/v1/requests?" + urlencode(
        {"provider_team": team.slug, "open": "true", "limit": 25}
    )
    cursor = ""
    for _ in range(49):
        page = api.get(
            first + (f"&cursor={cursor}" if cursor else ""),
            HTTP_AUTHORIZATION=f"Bearer {tokens['agent']}",
        ).json()
        cursor = page["next_cursor"]
    calls = [
        ("API first page, agent", api, first, tokens["agent"]),
        ("API first page, requester", api, first, tokens["requester"]),
        ("API filtered (team, open)", api, filtered, tokens["agent"]),
        ("API page 50 deep, agent", api, f"{first}&cursor={cursor}", tokens["agent"]),
        ("queue page", browser, f"/work/{team.slug}/", None),
    ]
    for label, client, path, token in calls:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        totals: list[float] = []
        for _ in range(CALLS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path, **headers)
                totals.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        queries = captured.captured_queries
        sql_ms = sum(float(q["time"]) for q in queries) * 1000
        print(f"\n=== {label}: {path}")
        print(
            f"in-process median {statistics.median(totals):.1f} ms, {len(queries)} queries, "
            f"{sql_ms:.1f} ms in SQL (last call)"
        )
        for query in sorted(queries, key=lambda q: -float(q["time"]))[:SLOWEST]:
            print(f"\n  {float(query['time']) * 1000:.1f} ms: {query['sql'][:1500]}")
            for line in explain(query["sql"]):
                print(f"      {line}")
    connection.close()


if __name__ == "__main__":
    main()
