"""Authenticating API callers by personal token."""

from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from inhouse.core.prepared import PreparedQuery
from inhouse.org.models import ApiToken, Person

# Recording every use would turn each API read into a write; once a minute is enough.
_LAST_USED_GRANULARITY = timedelta(minutes=1)
# Real tokens are 43 characters; anything much longer is not worth hashing.
_LONGEST_TOKEN = 200


# Every API call runs this look-up: compiled once per process (``core.prepared``).
_live_token = PreparedQuery(
    lambda digest: (
        ApiToken.objects.select_related("person__user")
        .filter(digest=digest, revoked_at__isnull=True, person__is_active=True)
        .filter(Q(person__user__isnull=True) | Q(person__user__is_active=True))
        .order_by("pk")[:1]
    ),
    digest=str,
)


class CallerRequest(HttpRequest):
    """A request the API's authentication let in: ``auth`` is the calling person."""

    auth: Person


def person_for_bearer_token(raw: str) -> Person | None:
    """The active person a token belongs to, or None for an unknown or revoked token.

    A person whose login was disabled loses their tokens too, as they lose their session.
    """
    if not raw or len(raw) > _LONGEST_TOKEN:
        return None
    tokens = _live_token.instances(digest=ApiToken.digest_of(raw))
    if not tokens:
        return None
    token = tokens[0]
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_GRANULARITY:
        # Conditional, so concurrent calls in the same minute write the row once.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - _LAST_USED_GRANULARITY)
        ).update(last_used_at=now)
    return token.person
