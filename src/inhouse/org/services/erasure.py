"""Pseudonymising a person's own records: name, e-mail, login and the traces of their account.

The person row itself stays, so every request, comment and history event that
points at them keeps pointing at the same id: counts and durations are unchanged,
only the words that identified them are gone. The rest of the erasure (their
texts, files and every mention of them in other tables) is the desk's
``erase_person``, which calls ``erase_identity`` inside its own transaction.
"""

from dataclasses import dataclass

from django.db.models import Q

from inhouse.org.models import ApiToken, Person, SignInAttempt

# A reserved top-level domain (RFC 2606): an erased address can never receive mail.
ERASED_EMAIL_DOMAIN = "erased.invalid"


@dataclass(frozen=True)
class Pseudonym:
    full_name: str
    email: str
    username: str


@dataclass(frozen=True)
class Identity:
    """What identified a person before erasure: the words to look for elsewhere."""

    full_name: str
    emails: tuple[str, ...]
    username: str


@dataclass(frozen=True)
class IdentityTraces:
    """How much of a person's own account an erasure removes (or would remove)."""

    login: bool
    api_tokens: int
    sign_in_attempts: int


def pseudonym_for(person: Person) -> Pseudonym:
    """The names an erased person carries from then on.

    Built from the id alone, so the pseudonym is unique (ids are), stable (a second
    erasure writes the same words, which is what makes erasure idempotent) and
    reveals nothing the id does not already reveal.
    """
    token = f"{person.pk:04x}"
    return Pseudonym(
        full_name=f"Erased person {token}",
        email=f"erased-{token}@{ERASED_EMAIL_DOMAIN}",
        username=f"erased-{token}",
    )


def is_erased(person: Person) -> bool:
    return person.email == pseudonym_for(person).email


def identity_of(person: Person) -> Identity:
    """The person's name, e-mail addresses (the person's and the login's) and username."""
    user = person.user
    emails = [person.email]
    if user is not None and user.email and user.email.lower() != person.email.lower():
        emails.append(user.email)
    return Identity(
        full_name=person.full_name,
        emails=tuple(emails),
        username=user.get_username() if user is not None else "",
    )


def _sign_in_attempts(identity: Identity) -> Q:
    keys = [key.strip().lower() for key in (identity.username, *identity.emails) if key]
    return Q(username_key__in=keys)


def identity_traces(person: Person) -> IdentityTraces:
    """What ``erase_identity`` would remove, without removing it."""
    identity = identity_of(person)
    user = person.user
    return IdentityTraces(
        login=user is not None
        and (
            user.is_active
            or user.has_usable_password()
            or user.get_username() != pseudonym_for(person).username
        ),
        api_tokens=ApiToken.objects.filter(person=person).count(),
        sign_in_attempts=SignInAttempt.objects.filter(_sign_in_attempts(identity)).count(),
    )


def erase_identity(person: Person) -> IdentityTraces:
    """Replace the person's name and e-mail with their pseudonym and end their login.

    Clears the personal fields (job title, manager, timezone), deactivates them,
    turns their Django user into an inactive account with no usable password,
    username, e-mail or name (which also ends every session: Django checks the
    password hash on each request), and deletes their API tokens and recorded
    sign-in attempts. The caller owns the transaction and has locked the row.
    """
    identity = identity_of(person)
    traces = identity_traces(person)
    pseudonym = pseudonym_for(person)
    person.full_name = pseudonym.full_name
    person.email = pseudonym.email
    person.job_title = ""
    person.manager = None
    person.timezone = "UTC"
    person.is_active = False
    person.is_org_admin = False
    person.save(
        update_fields=[
            "full_name", "email", "job_title", "manager", "timezone", "is_active", "is_org_admin",
        ]
    )  # fmt: skip
    user = person.user
    if user is not None:
        user.username = pseudonym.username
        user.email = ""
        user.first_name = ""
        user.last_name = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()
        user.save()
    ApiToken.objects.filter(person=person).delete()
    SignInAttempt.objects.filter(_sign_in_attempts(identity)).delete()
    return traces
