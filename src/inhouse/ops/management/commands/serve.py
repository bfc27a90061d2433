"""`inhouse serve`: gunicorn and one background worker, stopped together."""

from argparse import ArgumentTypeError
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inhouse.ops.server import (
    ServeError,
    default_web_workers,
    ensure_bind_available,
    serve_with_worker,
)


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise ArgumentTypeError(f"{raw!r} is not a whole number") from None
        if value < minimum:
            raise ArgumentTypeError(
                "cannot be negative" if minimum == 0 else f"must be at least {minimum}"
            )
        return value

    return parse


positive_int = whole_number(1)


def prepare_static_files() -> None:
    if settings.PRODUCTION:
        # The production profile serves compressed files from STATIC_ROOT; the demo
        # profile serves them straight from the apps (WHITENOISE_USE_FINDERS).
        call_command("collectstatic", interactive=False, verbosity=0)
    else:
        # WhiteNoise warns in every web process when STATIC_ROOT is missing, finders or not.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def serve_until_stopped(*, bind: str, web_workers: int | None, with_worker: bool) -> None:
    """Serves; turns a refusal to start or an unclean stop into a CommandError."""
    try:
        # Bad options are refused before anything is written.
        ensure_bind_available(bind)
        web_workers = web_workers or default_web_workers()
        prepare_static_files()
        code = serve_with_worker(bind=bind, web_workers=web_workers, with_worker=with_worker)
    except ServeError as error:
        raise CommandError(str(error)) from None
    if code:
        raise CommandError(f"The server stopped with exit status {code}.", returncode=code)


class Command(BaseCommand):
    help = "Serve Inhouse with gunicorn, together with one background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument(
            "--workers",
            type=positive_int,
            default=None,
            help="gunicorn worker processes (default: $INHOUSE_WEB_WORKERS or 3)",
        )
        parser.add_argument("--no-worker", action="store_true", help="serve the web only")

    def handle(
        self, *args: Any, bind: str, workers: int | None, no_worker: bool, **options: Any
    ) -> None:
        serve_until_stopped(bind=bind, web_workers=workers, with_worker=not no_worker)
