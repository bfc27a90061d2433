"""`inhouse backup PATH`: the database and every attachment file, while the server runs."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from inhouse.ops.backup import VENDOR_NAMES, BackupError, create_backup, progress_on


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and every attachment file to the "
        "folder PATH, while the server runs. Progress goes to stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the folder to write (new or empty)")
        parser.add_argument(
            "--force", action="store_true", help="replace an earlier backup in PATH"
        )

    def handle(self, *args: Any, path: Path, force: bool, verbosity: int, **options: Any) -> None:
        try:
            summary = create_backup(
                path,
                force=force,
                output=progress_on(self.stderr, verbosity=verbosity),
                database=connections[DEFAULT_DB_ALIAS],
                attachment_root=Path(settings.ATTACHMENT_ROOT),
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        for stored_name in summary.missing_attachments:
            self.stderr.write(f"Warning: attachment file {stored_name} is missing on disk.")
        for stored_name in summary.changed_attachments:
            self.stderr.write(
                f"Warning: attachment file {stored_name} no longer matches the checksum "
                "taken at upload; it was backed up as it is now."
            )
        self.stdout.write(
            f"Backup written to {summary.path}: the {VENDOR_NAMES[summary.vendor]} database "
            f"({summary.database_bytes / 1048576:.1f} MiB) and {summary.attachment_count} "
            f"attachment files ({summary.attachment_bytes / 1048576:.1f} MiB)."
        )
