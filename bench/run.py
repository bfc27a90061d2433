"""`make bench`: the speed figures Inhouse tracks, printed from one run.

- Submits and comments per second through the HTTP API (gunicorn, 2 workers,
  8 clients) next to the submit floor, a bare Django view doing one token look-up
  and one INSERT, timed in the same run; the ratios are the figures to watch
  (aim: at least 0.5).
- p50/p99 of submit, of the API list (first page, filtered, 50 pages deep) and of
  the agent queue page end to end, at 100,000 and at 1,000,000 requests, next to
  the list floor, a bare view doing one indexed SELECT of a page.
- SQL queries per submit, comment and transition.
- BusinessCalendar.add calls per second.
- Search latency p50/p99 (bench/search.py) with the permission filter on, for common
  words, rare words and phrases, as a requester and as an agent; the index is built by
  `inhouse reindex` on the pristine databases.

SQLite by default; with INHOUSE_DATABASE_URL set (scripts/with-postgres.sh), the
list figures on PostgreSQL. Any timed response that is not the expected 2xx stops
the bench with an error. The databases are generated once (SQLite: under
var/bench/, reused; each run measures a fresh copy so runs do not drift) and all
traffic goes to 127.0.0.1.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = ROOT / "var" / "bench"
PYTHON = sys.executable

FULL_SIZES = (100_000, 1_000_000)
QUICK_SIZES = (10_000, 50_000)


def search_worker(args: list[str], env: dict[str, str]) -> None:
    """Run search.py: build the index (``--prepare``) or time the searches."""
    completed = subprocess.run([PYTHON, str(BENCH / "search.py"), *args], env=env, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"bench failed (search.py exited with {completed.returncode})")


def worker(args: list[str], env: dict[str, str]) -> None:
    """Run measure.py; its failure (an unexpected status) is the bench's failure."""
    completed = subprocess.run([PYTHON, str(BENCH / "measure.py"), *args], env=env, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"bench failed (measure.py exited with {completed.returncode})")


# --- SQLite: pristine databases under var/bench/, a working copy per run ----------------


def sqlite_env(directory: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "INHOUSE_DATABASE_URL"}
    return {**env, "INHOUSE_DATA_DIR": str(directory)}


def prepare_sqlite(sizes: tuple[int, ...], out: Path) -> None:
    """Each size's pristine database: the smallest generated, the others grown from it."""
    base = sizes[0]
    for size in sizes:
        pristine = DATA / f"sqlite-{size}"
        if not (pristine / "inhouse.sqlite3").exists() and size != base:
            pristine.mkdir(parents=True, exist_ok=True)
            shutil.copy(DATA / f"sqlite-{base}" / "inhouse.sqlite3", pristine / "inhouse.sqlite3")
        print(f"== data: {size:,} requests in {pristine}", flush=True)
        worker(["--prepare", f"--requests={size}", f"--base={base}", f"--out={out}"],
               sqlite_env(pristine))  # fmt: skip
        search_worker(["--prepare"], sqlite_env(pristine))


def working_copy_sqlite(size: int) -> Path:
    run = DATA / f"run-{size}"
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir(parents=True)
    shutil.copy(DATA / f"sqlite-{size}" / "inhouse.sqlite3", run / "inhouse.sqlite3")
    return run


# --- PostgreSQL: one throwaway cluster, a database per size -----------------------------


def postgres_url(database: str) -> str:
    base = os.environ["INHOUSE_DATABASE_URL"]
    return base.rsplit("/", 1)[0] + "/" + database


def postgres_admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url("postgres"), autocommit=True) as connection:
        connection.execute(statement)


def postgres_env(database: str) -> dict[str, str]:
    return {**os.environ, "INHOUSE_DATABASE_URL": postgres_url(database)}


def prepare_postgres(sizes: tuple[int, ...], out: Path) -> None:
    base = sizes[0]
    for size in sizes:
        database = f"bench_{size}"
        postgres_admin(f"DROP DATABASE IF EXISTS {database}")
        template = f" TEMPLATE bench_{base}" if size != base else ""
        postgres_admin(f"CREATE DATABASE {database}{template}")
        print(f"== data: {size:,} requests in PostgreSQL database {database}", flush=True)
        worker(["--prepare", f"--requests={size}", f"--base={base}", f"--out={out}"],
               postgres_env(database))  # fmt: skip
        search_worker(["--prepare"], postgres_env(database))


def working_copy_postgres(size: int) -> str:
    database = f"bench_run_{size}"
    postgres_admin(f"DROP DATABASE IF EXISTS {database}")
    postgres_admin(f"CREATE DATABASE {database} TEMPLATE bench_{size}")
    return database


# --- the report ---------------------------------------------------------------------------


def print_summary(engine: str, results: dict[int, dict]) -> None:
    print(f"\n==== summary, {engine}")
    first = next(iter(results.values()))
    if "queries" in first:
        counts = first["queries"]
        print(
            f"SQL queries: submit {counts['submit']}, comment {counts['comment']}, "
            f"transition {counts['transition']}"
        )
    for figures in results.values():
        print(
            f"\n-- {figures['requests']:,} requests; the agent's team {figures['team']} holds "
            f"{figures['team_requests']:,}, {figures['team_open']:,} of them open"
        )
        rates = figures.get("rates")
        if rates:
            floor = rates["floor_rate"]
            print(f"floor (token look-up + INSERT)  {floor:7.0f} req/s")
            print(
                f"POST /api/v1/requests           {rates['submit_rate']:7.0f} req/s   "
                f"ratio {rates['submit_rate'] / floor:4.2f} (aim >= 0.5)   "
                f"p50 {rates['submit_p50']:6.1f} ms  p99 {rates['submit_p99']:6.1f} ms "
                "(8 clients)"
            )
            print(
                f"POST …/comments                 {rates['comment_rate']:7.0f} req/s   "
                f"ratio {rates['comment_rate'] / floor:4.2f}                 "
                f"p50 {rates['comment_p50']:6.1f} ms  p99 {rates['comment_p99']:6.1f} ms"
            )
        lists = figures["lists"]
        floor_p99 = next(iter(lists.values()))["p99"]
        for label, latency in lists.items():
            print(
                f"{label:<40} p50 {latency['p50']:6.1f} ms  p99 {latency['p99']:6.1f} ms  "
                f"p99/floor {latency['p99'] / floor_p99:5.1f}  ({latency['calls']} calls)"
            )


def print_search(figures: dict) -> None:
    """The search figures of one size; the aims are the issue's (p99 < 250 ms on SQLite,
    < 100 ms on PostgreSQL)."""
    for label, latency in figures.get("search", {}).items():
        print(
            f"search: {label:<28} p50 {latency['p50']:6.1f} ms  p99 {latency['p99']:6.1f} ms  "
            f"(counts p99 {latency['counts_p99']:6.1f} ms; {latency['calls']} calls)  "
            f"API p50 {latency['api_p50']:6.1f} p99 {latency['api_p99']:6.1f} ms  "
            f"page p50 {latency['page_p50']:6.1f} p99 {latency['page_p99']:6.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 and 50,000 requests")
    parser.add_argument("--submits", type=int, default=1000, help="timed submits per size")
    parser.add_argument("--samples", type=int, default=200, help="timed calls per list")
    options = parser.parse_args()
    sizes = QUICK_SIZES if options.quick else FULL_SIZES
    submits = min(options.submits, 300) if options.quick else options.submits
    on_postgres = bool(os.environ.get("INHOUSE_DATABASE_URL"))
    engine = "PostgreSQL (lists only)" if on_postgres else "SQLite WAL"
    DATA.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "result.json"
        if on_postgres:
            prepare_postgres(sizes, out)
        else:
            prepare_sqlite(sizes, out)
        for size in sizes:
            print(f"\n== measuring {size:,} requests on {engine}", flush=True)
            args = [f"--requests={size}", f"--base={sizes[0]}", f"--out={out}",
                    f"--submits={submits}", f"--samples={options.samples}"]  # fmt: skip
            searched = Path(scratch) / "search.json"
            search_args = [f"--samples={options.samples}", f"--out={searched}"]
            if on_postgres:
                env = postgres_env(working_copy_postgres(size))
                worker(args, env)
                results[size] = json.loads(out.read_text())
                search_worker(search_args, env)
            else:
                run = working_copy_sqlite(size)
                worker([*args, "--rates"], sqlite_env(run))
                results[size] = json.loads(out.read_text())
                search_worker(search_args, sqlite_env(run))
                shutil.rmtree(run)
            searched_figures = json.loads(searched.read_text())
            results[size]["search_articles"] = searched_figures.pop("published_articles")
            results[size]["search"] = searched_figures
    if not on_postgres:
        print("\n== business-time arithmetic", flush=True)
        subprocess.run([PYTHON, str(BENCH / "bench_businesstime.py")], check=True)
    print_summary(engine, results)
    for figures in results.values():
        print(
            f"\n-- search over {figures['requests']:,} requests and "
            f"{figures['search_articles']:,} published articles"
        )
        print_search(figures)
    print(f"\n(bench took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
