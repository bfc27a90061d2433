"""Throttled password sign-in, the same for people who exist and people who don't.

Attempts are kept in the database, not in a process, so every web worker sees them.
"""

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inhouse.org.models import SignInAttempt

WINDOW = timedelta(minutes=15)
PER_USERNAME = 5
PER_ADDRESS = 30


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def _address(request: HttpRequest | None) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def begin_attempt(*, username: str, address: str | None) -> tuple[SignInAttempt, bool]:
    """Record an attempt and say whether it may go ahead (False: too many recently)."""
    now = timezone.now()
    SignInAttempt.objects.filter(at__lt=now - WINDOW).delete()
    attempt = SignInAttempt.objects.create(username_key=_key(username), address=address, at=now)
    recent = SignInAttempt.objects.filter(at__gte=now - WINDOW)
    too_many = recent.filter(username_key=attempt.username_key).count() > PER_USERNAME or (
        address is not None and recent.filter(address=address).count() > PER_ADDRESS
    )
    return attempt, not too_many


def forget_attempts(*, username: str) -> None:
    """A successful sign-in clears that name's count."""
    SignInAttempt.objects.filter(username_key=_key(username)).delete()


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("Too many sign-in attempts. Wait a few minutes and try again."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username:
            _, allowed = begin_attempt(username=username, address=_address(self.request))
            if not allowed:
                raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        cleaned = super().clean()
        forget_attempts(username=username)
        return cleaned
