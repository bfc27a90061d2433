"""`inhouse demo`: what `make run` calls. Migrate, load the demo once, serve."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from inhouse.core.server import serve_with_worker


class Command(BaseCommand):
    help = "Set up the demo organization (once) and serve it with a background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--requests", type=int, default=20_000, help="requests of history")
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")
        parser.add_argument(
            "--reset", action="store_true", help="delete all data and generate the demo again"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from inhouse.demo.generator import DEMO_LOGINS, generate_demo
        from inhouse.org.models import Person

        if options["requests"] < 0:
            raise CommandError("--requests cannot be negative.")
        console = Console()
        with console.status("Migrating the database…"):
            call_command("migrate", interactive=False, verbosity=0)
        if options["reset"]:
            with console.status("Deleting all data…"):
                call_command("flush", interactive=False, verbosity=0)
        if Person.objects.exists():
            console.print("The database already has an organization; keeping it.")
        else:
            with Progress(
                TextColumn("{task.description:<14}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as progress:
                bars: dict[str, Any] = {}

                def report(label: str, done: int, total: int) -> None:
                    if label not in bars:
                        bars[label] = progress.add_task(label, total=total)
                    progress.update(bars[label], completed=done, total=total)

                summary = generate_demo(
                    seed=options["seed"], request_count=options["requests"], progress=report
                )
            console.print(
                f"Demo organization ready: {summary.people} people in {summary.teams} teams, "
                f"{summary.services} services, {summary.requests:,} requests."
            )
        host = options["bind"].replace("0.0.0.0", "127.0.0.1")  # noqa: S104 - display only
        console.print(f"\nInhouse:   http://{host}/")
        console.print(f"API docs:  http://{host}/api/v1/docs")
        logins = Table(title="Demo logins (demo-only passwords)")
        for column in ("login", "password", "what it shows"):
            logins.add_column(column)
        for login in DEMO_LOGINS:
            logins.add_row(*login)
        console.print(logins)
        if options["no_serve"]:
            return
        console.print("Serving with gunicorn and one background worker. Ctrl-C stops both.\n")
        code = serve_with_worker(
            bind=options["bind"], web_workers=options["workers"], with_worker=True
        )
        if code:
            raise CommandError(f"The server stopped with exit code {code}.")
