"""Notifications in words: each kind's text, written for one reader when it is shown.

A notification is stored as a kind plus the facts its text needs (``params``),
so each channel can say it its own way: the in-app inbox uses ``render``, and an
email or a chat message will write its own text from the same facts. Text is
rendered in the active language (people have no language of their own yet) and
times in the reader's timezone.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from inhouse.desk.models import Notification, NotificationKind, Status
from inhouse.org.models import Person
from inhouse.sla.models import ClockKind


@dataclass(frozen=True)
class RenderedNotification:
    """One notification as its reader sees it in the app."""

    pk: int
    kind: str
    text: str
    # In the reader's timezone.
    created_at: datetime
    read_at: datetime | None
    reference: str | None


def _label(choices: Any, value: object) -> str:
    try:
        return str(choices(value).label).lower()
    except ValueError:
        return str(value)


_TEXTS: dict[str, Callable[[dict[str, Any]], str]] = {
    NotificationKind.REPLY: lambda p: _("%(actor)s replied on %(reference)s: %(subject)s") % p,
    NotificationKind.ASSIGNED: lambda p: _("%(reference)s was assigned to you: %(subject)s") % p,
    NotificationKind.WAITING_ON_YOU: lambda p: (
        _("%(reference)s is waiting on you: %(subject)s") % p
    ),
    NotificationKind.STATUS: lambda p: (
        _("%(reference)s is now %(status)s: %(subject)s")
        % {**p, "status": _label(Status, p["status"])}
    ),
    NotificationKind.AT_RISK: lambda p: (
        _("%(reference)s is close to breaching its %(clock)s target")
        % {**p, "clock": _label(ClockKind, p["clock"])}
    ),
    NotificationKind.BREACHED: lambda p: (
        _("%(reference)s breached its %(clock)s target")
        % {**p, "clock": _label(ClockKind, p["clock"])}
    ),
}


def text_of(notification: Notification) -> str:
    """The notification's text in the active language."""
    params = notification.params
    if "text" in params:
        # Written before notifications carried parameters: shown as it was written then.
        return str(params["text"])
    return _TEXTS[notification.kind](params)


def render(notifications: Iterable[Notification], *, reader: Person) -> list[RenderedNotification]:
    """``reader``'s notifications as the inbox shows them (select ``request`` with them)."""
    zone = ZoneInfo(reader.timezone)
    return [
        RenderedNotification(
            pk=notification.pk,
            kind=notification.kind,
            text=text_of(notification),
            created_at=notification.created_at.astimezone(zone),
            read_at=notification.read_at,
            reference=notification.request.reference if notification.request else None,
        )
        for notification in notifications
    ]
