"""`inhouse demo`: what `make run` calls. Migrate, load the demo organization once, serve."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from gunicorn.util import parse_address
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from inhouse.ops.management.commands.serve import positive_int, serve_until_stopped, whole_number
from inhouse.ops.server import ServeError, ensure_bind_available


def base_url(bind: str) -> str:
    """Where a browser on this machine reaches a server bound to ``bind``."""
    try:
        address = parse_address(bind)
    except RuntimeError:
        address = None
    if not isinstance(address, tuple):
        return f"http://{bind}/"  # not a TCP address: the proxy in front of it decides
    host, port = address
    # A wildcard bind listens on loopback too, and only loopback is sure to work here.
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 - reading the bind, not choosing one
        host = "127.0.0.1"
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


class Command(BaseCommand):
    help = "Set up the demo organization (once) and serve it with a background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=7, help="random seed of the generator")
        parser.add_argument(
            "--requests", type=whole_number(0), default=20_000, help="requests of history"
        )
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument(
            "--workers",
            type=positive_int,
            default=None,
            help="gunicorn worker processes (default: $INHOUSE_WEB_WORKERS or 3)",
        )
        parser.add_argument("--no-serve", action="store_true", help="set up, then exit")
        parser.add_argument(
            "--reset", action="store_true", help="delete all data and generate the demo again"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve = not options["no_serve"]
        if serve:
            # Say it now rather than after a minute of generating data.
            try:
                ensure_bind_available(options["bind"])
            except ServeError as error:
                raise CommandError(str(error)) from None
        console = Console()
        with console.status("Migrating the database…"):
            call_command("migrate", interactive=False, verbosity=0)
        if options["reset"]:
            with console.status("Deleting all data…"):
                call_command("flush", interactive=False, verbosity=0)
        self.load_demo_once(console, seed=options["seed"], request_count=options["requests"])
        self.print_welcome(console, bind=options["bind"])
        if serve:
            console.print("Serving with gunicorn and one background worker. Ctrl-C stops both.\n")
            serve_until_stopped(
                bind=options["bind"], web_workers=options["workers"], with_worker=True
            )

    def load_demo_once(self, console: Console, *, seed: int, request_count: int) -> None:
        # The generator and its data are big; only this command needs them loaded.
        from inhouse.demo.generator import generate_demo
        from inhouse.org.models import Person

        if Person.objects.exists():
            console.print(
                "The database already has an organization: keeping it "
                "(`inhouse demo --reset` generates the demo again)."
            )
            return
        with Progress(
            TextColumn("{task.description:<14}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            bars: dict[str, TaskID] = {}

            def report(label: str, done: int, total: int) -> None:
                if label not in bars:
                    bars[label] = progress.add_task(label, total=total)
                progress.update(bars[label], completed=done, total=total)

            try:
                summary = generate_demo(seed=seed, request_count=request_count, progress=report)
            except KeyboardInterrupt:
                # The generator writes in one transaction, so nothing half-made is left.
                raise CommandError("Interrupted; no demo data was loaded.") from None
        console.print(
            f"Demo organization ready: {summary.people} people in {summary.teams} teams, "
            f"{summary.services} services, {summary.requests:,} requests."
        )

    def print_welcome(self, console: Console, *, bind: str) -> None:
        from inhouse.demo.generator import DEMO_LOGINS

        url = base_url(bind)
        console.print(f"\nInhouse:   {url}")
        console.print(f"API docs:  {url}api/v1/docs")
        logins = Table(title="Demo logins (demo-only passwords)")
        for column in ("login", "password", "what it shows"):
            logins.add_column(column)
        for login in DEMO_LOGINS:
            logins.add_row(*login)
        console.print(logins)
