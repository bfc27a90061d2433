"""``inhouse legal-hold REFERENCE --by EMAIL (--reason TEXT | --lift)``: hold a case or release it.

A case on legal hold is never removed after its retention period. Only the leads
of the team handling it and org admins may change the hold; ``--by`` names who
acts, for the permission check, the history and the audit.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inhouse.core.errors import DomainError
from inhouse.desk.selectors import get_request_for
from inhouse.desk.services.retention import set_legal_hold
from inhouse.org.models import Person


class Command(BaseCommand):
    help = "Place a request on legal hold (with --reason) or lift it (--lift)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", help="the request's reference, e.g. HR-1042")
        parser.add_argument("--by", required=True, help="e-mail address of the lead or admin")
        change = parser.add_mutually_exclusive_group(required=True)
        change.add_argument("--reason", help="why the case is held (places the hold)")
        change.add_argument("--lift", action="store_true", help="lift the hold")

    def handle(
        self, *args: Any, reference: str, by: str, reason: str | None, lift: bool, **options: Any
    ) -> None:
        actor = Person.objects.filter(email__iexact=by.strip(), is_active=True).first()
        if actor is None:
            raise CommandError(f"No active person with the e-mail address {by!r}.")
        try:
            request = get_request_for(actor, reference)
            request = set_legal_hold(
                actor=actor, request=request, hold=not lift, reason=reason or "", door="cli"
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        state = "on legal hold" if request.legal_hold else "no longer on legal hold"
        self.stdout.write(f"{request.reference} is {state}.")
