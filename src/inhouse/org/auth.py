"""Authenticating API callers by personal token."""

from datetime import timedelta

from django.utils import timezone

from inhouse.org.models import ApiToken, Person

# Recording every use would turn each API read into a write; once a minute is enough.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


def person_for_bearer_token(raw: str) -> Person | None:
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("person__user")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person
