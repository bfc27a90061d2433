"""`inhouse reindex [--kind KIND ...]`: rebuild the search index from the tables."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from inhouse.search.index import reindex
from inhouse.search.registry import KINDS


class Command(BaseCommand):
    help = "Rebuild the search index (every kind, or those named) with a progress bar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", action="append", default=[], help="only this kind")

    def handle(self, *args: Any, **options: Any) -> None:
        names = options["kind"] or None
        unknown = sorted(set(names or []) - set(KINDS))
        if unknown:
            raise CommandError(f"Unknown kinds: {', '.join(unknown)}. Known: {', '.join(KINDS)}.")
        bars: dict[str, TaskID] = {}
        columns = (TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, disable=options["verbosity"] == 0) as progress:

            def advance(kind: str, done: int, total: int) -> None:
                if kind not in bars:
                    bars[kind] = progress.add_task(kind, total=total)
                progress.update(bars[kind], completed=done)

            written = reindex(kinds=names, progress=advance)
        self.stdout.write(f"search index rebuilt: {written} documents")
