"""`inhouse backup`: a consistent copy of the database and its attachment files."""

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.db import DatabaseError
from django.db.backends.base.base import BaseDatabaseWrapper

from inhouse.ops.backup.databases import (
    AttachmentRow,
    copy_sqlite,
    dump_postgresql,
    vendor_of,
)
from inhouse.ops.backup.files import (
    copy_hashing,
    describe_file,
    describe_os_error,
    put_in_place,
    write_durably,
)
from inhouse.ops.backup.manifest import (
    DATABASE_FILES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_NAME,
    BackupError,
    BackupFile,
    Manifest,
    attachment_member,
)
from inhouse.ops.backup.progress import ProgressOutput


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    vendor: str
    database_bytes: int
    attachment_count: int
    attachment_bytes: int
    missing_attachments: list[str]
    changed_attachments: list[str]


def create_backup(
    destination: Path,
    *,
    force: bool,
    output: ProgressOutput,
    database: BaseDatabaseWrapper,
    attachment_root: Path,
) -> BackupSummary:
    """Write a backup of ``database`` and its attachment files to the folder ``destination``.

    Everything is written to a hidden folder beside ``destination`` and renamed into
    place at the end, so an interrupted or failed backup never leaves a folder that
    looks complete. ``force`` replaces an earlier backup at ``destination``, never other files.
    """
    destination = destination.expanduser().resolve()
    _check_destination(destination, force=force)
    vendor = vendor_of(database)
    try:
        staging = Path(
            tempfile.mkdtemp(prefix=f".{destination.name}.partial-", dir=destination.parent)
        )
    except OSError as error:
        raise BackupError(f"Cannot write in {destination.parent}: {error.strerror}.") from None
    try:
        database_path = staging / DATABASE_FILES[vendor]
        if vendor == "sqlite":
            facts = copy_sqlite(database, database_path, output)
        else:
            facts = dump_postgresql(database, database_path, output)
        database_entry = describe_file(database_path, DATABASE_FILES[vendor])
        attachments, missing, changed = _copy_attachments(
            facts.attachments, attachment_root, staging, output
        )
        manifest = Manifest(
            format=FORMAT,
            format_version=FORMAT_VERSION,
            created_at=datetime.now(UTC),
            vendor=vendor,
            migrations=facts.migrations,
            tables=facts.tables,
            database=database_entry,
            attachments=attachments,
            missing_attachments=missing,
        )
        write_durably(staging / MANIFEST_NAME, manifest.model_dump_json(indent=2).encode())
        put_in_place(staging, destination)
    except OSError as error:
        raise BackupError(f"The backup could not be written: {describe_os_error(error)}") from None
    except DatabaseError as error:
        raise BackupError(f"The database could not be read: {error}".strip()) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BackupSummary(
        path=destination,
        vendor=vendor,
        database_bytes=database_entry.size,
        attachment_count=len(attachments),
        attachment_bytes=sum(entry.size for entry in attachments),
        missing_attachments=missing,
        changed_attachments=changed,
    )


def _check_destination(destination: Path, *, force: bool) -> None:
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist; create it first.")
    if not destination.exists():
        return
    if not destination.is_dir():
        raise BackupError(f"{destination} exists and is not a folder.")
    if not any(destination.iterdir()):
        return
    if not force:
        raise BackupError(
            f"{destination} is not empty: choose another path, or pass --force to replace "
            "the backup in it."
        )
    if not (destination / MANIFEST_NAME).is_file():
        raise BackupError(
            f"{destination} holds files but no Inhouse backup: --force replaces an earlier "
            "backup, never other files."
        )


def _copy_attachments(
    rows: list[AttachmentRow], root: Path, staging: Path, output: ProgressOutput
) -> tuple[list[BackupFile], list[str], list[str]]:
    """Copy the files the snapshot's rows name: their entries, the names missing on disk,
    and the names whose file no longer matches the checksum taken at upload."""
    present: list[tuple[AttachmentRow, str, Path]] = []
    missing: list[str] = []
    for row in rows:
        try:
            member = attachment_member(row.stored_name)
        except ValueError as error:
            raise BackupError(
                f"An attachment row has an unexpected stored name: {error}."
            ) from None
        # The backup mirrors the attachment folder's own layout (desk/storage.py).
        path = root / member.removeprefix("attachments/")
        if path.is_file():
            present.append((row, member, path))
        else:
            missing.append(row.stored_name)
    bar = output.bar("Files", sum(path.stat().st_size for _, _, path in present), "bytes")
    entries: list[BackupFile] = []
    changed: list[str] = []
    for row, member, path in present:
        target = staging / member
        target.parent.mkdir(parents=True, exist_ok=True)
        size, digest = copy_hashing(path, target, bar)
        entries.append(BackupFile(path=member, size=size, sha256=digest))
        if digest != row.sha256:
            changed.append(row.stored_name)
    bar.finish()
    return entries, missing, changed
