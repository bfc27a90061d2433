"""`inhouse restore`: everything checked first, then the database and the files replaced."""

import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

from inhouse.ops.backup.databases import (
    BOOKKEEPING_TABLES,
    read_facts,
    restore_postgresql,
    restore_sqlite,
    vendor_of,
    wrapper_for,
)
from inhouse.ops.backup.files import copy_hashing, describe_os_error, put_in_place
from inhouse.ops.backup.manifest import VENDOR_NAMES, BackupError, Manifest, listed, read_manifest
from inhouse.ops.backup.progress import ProgressOutput

_SHOWN_PROBLEMS = 10


@dataclass(frozen=True)
class RestoreSummary:
    vendor: str
    created_at: datetime
    table_count: int
    row_count: int
    attachment_count: int
    pending_migrations: int


def restore_backup(
    source: Path,
    *,
    replace: bool,
    output: ProgressOutput,
    database: BaseDatabaseWrapper,
    attachment_root: Path,
) -> RestoreSummary:
    """Restore the backup in the folder ``source`` into ``database`` and ``attachment_root``.

    Refuses, before touching either, a backup that is damaged, incomplete, from the
    other database vendor or from a newer Inhouse, and a target that already holds
    data unless ``replace`` is given (its data is then deleted first).
    """
    source = source.expanduser().resolve()
    attachment_root = attachment_root.expanduser().resolve()
    if database.in_atomic_block:
        # The restore writes through connections of its own, which would wait on this one.
        raise BackupError("A restore cannot run inside a database transaction.")
    manifest = read_manifest(source)
    vendor = vendor_of(database)
    if manifest.vendor != vendor:
        raise BackupError(
            f"This backup is of a {VENDOR_NAMES[manifest.vendor]} database and the configured "
            f"database is {VENDOR_NAMES[vendor]}: a backup restores only onto the vendor it "
            "was made from."
        )
    try:
        _check_migrations_known(manifest)
        if not replace:
            _check_target_empty(database, attachment_root)
        _check_files_present(source, manifest)
        _replace_contents(source, manifest, database, attachment_root, output)
        database.close()
        facts = read_facts(database)
    except DatabaseError as error:
        raise BackupError(f"The database could not be restored: {error}".strip()) from None
    except OSError as error:
        raise BackupError(f"The restore failed: {describe_os_error(error)}") from None
    restored = facts.tables
    if restored != manifest.tables:
        raise BackupError(
            "The restore ran, but the restored database does not hold what the manifest "
            "lists: " + _describe_differences(manifest.tables, restored)
        )
    applied = {(app, name) for app, names in facts.migrations.items() for name in names}
    return RestoreSummary(
        vendor=vendor,
        created_at=manifest.created_at,
        table_count=len(restored),
        row_count=sum(restored.values()),
        attachment_count=len(manifest.attachments),
        pending_migrations=len(set(MigrationLoader(None).graph.nodes) - applied),
    )


def _replace_contents(
    source: Path,
    manifest: Manifest,
    database: BaseDatabaseWrapper,
    attachment_root: Path,
    output: ProgressOutput,
) -> None:
    """The files are checked and copied beside the attachment folder first; only then is
    the database replaced, and the checked files renamed into place."""
    attachment_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{attachment_root.name}.restoring-", dir=attachment_root.parent)
    )
    try:
        _check_and_stage_files(source, manifest, staging, output)
        database_file = source / manifest.database.path
        if manifest.vendor == "sqlite":
            _check_sqlite_copy(database_file, manifest, database)
            restore_sqlite(database_file, database, output)
        else:
            restore_postgresql(database_file, database, manifest, output)
        put_in_place(staging, attachment_root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_migrations_known(manifest: Manifest) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        if app in loader.migrated_apps
        for name in names
        if (app, name) not in loader.disk_migrations
    )
    if unknown:
        raise BackupError(
            "This backup was made by a newer Inhouse: its database has migrations this "
            f"version does not know ({listed(unknown)}). Restore it with that version."
        )


def _check_target_empty(database: BaseDatabaseWrapper, attachment_root: Path) -> None:
    quote = database.ops.quote_name
    holding: list[str] = []
    with database.cursor() as cursor:
        for name in sorted(database.introspection.table_names(cursor)):
            if name in BOOKKEEPING_TABLES or name.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT 1 FROM {quote(name)} LIMIT 1")  # noqa: S608 - a catalog name
            if cursor.fetchone() is not None:
                holding.append(name)
    if holding:
        raise BackupError(
            f"The database already holds data ({len(holding)} tables with rows: "
            f"{listed(holding)}). Restore into an empty database, or pass --replace to "
            "delete its data first."
        )
    if attachment_root.is_dir() and any(path.is_file() for path in attachment_root.rglob("*")):
        raise BackupError(
            f"The attachment folder {attachment_root} already holds files. Restore into an "
            "empty one, or pass --replace to delete them first."
        )


def _check_files_present(source: Path, manifest: Manifest) -> None:
    problems: list[str] = []
    for entry in manifest.files():
        path = source / entry.path
        if not path.is_file():
            problems.append(f"{entry.path} is missing")
        elif (size := path.stat().st_size) != entry.size:
            problems.append(f"{entry.path} has {size} bytes where the manifest says {entry.size}")
    _refuse_damaged(problems)


def _check_and_stage_files(
    source: Path, manifest: Manifest, staging: Path, output: ProgressOutput
) -> None:
    """Check the database file, and copy the attachments into ``staging`` checking each:
    every damaged file is named at once, before anything else is touched."""
    problems: list[str] = []
    database_bar = output.bar("Checking", manifest.database.size, "bytes")
    _, digest = copy_hashing(source / manifest.database.path, None, database_bar)
    database_bar.finish()
    if digest != manifest.database.sha256:
        problems.append(f"{manifest.database.path} does not match its SHA-256")
    bar = output.bar("Files", sum(entry.size for entry in manifest.attachments), "bytes")
    for entry in manifest.attachments:
        target = staging / entry.path.removeprefix("attachments/")
        target.parent.mkdir(parents=True, exist_ok=True)
        _, digest = copy_hashing(source / entry.path, target, bar)
        if digest != entry.sha256:
            problems.append(f"{entry.path} does not match its SHA-256")
    bar.finish()
    _refuse_damaged(problems)


def _check_sqlite_copy(
    database_file: Path, manifest: Manifest, database: BaseDatabaseWrapper
) -> None:
    """SQLite's copy can be read before it is restored: it must hold what the manifest says."""
    copied = wrapper_for(database.settings_dict, NAME=str(database_file), OPTIONS={})
    try:
        facts = read_facts(copied)
    finally:
        copied.close()
    if facts.tables != manifest.tables:
        _refuse_damaged(
            [f"the database holds {_describe_differences(manifest.tables, facts.tables)}"]
        )
    listed = {entry.path.rsplit("/", 1)[-1] for entry in manifest.attachments}
    named = {row.stored_name for row in facts.attachments}
    if named != listed | set(manifest.missing_attachments):
        _refuse_damaged(["the manifest does not list every attachment the database names"])


def _refuse_damaged(problems: list[str]) -> None:
    if problems:
        raise BackupError(
            "The backup is damaged or incomplete, so nothing was restored: "
            f"{listed(problems, shown=_SHOWN_PROBLEMS, separator='; ')}."
        )


def _describe_differences(expected: dict[str, int], found: dict[str, int]) -> str:
    differing = [
        f"{table}: {found.get(table, 'no table')} rows where the manifest says "
        f"{expected.get(table, 'no table')}"
        for table in sorted(expected.keys() | found.keys())
        if expected.get(table) != found.get(table)
    ]
    return listed(differing, separator="; ")
