"""Changes to people's accounts: API tokens and org admins."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from inhouse.core.errors import InvalidInput, NotFound
from inhouse.org.models import (
    ApiToken,
    Person,
)

TOKEN_PREFIX = "ih_"  # noqa: S105 - a public marker that makes leaked tokens easy to spot
# 30 random bytes are 40 URL-safe characters.
_TOKEN_BYTES = 30
_TOKEN_NAME_MAX = 100


# --- API tokens ---------------------------------------------------------------------------


@transaction.atomic
def create_api_token(*, person: Person, name: str = "") -> str:
    """Create a personal API token and return it; it is shown this once, only its digest is kept."""
    name = name.strip()
    if not person.is_active:
        raise InvalidInput("Inactive people cannot have API tokens.")
    if len(name) > _TOKEN_NAME_MAX:
        raise InvalidInput(
            "The token could not be created.",
            fields={"name": f"Keep the name under {_TOKEN_NAME_MAX} characters."},
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)
    ApiToken.objects.create(
        person=person, name=name, prefix=raw[:10], digest=ApiToken.digest_of(raw)
    )
    return raw


@transaction.atomic
def revoke_api_token(*, person: Person, token_id: int) -> None:
    """Revoke one of the person's own active tokens; anyone else's is not found."""
    revoked = ApiToken.objects.filter(pk=token_id, person=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not revoked:
        raise NotFound("No such active token.")


# --- admins -------------------------------------------------------------------------------


def create_admin(*, username: str, email: str, full_name: str, password: str) -> Person:
    """An org admin: a Django superuser with a person record that may see everything.

    Raises ``InvalidInput`` naming each bad field; the password is checked by the
    project's password validators.
    """
    User = get_user_model()
    username, email, full_name = username.strip(), email.strip(), full_name.strip()
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "Enter a username."
    else:
        try:
            User.username_validator(username)
        except ValidationError as exc:
            errors["username"] = " ".join(exc.messages)
        else:
            if len(username) > 150:
                errors["username"] = "Keep the username under 150 characters."
            elif User.objects.filter(username=username).exists():
                errors["username"] = "Choose a username nobody has yet."
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter a valid email address."
    else:
        taken = (
            Person.objects.filter(email__iexact=email).exists()
            or User.objects.filter(email__iexact=email).exists()
        )
        if taken:
            errors["email"] = "Someone already has this email address."
    if not full_name:
        errors["full_name"] = "Enter the admin's name."
    elif len(full_name) > 200:
        errors["full_name"] = "Keep the name under 200 characters."
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = " ".join(exc.messages)
    if errors:
        raise InvalidInput("The admin could not be created.", fields=errors)
    try:
        with transaction.atomic():
            user = User.objects.create_superuser(username=username, email=email, password=password)
            return Person.objects.create(
                user=user, full_name=full_name, email=email, is_org_admin=True
            )
    except IntegrityError as exc:
        # Someone took the username or email between the check and the write.
        raise InvalidInput(
            "The admin could not be created.",
            fields={"username": "The username or email address was taken a moment ago."},
        ) from exc
