from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inhouse.org.services import ImportErrors, import_org


class Command(BaseCommand):
    help = "Import people and teams from CSV. Every line is checked; any error imports nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("people_csv", type=Path)
        parser.add_argument("teams_csv", type=Path)

    def handle(self, *args: Any, people_csv: Path, teams_csv: Path, **options: Any) -> None:
        for path in (people_csv, teams_csv):
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
        try:
            with (
                people_csv.open(encoding="utf-8", newline="") as people,
                teams_csv.open(encoding="utf-8", newline="") as teams,
            ):
                report = import_org(people_csv=people, teams_csv=teams)
        except UnicodeDecodeError as exc:
            raise CommandError(f"The files must be UTF-8 text: {exc}") from exc
        except ImportErrors as exc:
            for line in exc.lines:
                self.stderr.write(line)
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Teams: {report.teams_created} created, {report.teams_updated} updated. "
            f"People: {report.people_created} created, {report.people_updated} updated. "
            f"Memberships: {report.memberships}."
        )
