"""``inhouse apply-retention [--dry-run]``: remove confidential cases past their retention.

The worker runs the same removal daily; this is for cron setups and for checking
what it would do. Each case is named by reference and service, never by its text.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from inhouse.desk.services.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Remove confidential requests closed or cancelled longer ago than their service's "
        "retention period, unless on legal hold. --dry-run lists them and removes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list the cases that would go; remove nothing"
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        cases = apply_retention(now=timezone.now(), dry_run=dry_run, door="cli")
        for case in cases:
            self.stdout.write(
                f"{case.reference}\t{case.service}\tended {case.ended_at:%Y-%m-%d}\t"
                f"kept {case.retention_days} days"
            )
        verb = "would be removed" if dry_run else "removed"
        self.stdout.write(f"{len(cases)} case(s) {verb}.")
