"""``inhouse verify-history [--request REF]``: is every request's history as it was written?

Checks each request's hash chain (``inhouse.desk.history_chain``) and prints one line
per broken request: its reference, what was done (changed, missing, inserted, out of
order) and the first event concerned; then a summary. Exits 0 when every chain is
whole, 1 when any is broken, 2 when the request asked for does not exist.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inhouse.desk.history_chain import check_histories
from inhouse.desk.models import Request

BROKEN = 1
NO_SUCH_REQUEST = 2


class Command(BaseCommand):
    help = "Check that no request's history was changed, removed or added to in the database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--request",
            metavar="REF",
            help="check only this request (its reference, or one it had before a transfer)",
        )

    def handle(self, *args: Any, request: str | None, **options: Any) -> None:
        requests = Request.objects.all()
        if request is not None:
            requests = requests.filter(references__reference=request.strip())
            if not requests.exists():
                raise CommandError(f"No request {request!r}.", returncode=NO_SUCH_REQUEST)
        checked = events = broken = 0
        for history in check_histories(requests):
            checked += 1
            events += history.events
            found = history.first_break
            if found is not None:
                broken += 1
                self.stdout.write(
                    f"{history.reference}: {found.tampering} at place {found.sequence}: "
                    f"{found.detail}"
                )
        summary = f"Checked {checked:,} requests and {events:,} events"
        if broken:
            raise CommandError(f"{summary}: {broken:,} with a broken history.", returncode=BROKEN)
        self.stdout.write(f"{summary}: every history is whole.")
