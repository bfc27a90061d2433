"""Backups of the whole desk: the database and every attachment file, with a manifest.

A backup is a folder:

    manifest.json          what the backup holds, and the size and SHA-256 of every file
    database.sqlite3       SQLite: a page copy made with the online backup API
    database.pgdump        PostgreSQL: pg_dump's custom format
    attachments/ab/ab…     the attachment files the copied database names

Consistency while the server runs: the database is copied from one snapshot (a read
transaction held for the whole SQLite copy; on PostgreSQL a snapshot exported to
pg_dump), and the files copied are exactly those the snapshot's attachment rows name.
An upload's file is on disk before its row commits (desk/storage.py), so every row of
the snapshot already has its file; uploads still in flight have no row and stay out.

Restore checks everything it can before it touches the target: the manifest, the
vendor, the migrations, that the target is empty (unless told to replace it), and the
SHA-256 of every file. Restoring is done with the server stopped.
"""

from inhouse.ops.backup.create import BackupSummary, create_backup
from inhouse.ops.backup.manifest import VENDOR_NAMES, BackupError, Manifest, read_manifest
from inhouse.ops.backup.progress import SILENT, ProgressBar, ProgressOutput, progress_on
from inhouse.ops.backup.restore import RestoreSummary, restore_backup

__all__ = [
    "SILENT",
    "VENDOR_NAMES",
    "BackupError",
    "BackupSummary",
    "Manifest",
    "ProgressBar",
    "ProgressOutput",
    "RestoreSummary",
    "create_backup",
    "progress_on",
    "read_manifest",
    "restore_backup",
]
