from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from inhouse.core.server import serve_with_worker


class Command(BaseCommand):
    help = "Serve Inhouse with gunicorn, together with one background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
        parser.add_argument("--no-worker", action="store_true", help="serve the web only")

    def handle(self, *args: Any, bind: str, workers: int, no_worker: bool, **options: Any) -> None:
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        code = serve_with_worker(bind=bind, web_workers=workers, with_worker=not no_worker)
        if code:
            raise CommandError(f"The server stopped with exit code {code}.")
