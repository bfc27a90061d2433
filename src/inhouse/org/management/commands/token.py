"""``inhouse token create|list|revoke USERNAME``: personal API tokens.

``create`` prints the token alone on stdout, so ``TOKEN=$(inhouse token create rita)`` works.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inhouse.core.errors import DomainError
from inhouse.org.models import ApiToken, Person
from inhouse.org.services import create_api_token, revoke_api_token


def _person(username: str) -> Person:
    person = Person.objects.filter(user__username=username).first()
    if person is None:
        raise CommandError(f"No person with the username '{username}'.")
    return person


class Command(BaseCommand):
    help = "Create, list or revoke personal API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="print a new token (shown only once)")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for")
        listing = actions.add_parser("list", help="list a person's tokens (never the tokens)")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke one of a person's tokens")
        revoke.add_argument("username")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, action: str, username: str, **options: Any) -> None:
        person = _person(username)
        try:
            if action == "create":
                self.stdout.write(create_api_token(person=person, name=options["name"]))
            elif action == "list":
                self._list(person)
            else:
                revoke_api_token(person=person, token_id=options["token_id"])
                self.stdout.write(f"Token {options['token_id']} revoked.")
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _list(self, person: Person) -> None:
        tokens = ApiToken.objects.filter(person=person).order_by("id")
        if not tokens:
            self.stderr.write(f"{person.full_name} has no tokens.")
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            name = token.name or "-"
            self.stdout.write(f"{token.pk}\t{token.prefix}…\t{name}\t{state}\tused {used}")
