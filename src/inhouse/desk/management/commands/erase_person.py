"""``inhouse erase-person EMAIL|ID [--text] [--yes]``: pseudonymise a person everywhere.

Without ``--yes`` it only says what would change and exits with status 2; an
unknown person is status 1. See docs/privacy.md for what is kept and why.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from inhouse.core.errors import DomainError
from inhouse.core.ids import database_id, looks_like_id
from inhouse.desk.services.erasure import ErasureReport, erase_person, plan_erasure
from inhouse.org.models import Person
from inhouse.org.services.erasure import is_erased

NOT_CONFIRMED = 2


def _person(who: str) -> Person:
    who = who.strip()
    if looks_like_id(who):
        person_id = database_id(who)
        person = Person.objects.filter(pk=person_id).first() if person_id else None
        if person is None:
            raise CommandError(f"No person with the id {who}.")
        return person
    person = Person.objects.filter(email__iexact=who).first() if who else None
    if person is None:
        raise CommandError(f"No person with the e-mail address {who!r}.")
    return person


def _lines(report: ErasureReport, *, done: bool) -> list[str]:
    traces = report.identity
    lines = [
        f"login and password: {'removed' if done else 'to be removed'}"
        if traces.login
        else "login: none left",
        f"API tokens: {traces.api_tokens}",
        f"sign-in attempts: {traces.sign_in_attempts}",
        f"files they uploaded: {report.attachments}",
        f"their notices, saved views and pending keys: {report.own_rows}",
        f"rows elsewhere naming them: {report.mentions}" + ("" if done else " (at most)"),
    ]
    if report.include_text:
        lines += [
            f"their requests' texts replaced: {report.requests_text}",
            f"their comments replaced: {report.comments_text}",
        ]
    else:
        lines.append(
            "the words they wrote (requests, comments, ratings, kudos, follow-up answers, "
            "ideas): kept (add --text to replace them)"
        )
    # Feedback's and knowledge's own parts, in their words.
    lines += [f"{what}: {rows}" for what, rows in report.elsewhere]
    return lines


class Command(BaseCommand):
    help = (
        "Pseudonymise a person everywhere: name, e-mail, login and files, and with --text "
        "the words they wrote (requests, comments, rating comments, kudos, follow-up "
        "answers, ideas and idea comments); history events and numbers stay. "
        "Prints what would change unless --yes is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person", help="the person's e-mail address or id")
        parser.add_argument(
            "--text",
            action="store_true",
            help="also replace the words they wrote: their requests' subject, description and "
            "text answers, their comments, rating comments, kudos messages, follow-up answers, "
            "ideas and comments on ideas",
        )
        parser.add_argument("--yes", action="store_true", help="erase; without it nothing changes")

    def handle(self, *args: Any, person: str, text: bool, yes: bool, **options: Any) -> None:
        found = _person(person)
        if not yes:
            plan = plan_erasure(found, include_text=text)
            if is_erased(found) and not plan.changes_anything:
                self.stdout.write(f"Person {found.pk} is already erased; nothing left to change.")
                return
            self.stdout.write(f"Erasing person {found.pk} ({found.email}) would change:")
            for line in _lines(plan, done=False):
                self.stdout.write(f"  {line}")
            raise CommandError(
                "Nothing was changed. Run again with --yes to erase.", returncode=NOT_CONFIRMED
            )
        try:
            report = erase_person(found, by=None, include_text=text, door="cli")
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Person {report.person_id} is now {report.pseudonym}:")
        for line in _lines(report, done=True):
            self.stdout.write(f"  {line}")
        if report.events_rewritten:
            ids = ", ".join(map(str, report.events_rewritten))
            self.stdout.write(f"  history events rewritten (ids): {ids}")
