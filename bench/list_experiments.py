"""The slow lists' queries today next to the shapes FINDINGS.md proposes, in raw SQL.

    python bench/list_experiments.py var/bench/scratch-100000/inhouse.sqlite3

SQLite only, on a scratch copy (it creates the proposed indexes there). For each
list it prints the plan and the median and p99 time of the current query and of
each proposal, and checks that every proposal returns the same rows in the same
order as the current query.
"""

import sqlite3
import statistics
import sys
import time

RUNS = 30
PAGE = 26  # a page of 25 plus one to know whether there is a next page
OPEN = "('new', 'in_progress', 'waiting_on_customer', 'waiting_on_supplier')"
OPEN_STATUSES = ("new", "in_progress", "waiting_on_customer", "waiting_on_supplier")
STATUSES = (*OPEN_STATUSES, "resolved", "closed", "cancelled")

# What page_of_requests selects: the request and the five rows it shows with it.
ROW = """
SELECT r.*, s.slug, pt.slug, rq.full_name, ct.slug, asg.full_name
FROM desk_request r
JOIN catalog_service s ON s.id = r.service_id
JOIN org_team pt ON pt.id = r.provider_team_id
JOIN org_person rq ON rq.id = r.requester_id
LEFT JOIN org_team ct ON ct.id = r.customer_team_id
LEFT JOIN org_person asg ON asg.id = r.assignee_id
"""

PROPOSED_INDEXES = [
    # Watched requests newest first without a sort (the m2m table has (request, person)).
    "CREATE INDEX IF NOT EXISTS x_watch_person ON desk_request_watchers (person_id, request_id)",
    # The customer branch skips confidential rows inside the index.
    "CREATE INDEX IF NOT EXISTS x_req_customer ON desk_request "
    "(customer_team_id, confidential, id)",
]


def visible(person: int, teams: tuple[int, ...], queue_teams: tuple[int, ...]) -> str:
    """visible_requests_q as SQL: the OR the API list uses today."""
    watched = f"SELECT request_id FROM desk_request_watchers WHERE person_id = {person}"
    branches = [f"r.requester_id = {person}", f"r.id IN ({watched})"]
    if queue_teams:
        branches.append(f"r.provider_team_id IN ({', '.join(map(str, queue_teams))})")
    if teams:
        branches.append(
            f"(r.customer_team_id IN ({', '.join(map(str, teams))}) AND NOT r.confidential)"
        )
    return "(" + " OR ".join(branches) + ")"


def branch_ids(
    person: int, teams: tuple[int, ...], queue_teams: tuple[int, ...], extra: str
) -> list[str]:
    """Each way of seeing a request as its own keyset query, newest first, LIMITed."""
    extra_r = f" AND {extra}" if extra else ""
    branches = [
        f"SELECT id FROM desk_request r WHERE r.requester_id = {person}{extra_r}",
        f"SELECT w.request_id AS id FROM desk_request_watchers w "
        f"JOIN desk_request r ON r.id = w.request_id WHERE w.person_id = {person}{extra_r}",
    ]
    branches += [
        f"SELECT id FROM desk_request r WHERE r.provider_team_id = {team}{extra_r}"
        for team in queue_teams
    ]
    branches += [
        f"SELECT id FROM desk_request r WHERE r.customer_team_id = {team} "
        f"AND r.confidential = 0{extra_r}"
        for team in teams
    ]
    return [f"SELECT * FROM ({sql} ORDER BY id DESC LIMIT {PAGE})" for sql in branches]


def union_page(
    person: int, teams: tuple[int, ...], queue_teams: tuple[int, ...], extra: str = ""
) -> str:
    ids = " UNION ".join(branch_ids(person, teams, queue_teams, extra))
    return (
        f"WITH page AS ({ids} ORDER BY id DESC LIMIT {PAGE}) "
        f"{ROW} JOIN page ON page.id = r.id ORDER BY r.id DESC"
    )


def or_of_limited_in(
    person: int, teams: tuple[int, ...], queue_teams: tuple[int, ...], extra: str = ""
) -> str:
    """The same branches as ``pk IN (… LIMIT n) OR …``: one query the ORM can write."""
    where = " OR ".join(
        f"r.id IN ({branch})" for branch in branch_ids(person, teams, queue_teams, extra)
    )
    cursor = f" AND {extra}" if extra else ""
    return f"{ROW} WHERE ({where}){cursor} ORDER BY r.id DESC LIMIT {PAGE}"


def timed(connection: sqlite3.Connection, sql: str) -> tuple[list, float, float]:
    rows: list = []
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        rows = connection.execute(sql).fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    ordered = sorted(samples)
    return rows, statistics.median(samples), ordered[round(0.99 * (len(ordered) - 1))]


def compare(connection: sqlite3.Connection, title: str, current: str, **proposals: str) -> None:
    print(f"\n=== {title}")
    baseline, p50, p99 = timed(connection, current)
    print(f"  current: p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  ({len(baseline)} rows)")
    for line in connection.execute("EXPLAIN QUERY PLAN " + current).fetchall():
        print(f"      {line[3]}")
    for name, sql in proposals.items():
        rows, p50, p99 = timed(connection, sql)
        same = "same rows" if rows == baseline else "DIFFERENT ROWS"
        print(f"  {name}: p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  ({len(rows)} rows, {same})")
        for line in connection.execute("EXPLAIN QUERY PLAN " + sql).fetchall():
            print(f"      {line[3]}")


def person_and_teams(connection: sqlite3.Connection, username: str) -> tuple:
    (person,) = connection.execute(
        "SELECT p.id FROM org_person p JOIN auth_user u ON u.id = p.user_id WHERE u.username = ?",
        [username],
    ).fetchone()
    memberships = connection.execute(
        "SELECT team_id, role FROM org_membership WHERE person_id = ?", [person]
    ).fetchall()
    teams = tuple(team for team, _ in memberships)
    queue_teams = tuple(team for team, role in memberships if role in ("agent", "lead"))
    return person, teams, queue_teams


def main() -> None:
    connection = sqlite3.connect(sys.argv[1])
    (total,) = connection.execute("SELECT COUNT(*) FROM desk_request").fetchone()
    print(f"{sys.argv[1]}: {total:,} requests")
    for statement in PROPOSED_INDEXES:
        connection.execute(statement)
    connection.execute("ANALYZE")
    agent = person_and_teams(connection, "alex")
    requester = person_and_teams(connection, "rita")
    team = agent[2][0]
    (deep_cursor,) = connection.execute(
        f"SELECT id FROM desk_request r WHERE {visible(*agent)} "
        f"ORDER BY id DESC LIMIT 1 OFFSET {49 * 25 - 1}"
    ).fetchone()

    for label, who in (("agent", agent), ("requester", requester)):
        compare(
            connection,
            f"API first page, {label}",
            f"{ROW} WHERE {visible(*who)} ORDER BY r.id DESC LIMIT {PAGE}",
            union_of_branches=union_page(*who),
            or_of_limited_in=or_of_limited_in(*who),
        )
    compare(
        connection,
        "API page 50 deep, agent",
        f"{ROW} WHERE {visible(*agent)} AND r.id < {deep_cursor} ORDER BY r.id DESC LIMIT {PAGE}",
        union_of_branches=union_page(*agent, extra=f"r.id < {deep_cursor}"),
        or_of_limited_in=or_of_limited_in(*agent, extra=f"r.id < {deep_cursor}"),
    )
    open_team = f"r.provider_team_id = {team} AND r.status IN {OPEN}"
    compare(
        connection,
        "API filtered (team, open), agent",
        f"{ROW} WHERE {visible(*agent)} AND {open_team} ORDER BY r.id DESC LIMIT {PAGE}",
        union_of_branches=union_page(*agent, extra=open_team),
    )

    # The queue, sorted by due time over the four open statuses (dated part).
    per_status = " UNION ALL ".join(
        f"SELECT * FROM (SELECT id, resolution_due_at FROM desk_request "
        f"WHERE provider_team_id = {team} AND status = '{status}' "
        f"AND resolution_due_at IS NOT NULL ORDER BY resolution_due_at, id LIMIT {PAGE})"
        for status in OPEN_STATUSES
    )
    compare(
        connection,
        "queue page: open, by due time",
        f"{ROW} WHERE r.provider_team_id = {team} AND r.status IN {OPEN} "
        f"AND r.resolution_due_at IS NOT NULL ORDER BY r.resolution_due_at, r.id LIMIT {PAGE}",
        merge_per_status=(
            f"WITH page AS ({per_status} ORDER BY resolution_due_at, id LIMIT {PAGE}) "
            f"{ROW} JOIN page ON page.id = r.id ORDER BY r.resolution_due_at, r.id"
        ),
    )
    counts = ", ".join(f"COUNT(r.id) FILTER (WHERE r.status = '{status}')" for status in STATUSES)
    capped = ", ".join(
        f"(SELECT COUNT(*) FROM (SELECT 1 FROM desk_request WHERE provider_team_id = {team} "
        f"AND status = '{status}' LIMIT 10000))"
        for status in STATUSES
    )
    compare(
        connection,
        "queue page: counts per status (shape only; the capped one differs above 10,000)",
        f"SELECT {counts} FROM desk_request r WHERE r.provider_team_id = {team}",
        capped_at_10000=f"SELECT {capped}",
        open_and_resolved_exact=(
            f"SELECT status, COUNT(*) FROM desk_request WHERE provider_team_id = {team} "
            f"AND status IN {OPEN[:-1]}, 'resolved') GROUP BY status"
        ),
    )


if __name__ == "__main__":
    main()
