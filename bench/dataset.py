"""The bench databases: generated once under var/bench/ and reused.

The smaller size is the demo generator's own output (a year of history through the
services' rules). The larger one starts as a copy of it and grows by bulk-copying
its requests with ``INSERT … SELECT`` at offset ids and references, so a million
requests take minutes instead of the generator's hour, and the copies keep the
generated mix of teams, statuses, requesters, watchers and due times the query
planner sees. A copy carries the request, its clocks, references, team holdings,
watchers and its "created" event; comments and the rest of the history stay with
the originals (no list reads them). The grown database also holds ``ARTICLES``
published knowledge articles: the demo's, copied the same way with their service links
(the search bench reads them; their revisions, votes and deflections stay with the
originals).

Django must already be configured for the target database.
"""

import time
from collections.abc import Callable

from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction

from inhouse.desk.history_chain import chain_stored_history

SEED = 11
# A copy's reference numbers are the original's plus a multiple of this, so every
# copy keeps the team prefix and stays unique; no team has numbered this many yet.
REFERENCE_STRIDE = 1_000_000
# Published articles a grown database holds (the 5,000 next to 1M requests).
ARTICLES = 5_000

Say = Callable[[str], None]


def request_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM desk_request")
        return cursor.fetchone()[0]


def has_organization() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM org_person)")
        return bool(cursor.fetchone()[0])


def generate(count: int, say: Say) -> None:
    """Run the demo generator for ``count`` requests into the empty configured database."""
    from inhouse.demo.generator import generate_demo

    started = time.perf_counter()
    last_report = [0.0]

    def progress(label: str, done: int, total: int) -> None:
        if time.perf_counter() - last_report[0] > 10 or done == total:
            last_report[0] = time.perf_counter()
            say(f"  {label}: {done:,}/{total:,} ({time.perf_counter() - started:.0f} s)")

    call_command("migrate", verbosity=0)
    summary = generate_demo(seed=SEED, request_count=count, progress=progress)
    say(
        f"  generated {summary.requests:,} requests and {summary.events:,} events "
        f"in {time.perf_counter() - started:.0f} s"
    )


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, table)
    return [column.name for column in described]


def _reference_copy(column: str, copy: int) -> str:
    """SQL for the reference of the ``copy``-th copy: same prefix, number moved up."""
    shift = copy * REFERENCE_STRIDE
    if connection.vendor == "postgresql":
        return (
            f"split_part({column}, '-', 1) || '-' || "
            f"(split_part({column}, '-', 2)::integer + {shift})::text"
        )
    return (
        f"substr({column}, 1, instr({column}, '-')) || "
        f"(CAST(substr({column}, instr({column}, '-') + 1) AS INTEGER) + {shift})"
    )


def _copy_rows(
    table: str,
    *,
    copy: int,
    id_shift: int | None,
    request_shift: int,
    request_limit: int,
    request_column: str = "request_id",
    where: str = "",
) -> int:
    """Copy the rows of the first ``request_limit`` requests' ``table`` once more."""
    shifted = {request_column: f"{request_column} + {request_shift}"}
    if id_shift is not None:
        shifted["id"] = f"id + {id_shift}"
    if table == "desk_request":
        shifted["reference"] = _reference_copy("reference", copy)
        shifted["parent_id"] = f"parent_id + {request_shift}"
    if table == "desk_requestreference":
        shifted["reference"] = _reference_copy("reference", copy)
    columns = [c for c in _columns(table) if c != "id" or id_shift is not None]
    selected = ", ".join(shifted.get(column, column) for column in columns)
    condition = f"{request_column} <= {request_limit}" + (f" AND {where}" if where else "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 (names from the schema)
            f"SELECT {selected} FROM {table} WHERE {condition}"
        )
        return cursor.rowcount


def _max_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def grow(target: int, say: Say) -> None:
    """Copy the generated requests until the table holds ``target`` requests."""
    base_requests = request_count()
    base_max = _max_id("desk_request")
    if base_requests != base_max:
        raise SystemExit("The base bench database must have requests numbered 1..N to grow it.")
    id_tables = ["sla_clock", "desk_requestreference", "desk_teamholding", "desk_requestevent"]
    table_max = {table: _max_id(table) for table in id_tables}
    started = time.perf_counter()
    copy = 0
    while request_count() < target:
        copy += 1
        limit = min(base_max, target - request_count())
        shift = copy * base_max
        with transaction.atomic():
            _copy_rows("desk_request", copy=copy, id_shift=shift, request_shift=shift,
                       request_limit=limit, request_column="id")  # fmt: skip
            for table in id_tables:
                _copy_rows(
                    table,
                    copy=copy,
                    id_shift=copy * table_max[table],
                    request_shift=shift,
                    request_limit=limit,
                    where="kind = 'created'" if table == "desk_requestevent" else "",
                )
            _copy_rows("desk_request_watchers", copy=copy, id_shift=None, request_shift=shift,
                       request_limit=limit)  # fmt: skip
        say(f"  copy {copy}: {request_count():,} requests ({time.perf_counter() - started:.0f} s)")
    say("  sealing the copies' history chains")
    with transaction.atomic():
        # A copied event still carries its original's digest, made for another request id.
        chain_stored_history(
            apps.get_model("desk", "Request"),
            apps.get_model("desk", "RequestEvent"),
            first_request_id=base_max + 1,
        )
    with transaction.atomic(), connection.cursor() as cursor:
        # New submits must number after the copies' references.
        cursor.execute(
            "UPDATE desk_teamcounter SET last_number = last_number + %s",
            [copy * REFERENCE_STRIDE],
        )
    ensure_demo_articles(say)
    grow_articles(ARTICLES, say)
    if connection.vendor == "postgresql":
        _reset_sequences()
    _analyze()
    say(f"  grew to {request_count():,} requests in {time.perf_counter() - started:.0f} s")


def published_article_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM knowledge_article WHERE status = 'published'")
        return cursor.fetchone()[0]


def ensure_demo_articles(say: Say) -> None:
    """The demo's knowledge base (about 150 articles), written when the database has no
    article at all: it was generated before the knowledge base existed."""
    from django.utils import timezone

    from inhouse.catalog.models import Service
    from inhouse.demo import catalog_data
    from inhouse.demo.knowledge_articles import create_demo_articles

    if apps.get_model("knowledge", "Article").objects.exists():
        return
    slugs = [spec.slug for spec in catalog_data.SERVICES]
    services = {service.slug: service for service in Service.objects.filter(slug__in=slugs)}
    with transaction.atomic():
        totals = create_demo_articles(services=services, seed=SEED, now=timezone.now())
    say(f"  wrote the demo's {totals.articles:,} articles")


def grow_articles(target: int, say: Say) -> None:
    """Copy the published articles, with their service links, until ``target`` are
    published: a copy keeps its original's team, text and links, and takes new ids and
    its original's slug with a suffix of its own. Set-based: two statements a copy."""
    originals = published_article_count()
    if originals == 0 or originals >= target:
        return
    columns = _columns("knowledge_article")
    batches = 0
    while (have := published_article_count()) < target:
        batches += 1
        shift = _max_id("knowledge_article")
        # The originals come first by id, so this copies no copy; the last batch copies
        # only as many as the target still wants.
        chosen = (
            f"status = 'published' AND id <= {_nth_published_id(min(originals, target - have))}"
        )
        shifted = {"id": f"id + {shift}", "slug": f"slug || '-c{shift}'"}
        selected = ", ".join(shifted.get(column, column) for column in columns)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO knowledge_article ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {selected} FROM knowledge_article WHERE {chosen}"
            )
            cursor.execute(
                "INSERT INTO knowledge_article_services (article_id, service_id) "  # noqa: S608
                f"SELECT article_id + {shift}, service_id FROM knowledge_article_services "
                f"WHERE article_id IN (SELECT id FROM knowledge_article WHERE {chosen})"
            )
    if connection.vendor == "postgresql":
        from django.core.management.color import no_style

        article_models = [apps.get_model("knowledge", "Article")]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), article_models):
                cursor.execute(statement)
    say(f"  {published_article_count():,} published articles ({batches} copies)")


def _nth_published_id(count: int) -> int:
    """The id of the ``count``-th published original article (by id)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM knowledge_article WHERE status = 'published' ORDER BY id "
            "LIMIT 1 OFFSET %s",
            [count - 1],
        )
        return cursor.fetchone()[0]


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    models = [apps.get_model("desk", "Request"), apps.get_model("sla", "Clock")] + [
        apps.get_model("desk", name) for name in ("RequestReference", "TeamHolding", "RequestEvent")
    ]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _analyze() -> None:
    """Fresh planner statistics and, on PostgreSQL, a visibility map, as a database
    that has lived with this data would have: without the vacuum, every index-only
    scan also reads the table until autovacuum happens to pass, so the figures
    would depend on whether it had."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    _checkpoint()


def _checkpoint() -> None:
    """Fold SQLite's write-ahead log into the file: the bench copies the file alone."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def ensure(count: int, *, base: int, say: Say) -> None:
    """Make the configured database hold ``count`` requests: generate or grow, or reuse."""
    if has_organization_safe():
        have = request_count()
        if have >= count:
            say(f"  reusing {have:,} requests")
            # A database made under an older schema is brought up to date first.
            call_command("migrate", verbosity=0)
            # A database made before it held the articles gets them now.
            ensure_demo_articles(say)
            if count > base:
                grow_articles(ARTICLES, say)
            _checkpoint()
            return
        grow(count, say)
        return
    generate(min(count, base), say)
    _analyze()
    if count > base:
        grow(count, say)


def has_organization_safe() -> bool:
    """Whether the database already holds an organization (False before the first migrate)."""
    return "org_person" in connection.introspection.table_names() and has_organization()
