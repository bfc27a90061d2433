"""``inhouse import-org people.csv teams.csv``: people and teams from CSV, all or nothing."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from inhouse.core.errors import DomainError
from inhouse.org.services import ImportErrors, import_org


class Command(BaseCommand):
    help = (
        "Import people and teams from CSV (people first, then teams). Every line is "
        "checked first; if any is wrong, each problem is listed and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("people_csv", type=Path, help="email,full_name,kind,job_title,…")
        parser.add_argument("teams_csv", type=Path, help="slug,name,kind,parent_slug,…")

    def handle(self, *args: Any, people_csv: Path, teams_csv: Path, **options: Any) -> None:
        for path in (people_csv, teams_csv):
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
        # A spinner on a terminal only; redirected output stays plain.
        status = Console(stderr=True).status("Checking and importing…")
        try:
            with (
                status,
                people_csv.open(encoding="utf-8", newline="") as people,
                teams_csv.open(encoding="utf-8", newline="") as teams,
            ):
                report = import_org(people_csv=people, teams_csv=teams)
        except OSError as exc:
            raise CommandError(f"Cannot read the files: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"The files must be UTF-8 text: {exc}") from exc
        except ImportErrors as exc:
            for line in exc.lines:
                self.stderr.write(line)
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for note in report.notes:
            self.stdout.write(note)
        self.stdout.write(
            f"Teams: {report.teams_created} created, {report.teams_updated} updated. "
            f"People: {report.people_created} created, {report.people_updated} updated. "
            f"Memberships: {report.memberships}."
        )
