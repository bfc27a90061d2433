"""What differs between SQLite and PostgreSQL: copying a snapshot, restoring it, and
reading the facts (row counts, migrations, attachment rows) a manifest records."""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from inhouse.desk.models import Attachment
from inhouse.ops.backup.manifest import BackupError, Manifest
from inhouse.ops.backup.progress import ProgressBar, ProgressOutput

# Written by `migrate` itself: a database holding rows only here holds no data yet.
BOOKKEEPING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})
# One step copies this many pages (4 MiB at SQLite's default page size): often enough
# to move the bar, few enough that the steps cost nothing.
_SQLITE_PAGES_PER_STEP = 1024


@dataclass(frozen=True)
class AttachmentRow:
    stored_name: str
    sha256: str


@dataclass(frozen=True)
class DatabaseFacts:
    tables: dict[str, int]
    migrations: dict[str, list[str]]
    attachments: list[AttachmentRow]


def vendor_of(database: BaseDatabaseWrapper) -> Literal["sqlite", "postgresql"]:
    if database.vendor == "sqlite":
        return "sqlite"
    if database.vendor == "postgresql":
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {database.vendor}.")


def wrapper_for(settings_dict: dict[str, Any], **changes: Any) -> BaseDatabaseWrapper:
    """A connection of its own, outside ``connections``: a backup never joins or disturbs
    a transaction of the caller's."""
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper({**settings_dict, **changes}, alias="inhouse-backup")


def read_facts(database: BaseDatabaseWrapper) -> DatabaseFacts:
    """Row counts, applied migrations and attachment rows, read in ``database``'s current
    transaction (on PostgreSQL during a backup: the exported snapshot)."""
    quote = database.ops.quote_name
    with database.cursor() as cursor:
        names = [
            name
            for name in database.introspection.table_names(cursor)
            if not name.startswith("sqlite_")
        ]
        tables: dict[str, int] = {}
        for name in sorted(names):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608 - a catalog name
            tables[name] = cursor.fetchone()[0]
        migrations: dict[str, list[str]] = {}
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            for app, name in cursor.fetchall():
                migrations.setdefault(app, []).append(name)
        attachments: list[AttachmentRow] = []
        attachment_table = Attachment._meta.db_table
        if attachment_table in tables:
            cursor.execute(
                f"SELECT stored_name, sha256 FROM {quote(attachment_table)} ORDER BY stored_name"  # noqa: S608
            )
            attachments = [AttachmentRow(name, digest) for name, digest in cursor.fetchall()]
    return DatabaseFacts(tables=tables, migrations=migrations, attachments=attachments)


def copy_sqlite(
    database: BaseDatabaseWrapper, target: Path, output: ProgressOutput
) -> DatabaseFacts:
    name = str(database.settings_dict["NAME"])
    if not Path(name).is_file():
        raise BackupError(f"The SQLite database {name} does not exist.")
    bar = output.bar("Database", 0, "bytes")
    try:
        with (
            closing(sqlite3.connect(name, timeout=20, isolation_level=None)) as live,
            closing(sqlite3.connect(target, isolation_level=None)) as copy,
        ):
            page_size = live.execute("PRAGMA page_size").fetchone()[0]
            # One read transaction across every step: each step copies the same snapshot,
            # so the server's writers commit meanwhile (WAL) and the copy never restarts.
            live.execute("BEGIN")
            live.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()

            def report(_status: int, remaining: int, total: int) -> None:
                bar.update((total - remaining) * page_size, total * page_size)

            live.backup(copy, pages=_SQLITE_PAGES_PER_STEP, progress=report)
            live.execute("COMMIT")
            # One self-contained file: no -wal beside it, readable from read-only media.
            copy.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite database could not be copied: {error}.") from None
    bar.finish()
    copied = wrapper_for(database.settings_dict, NAME=str(target), OPTIONS={})
    try:
        return read_facts(copied)
    finally:
        copied.close()


def restore_sqlite(
    database_file: Path, database: BaseDatabaseWrapper, output: ProgressOutput
) -> None:
    name = str(database.settings_dict["NAME"])
    bar = output.bar("Database", database_file.stat().st_size, "bytes")
    try:
        with (
            closing(sqlite3.connect(f"{database_file.as_uri()}?mode=ro", uri=True)) as backup,
            closing(sqlite3.connect(name, timeout=20, isolation_level=None)) as target,
        ):
            page_size = backup.execute("PRAGMA page_size").fetchone()[0]

            def report(_status: int, remaining: int, total: int) -> None:
                bar.update((total - remaining) * page_size, total * page_size)

            # The target stays locked from the first step to the last: readers never see
            # half a restore, and a failure leaves the target as it was.
            backup.backup(target, pages=_SQLITE_PAGES_PER_STEP, progress=report)
            target.execute("PRAGMA journal_mode=WAL").fetchone()
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite database could not be restored: {error}.") from None
    bar.finish()


def dump_postgresql(
    database: BaseDatabaseWrapper, target: Path, output: ProgressOutput
) -> DatabaseFacts:
    pg_dump = _program("pg_dump")
    snapshot_holder = wrapper_for(database.settings_dict)
    try:
        snapshot_holder.ensure_connection()
        snapshot_holder.set_autocommit(False)
        with snapshot_holder.cursor() as cursor:
            # pg_dump reads the very snapshot the counts and attachment names come from;
            # the transaction exporting it stays open until pg_dump is done.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        facts = read_facts(snapshot_holder)
        _run_pg_program(
            [
                pg_dump,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--verbose",
                "--no-password",
                f"--file={target}",
            ],
            environment=_libpq_environment(database.settings_dict),
            bar=output.bar("Database", len(facts.tables), "tables"),
            counted="dumping contents of table",
        )
        snapshot_holder.rollback()
    finally:
        snapshot_holder.close()
    return facts


def restore_postgresql(
    database_file: Path, database: BaseDatabaseWrapper, manifest: Manifest, output: ProgressOutput
) -> None:
    pg_restore = _program("pg_restore")
    name = database.settings_dict.get("NAME")
    if not name:
        raise BackupError("The configured PostgreSQL database has no name to restore into.")
    quote = database.ops.quote_name
    with database.cursor() as cursor:
        tables = database.introspection.table_names(cursor)
        if tables:
            # One statement: the current tables go all together or not at all. Tables a
            # bare `migrate` made hold no data and go too, or pg_restore would collide.
            cursor.execute("DROP TABLE " + ", ".join(quote(table) for table in tables) + " CASCADE")
    database.close()
    _run_pg_program(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--verbose",
            "--no-password",
            f"--dbname={name}",
            str(database_file),
        ],
        environment=_libpq_environment(database.settings_dict),
        bar=output.bar("Database", len(manifest.tables), "tables"),
        counted="processing data for table",
    )


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client), of the server's version or newer."
        )
    return found


def _libpq_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection settings as libpq's variables: a password on a command line would
    show in every `ps` listing."""
    options = settings_dict.get("OPTIONS") or {}
    ours = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
        "PGSERVICE": options.get("service"),
        "PGPASSFILE": options.get("passfile"),
        "PGSSLMODE": options.get("sslmode"),
        "PGSSLROOTCERT": options.get("sslrootcert"),
        "PGSSLCERT": options.get("sslcert"),
        "PGSSLKEY": options.get("sslkey"),
    }
    # PG* variables already set stay: Django's own connection (libpq) honours them too.
    environment = {**os.environ, **{key: str(value) for key, value in ours.items() if value}}
    # The progress is read from the programs' messages, so they must be untranslated.
    environment.pop("LANGUAGE", None)
    environment["LC_ALL"] = "C"
    return environment


def _run_pg_program(
    arguments: list[str], *, environment: dict[str, str], bar: ProgressBar, counted: str
) -> None:
    """Run pg_dump or pg_restore with --verbose: each message containing ``counted``
    moves the bar; errors become the BackupError's text."""
    program = Path(arguments[0]).name
    problems: list[str] = []
    try:
        process = subprocess.Popen(  # noqa: S603 - a program found on PATH, no shell
            arguments,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
    except OSError as error:
        raise BackupError(f"{program} could not be started: {error.strerror}.") from None
    with process:
        assert process.stderr is not None
        for line in process.stderr:
            if counted in line:
                bar.advance(1)
            elif not line.startswith(f"{program}: ") or _names_a_problem(line):
                problems.append(line.strip())
    if process.returncode != 0:
        detail = " ".join(problems[-6:]) or "it gave no reason"
        raise BackupError(f"{program} failed with exit status {process.returncode}: {detail}")
    bar.finish()


def _names_a_problem(line: str) -> bool:
    lowered = line.lower()
    return any(word in lowered for word in ("error:", "fatal:", "detail:", "hint:"))
