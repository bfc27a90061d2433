"""`inhouse restore PATH`: put a backup back, after checking every file of it."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from inhouse.ops.backup import BackupError, progress_on, restore_backup


class Command(BaseCommand):
    help = (
        "Restore the backup in the folder PATH into the configured database and attachment "
        "folder. Stop the server first. Refuses a target that holds data unless --replace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the backup folder `inhouse backup` wrote")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete the data the database and attachment folder hold now, then restore",
        )

    def handle(self, *args: Any, path: Path, replace: bool, verbosity: int, **options: Any) -> None:
        try:
            summary = restore_backup(
                path,
                replace=replace,
                output=progress_on(self.stderr, verbosity=verbosity),
                database=connections[DEFAULT_DB_ALIAS],
                attachment_root=Path(settings.ATTACHMENT_ROOT),
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup of {summary.created_at:%Y-%m-%d %H:%M} UTC: "
            f"{summary.row_count} rows in {summary.table_count} tables and "
            f"{summary.attachment_count} attachment files."
        )
        if summary.pending_migrations:
            self.stdout.write(
                f"The backup predates {summary.pending_migrations} migrations of this version: "
                "run `inhouse migrate` before starting the server."
            )
