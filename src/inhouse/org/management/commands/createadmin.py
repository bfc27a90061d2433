import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inhouse.core.errors import InvalidInput
from inhouse.org.services import create_admin


class Command(BaseCommand):
    help = "Create an org admin (a superuser who sees everything)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument(
            "--password", help="prefer INHOUSE_ADMIN_PASSWORD or the prompt: shells keep history"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or os.environ.get("INHOUSE_ADMIN_PASSWORD")
        if not password:
            if not sys.stdin.isatty():
                raise CommandError("Give the password with INHOUSE_ADMIN_PASSWORD or --password.")
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password again: "):
                raise CommandError("The passwords differ.")
        try:
            person = create_admin(
                username=options["username"],
                email=options["email"],
                full_name=options["full_name"],
                password=password,
            )
        except InvalidInput as exc:
            problems = "; ".join(f"{name}: {text}" for name, text in exc.fields.items())
            raise CommandError(f"{exc.message} {problems}") from exc
        self.stdout.write(f"Org admin {person.full_name} ({options['username']}) created.")
