"""Erasing a person: their identity everywhere, their texts and files when asked, never the numbers.

What is kept, and why: the person row (under a pseudonym) and every foreign key
to it, so each request, comment, clock and history event keeps its kind, times,
statuses and counts and the insights computed from them do not move. What goes:

- their name and e-mail, replaced by a stable pseudonym ("Erased person 002a")
  on the person row and wherever another row quotes them: any text or JSON column
  of any table (a colleague's comment, a notice's ``actor``, an audit label, the
  admin's log). The full name and each e-mail address are matched as written,
  whole words, any case (a one-word name only as a whole value: see ``_matcher``);
- their login (username, password, e-mail on the Django user; the user is kept,
  inactive), their API tokens, sign-in attempts, saved views, pending
  idempotency keys and the notices addressed to them;
- the files they uploaded, from the disk (after commit) and from the database;
- with ``include_text``: the subject, description and text answers of the
  requests they filed, the body of every comment they wrote, and the subject
  those requests' notices repeat, each replaced by ``ERASED_TEXT``;
- what the apps above the desk keep of them, through the steps they register
  (``register_erasure_step``): the desk cannot import feedback or knowledge, so each
  of them brings its own part (their ratings' comments, kudos, ideas, invitations).

History events are append-only; the only ones rewritten are those whose data
quoted the name or an e-mail address, through ``_rewrite_event_data``, and their
ids are returned so the history chain can be sealed again for exactly those.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import models, transaction
from django.db.models import F

from inhouse import policy
from inhouse.audit.models import AuditAction
from inhouse.audit.services import record_audit
from inhouse.catalog.models import FieldKind, FormField
from inhouse.core.errors import InvalidInput, PermissionDenied
from inhouse.desk.models import (
    Attachment,
    Comment,
    IdempotencyRecord,
    Notification,
    Request,
    RequestEvent,
    SavedView,
)
from inhouse.desk.services.erasure_mentions import Rewrite, apply_rewrites, mention_rewrites
from inhouse.desk.storage import attachment_path
from inhouse.org.models import Person
from inhouse.org.services.erasure import (
    IdentityTraces,
    erase_identity,
    identity_of,
    identity_traces,
    pseudonym_for,
)
from inhouse.search import changes as search_changes

ERASED_TEXT = "(erased)"
# Answers of these kinds are the requester's own words; choices, numbers, dates and
# ids are the form's vocabulary or numbers, and stay.
_TEXT_KINDS = (FieldKind.TEXT, FieldKind.LONG_TEXT)
_TEXT_COLUMNS = (models.CharField, models.TextField)


class ErasureStep(Protocol):
    """An app's own part of erasing a person, for the tables the desk does not know.

    The apps above the desk (feedback, knowledge) register one each from their
    ``AppConfig.ready``. Both methods return what they change as ``{what: rows}``,
    the words being the command's lines ("rating comments replaced"); ``erase`` runs
    inside the erasure's transaction, before the person's name is rewritten anywhere,
    and must change nothing more (and report zeros) when run again.
    """

    def plan(self, person: Person, *, include_text: bool, replacement: str) -> dict[str, int]:
        """What ``erase`` would change, counted, without changing anything."""
        ...

    def erase(self, person: Person, *, include_text: bool, replacement: str) -> dict[str, int]:
        """Remove or pseudonymise the person's rows; with ``include_text`` replace the
        words they wrote by ``replacement``."""
        ...

    def index_again(self, rewritten: dict[str, list[Any]]) -> None:
        """Tell search about the rows the erasure rewrote because they quoted the person
        (``{model label: [pk, …]}``, every table's), for those of the app's tables whose
        words search keeps; the rows ``erase`` changed it has told search about itself."""
        ...


_steps: dict[str, ErasureStep] = {}


def register_erasure_step(app_label: str, step: ErasureStep) -> None:
    """Add ``app_label``'s part to every erasure; registering again replaces it."""
    _steps[app_label] = step


def _planned_by_steps(person: Person, *, include_text: bool) -> tuple[tuple[str, int], ...]:
    return tuple(
        (what, rows)
        for app_label in sorted(_steps)
        for what, rows in _steps[app_label]
        .plan(person, include_text=include_text, replacement=ERASED_TEXT)
        .items()
    )


def _erased_by_steps(person: Person, *, include_text: bool) -> tuple[tuple[str, int], ...]:
    return tuple(
        (what, rows)
        for app_label in sorted(_steps)
        for what, rows in _steps[app_label]
        .erase(person, include_text=include_text, replacement=ERASED_TEXT)
        .items()
    )


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure changed or, before it runs, would change."""

    person_id: int
    pseudonym: str
    include_text: bool
    identity: IdentityTraces
    # Their requests whose subject, description or text answers are (to be) replaced.
    requests_text: int = 0
    comments_text: int = 0
    attachments: int = 0
    # Their own rows that mean nothing without them: notices to them, saved views, keys.
    own_rows: int = 0
    # Rows of any table whose text named them; in a plan, an upper bound.
    mentions: int = 0
    # History events whose data named them: the chain must be re-sealed for these.
    events_rewritten: tuple[int, ...] = field(default=())
    # What the apps' own steps changed, in their words: (("kudos messages replaced", 2), …).
    elsewhere: tuple[tuple[str, int], ...] = field(default=())

    @property
    def changes_anything(self) -> bool:
        traces = self.identity
        return any(
            (
                traces.login, traces.api_tokens, traces.sign_in_attempts, self.requests_text,
                self.comments_text, self.attachments, self.own_rows, self.mentions,
                *(rows for _, rows in self.elsewhere),
            )
        )  # fmt: skip


def plan_erasure(person: Person, *, include_text: bool) -> ErasureReport:
    """What ``erase_person`` would change, counted, without changing anything."""
    person = Person.objects.select_related("user").get(pk=person.pk)
    rewrites = list(mention_rewrites(identity_of(person), pseudonym_of=person))
    return ErasureReport(
        person_id=person.pk,
        pseudonym=pseudonym_for(person).full_name,
        include_text=include_text,
        identity=identity_traces(person),
        requests_text=len(_request_text_rewrites(person)) if include_text else 0,
        comments_text=_their_comments(person).count() if include_text else 0,
        attachments=Attachment.objects.filter(uploaded_by=person).count(),
        own_rows=sum(rows.count() for rows in _own_rows(person)),
        mentions=len(rewrites),
        events_rewritten=tuple(r.pk for r in rewrites if r.model is RequestEvent),
        elsewhere=_planned_by_steps(person, include_text=include_text),
    )


def erase_person(
    person: Person, *, by: Person | None, include_text: bool, door: str = ""
) -> ErasureReport:
    """Pseudonymise ``person`` everywhere, in one transaction, and audit it.

    ``by`` is the org admin doing it, or ``None`` for the operator at the command
    line, who has the server's own rights. Nobody erases themselves: the
    erasure ends the login they would be acting with. Running it again changes
    nothing more and reports zeros, which is what makes it safe to retry.
    """
    if by is not None:
        if not policy.viewer_for(by).is_admin:
            raise PermissionDenied("Only org admins can erase a person.")
        if by.pk == person.pk:
            raise InvalidInput("You cannot erase yourself; ask another org admin.")
    with transaction.atomic():
        person = (
            Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        )
        identity = identity_of(person)
        attachments = _remove_their_attachments(person)
        own_rows = sum(rows.delete()[0] for rows in _own_rows(person))
        requests_text = comments_text = 0
        if include_text:
            requests_text, comments_text = _replace_their_texts(person)
        # Before the name is rewritten: a step finds their rows by id, never by name.
        elsewhere = _erased_by_steps(person, include_text=include_text)
        traces = erase_identity(person)
        rewrites = list(mention_rewrites(identity, pseudonym_of=person))
        events_rewritten = apply_rewrites(rewrites)
        _forget_in_search(person, rewrites)
        report = ErasureReport(
            person_id=person.pk,
            pseudonym=person.full_name,
            include_text=include_text,
            identity=traces,
            requests_text=requests_text,
            comments_text=comments_text,
            attachments=attachments,
            own_rows=own_rows,
            mentions=len(rewrites),
            events_rewritten=events_rewritten,
            elsewhere=elsewhere,
        )
        # In the same transaction: an erasure that rolls back was never done.
        record_audit(
            AuditAction.PERSON_ERASED,
            actor=by,
            target_kind="person",
            target_id=person.pk,
            target_label=person.full_name,
            detail="with their texts" if include_text else "identity and files",
            door=door,
            data=_audit_data(report),
        )
    return report


def _forget_in_search(person: Person, rewrites: list[Rewrite]) -> None:
    """The search index keeps copies of names and texts: index again all it held of them.

    Their own rows by id, and every row rewritten because it quoted them: the desk's
    here, the other apps' through their steps."""
    search_changes.changed("person", person.pk)
    search_changes.changed_many(
        "request", Request.objects.filter(requester=person).values_list("pk", flat=True)
    )
    search_changes.changed_many(
        "comment", Comment.objects.filter(author=person).values_list("pk", flat=True)
    )
    rewritten: dict[str, list[Any]] = {}
    for rewrite in rewrites:
        rewritten.setdefault(rewrite.model._meta.label, []).append(rewrite.pk)
    search_changes.changed_many("request", rewritten.get("desk.Request", []))
    search_changes.changed_many("comment", rewritten.get("desk.Comment", []))
    for step in _steps.values():
        step.index_again(rewritten)


def _audit_data(report: ErasureReport) -> dict[str, Any]:
    """The counts, never a name: the audit record must not undo the erasure."""
    return {
        "include_text": report.include_text,
        "login": report.identity.login,
        "api_tokens": report.identity.api_tokens,
        "sign_in_attempts": report.identity.sign_in_attempts,
        "requests_text": report.requests_text,
        "comments_text": report.comments_text,
        "attachments": report.attachments,
        "own_rows": report.own_rows,
        "mentions": report.mentions,
        "events_rewritten": list(report.events_rewritten),
        "elsewhere": dict(report.elsewhere),
    }


# --- their own rows, files and texts -----------------------------------------------------


def _own_rows(person: Person) -> list[models.QuerySet[Any]]:
    """Rows that serve only the person, and go with their login."""
    return [
        Notification.objects.filter(recipient=person),
        SavedView.objects.filter(owner=person),
        IdempotencyRecord.objects.filter(person=person),
    ]


def _remove_their_attachments(person: Person) -> int:
    """Delete the rows of every file they uploaded now, and the files once that commits."""
    their_files = Attachment.objects.filter(uploaded_by=person)
    stored_names = list(their_files.values_list("stored_name", flat=True))
    their_files.delete()
    remove_files_after_commit(stored_names)
    return len(stored_names)


def remove_files_after_commit(stored_names: Iterable[str]) -> None:
    """Unlink attachment files once the deletion of their rows commits.

    After, not before: a rolled-back deletion must find its files still there.
    A file already gone (a retried run) is not an error.
    """
    names = list(stored_names)

    def unlink() -> None:
        for name in names:
            attachment_path(name).unlink(missing_ok=True)

    if names:
        transaction.on_commit(unlink)


def _their_comments(person: Person) -> models.QuerySet[Comment]:
    return Comment.objects.filter(author=person).exclude(body=ERASED_TEXT)


@dataclass(frozen=True)
class _RequestText:
    pk: int
    subject: str
    description: str
    form_answers: dict[str, Any]


def _request_text_rewrites(person: Person) -> list[_RequestText]:
    """Their requests whose own words are still there, each with the words replaced."""
    requests = list(
        Request.objects.filter(requester=person).values_list(
            "pk", "service_id", "subject", "description", "form_answers"
        )
    )
    kinds = {
        (service_id, key): kind
        for service_id, key, kind in FormField.objects.filter(
            service_id__in={service_id for _, service_id, _, _, _ in requests}
        ).values_list("service_id", "key", "kind")
    }
    rewrites = []
    for pk, service_id, subject, description, answers in requests:
        erased_answers = {
            key: ERASED_TEXT
            if isinstance(value, str)
            and value
            and kinds.get((service_id, key), FieldKind.TEXT) in _TEXT_KINDS
            else value
            for key, value in (answers or {}).items()
        }
        erased = _RequestText(
            pk=pk,
            subject=ERASED_TEXT,
            description=ERASED_TEXT if description else "",
            form_answers=erased_answers,
        )
        if (subject, description, answers or {}) != (
            erased.subject,
            erased.description,
            erased.form_answers,
        ):
            rewrites.append(erased)
    return rewrites


def _replace_their_texts(person: Person) -> tuple[int, int]:
    """Replace the words of the requests they filed and the comments they wrote."""
    rewrites = _request_text_rewrites(person)
    for rewrite in rewrites:
        Request.objects.filter(pk=rewrite.pk).update(
            subject=rewrite.subject,
            description=rewrite.description,
            form_answers=rewrite.form_answers,
            # A stale edit form still holding the old words must not write them back.
            version=F("version") + 1,
        )
    # Notices repeat the subject they were about.
    for notice in Notification.objects.filter(
        request_id__in=[rewrite.pk for rewrite in rewrites], params__has_key="subject"
    ).only("params"):
        Notification.objects.filter(pk=notice.pk).update(
            params={**notice.params, "subject": ERASED_TEXT}
        )
    comments = _their_comments(person).update(body=ERASED_TEXT)
    return len(rewrites), comments
