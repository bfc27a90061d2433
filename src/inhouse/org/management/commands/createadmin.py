"""``inhouse createadmin``: an org admin, with a password that passes the validators."""

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inhouse.core.errors import InvalidInput
from inhouse.org.services import create_admin

PASSWORD_VARIABLE = "INHOUSE_ADMIN_PASSWORD"  # noqa: S105 - the variable's name, not a secret


class Command(BaseCommand):
    help = (
        "Create an org admin (a superuser who sees everything). The password comes from "
        f"--password, else {PASSWORD_VARIABLE}, else a prompt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument(
            "--password", help=f"prefer {PASSWORD_VARIABLE} or the prompt: shells keep history"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or os.environ.get(PASSWORD_VARIABLE) or self._prompt()
        try:
            person = create_admin(
                username=options["username"],
                email=options["email"],
                full_name=options["full_name"],
                password=password,
            )
        except InvalidInput as exc:
            problems = " ".join(f"{name}: {text}" for name, text in exc.fields.items())
            raise CommandError(f"{exc.message} {problems}") from exc
        if person.user is None:  # ``create_admin`` gives every admin a login
            raise CommandError(f"Org admin {person.full_name} was created without a login.")
        self.stdout.write(f"Org admin {person.full_name} ({person.user.username}) created.")

    def _prompt(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(f"Give the password with {PASSWORD_VARIABLE} or --password.")
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password again: ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError("Cancelled; no admin was created.") from exc
        if password != again:
            raise CommandError("The passwords differ; no admin was created.")
        return password
