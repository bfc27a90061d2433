"""Notifications in words and in choices: each kind's text, written for one reader
when it is shown, and which kinds each person has chosen to receive.

A notification is stored as a kind plus the facts its text needs (``params``),
so each channel can say it its own way: the in-app inbox uses ``render``, and an
email or a chat message will write its own text from the same facts. Text is
rendered in the active language (people have no language of their own yet) and
times in the reader's timezone.

Who is sent which kind is decided in ``inhouse.desk.services.notifications``;
whether it then reaches them is each person's choice per kind and channel
(``NotificationPreference``), with a default per kind and channel when they have
not chosen. Requester kinds concern requests a person asked for or watches;
provider kinds concern the queues of teams they work in as agent or lead.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inhouse import policy
from inhouse.desk.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationPreference,
    Status,
)
from inhouse.knowledge.models.ideas import IdeaStatus
from inhouse.sla.models import ClockKind

# Kinds about requests a person asked for or watches (and ideas they proposed or voted
# for: everyone may), in the order they are offered.
REQUESTER_KINDS = (
    NotificationKind.REPLY,
    NotificationKind.WAITING_ON_YOU,
    NotificationKind.STATUS,
    NotificationKind.IDEA_STATUS,
    NotificationKind.FOLLOW_UP,
    NotificationKind.RATE_REQUEST,
)
# Kinds about the queues of teams a person works in as agent or lead.
PROVIDER_KINDS = (
    NotificationKind.NEW_REQUEST,
    NotificationKind.REQUESTER_REPLIED,
    NotificationKind.ASSIGNED,
    NotificationKind.AT_RISK,
    NotificationKind.BREACHED,
)

# When each kind is sent, as the settings page and the API explain it.
KIND_EXPLANATIONS: dict[str, Promise] = {
    NotificationKind.REPLY: gettext_lazy(
        "Someone replies on a request you asked for or watch, or adds a reply or an "
        "internal note to a request assigned to you."
    ),
    NotificationKind.WAITING_ON_YOU: gettext_lazy(
        "A request you asked for or watch waits for an answer from you."
    ),
    NotificationKind.STATUS: gettext_lazy("A request you asked for or watch changes status."),
    NotificationKind.IDEA_STATUS: gettext_lazy(
        "The team owning an idea you proposed or voted for changes its status."
    ),
    NotificationKind.FOLLOW_UP: gettext_lazy(
        "Some time after a request you asked for was resolved, its team asks whether it still "
        "works. Switched off, you are asked no more follow-ups."
    ),
    NotificationKind.RATE_REQUEST: gettext_lazy(
        "A request you asked for is resolved: you are invited to rate how it went."
    ),
    NotificationKind.NEW_REQUEST: gettext_lazy(
        "A new request arrives in the queue of a team you work in."
    ),
    NotificationKind.REQUESTER_REPLIED: gettext_lazy(
        "The requester (or someone watching) replies on a request assigned to you, or on an "
        "unassigned request in your team's queue."
    ),
    NotificationKind.ASSIGNED: gettext_lazy("Someone else assigns a request to you."),
    NotificationKind.AT_RISK: gettext_lazy(
        "A request assigned to you, or unassigned in your team's queue, is close to "
        "breaching a target."
    ),
    NotificationKind.BREACHED: gettext_lazy(
        "A request assigned to you, or held by a team you lead, breached a target."
    ),
}


def enabled_by_default(kind: str, channel: str) -> bool:
    """Whether ``kind`` reaches a person on ``channel`` when they have not chosen.

    In the app every kind is on: the inbox is quiet (nothing pops up or is sent),
    and a person who hears nothing cannot know what they are missing. Channels that
    interrupt, such as email, will start with fewer kinds on.
    """
    return channel == NotificationChannel.APP


@dataclass(frozen=True)
class KindChoice:
    """One kind of notice one person may receive, and whether it reaches them."""

    kind: str
    label: str
    explanation: str
    for_providers: bool
    # Per channel: whether it reaches them now, and whether that is the default.
    enabled: dict[str, bool]
    defaults: dict[str, bool]


def kinds_for(viewer: policy.Viewer) -> tuple[str, ...]:
    """The kinds a person can be sent: everyone is a requester; agents and leads of
    a team also hear of its queue."""
    return REQUESTER_KINDS + PROVIDER_KINDS if viewer.queue_team_ids else REQUESTER_KINDS


def preferences_of(viewer: policy.Viewer) -> list[KindChoice]:
    """Every kind the viewer can be sent, with their choice (or the default) per channel."""
    chosen = {
        (kind, channel): enabled
        for kind, channel, enabled in NotificationPreference.objects.filter(
            person_id=viewer.person_id
        ).values_list("kind", "channel", "enabled")
    }
    channels = NotificationChannel.values
    return [
        KindChoice(
            kind=kind,
            label=str(NotificationKind(kind).label),
            explanation=str(KIND_EXPLANATIONS[kind]),
            for_providers=kind in PROVIDER_KINDS,
            enabled={
                channel: chosen.get((kind, channel), enabled_by_default(kind, channel))
                for channel in channels
            },
            defaults={channel: enabled_by_default(kind, channel) for channel in channels},
        )
        for kind in kinds_for(viewer)
    ]


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
    # The request is held by a team the reader works in: it opens in the workspace.
    in_workspace: bool
    # Where a notice about no request leads (a survey to answer), as a path of the app.
    link: str | None = None


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
    NotificationKind.NEW_REQUEST: lambda p: (
        _("New request %(reference)s from %(requester)s: %(subject)s") % p
    ),
    NotificationKind.REQUESTER_REPLIED: lambda p: (
        _("%(actor)s replied on %(reference)s: %(subject)s") % p
    ),
    NotificationKind.IDEA_STATUS: lambda p: (
        _("The idea “%(title)s” is now %(status)s")
        % {**p, "status": _label(IdeaStatus, p["status"])}
    ),
    NotificationKind.KUDOS_DIGEST: lambda p: (
        _("This week your reports and teams received %(count)s kudos: %(names)s") % p
    ),
    NotificationKind.TRAINING_REMINDER: lambda p: (
        _("Reminder: the training session “%(title)s” by %(team)s starts within a day") % p
    ),
    NotificationKind.FOLLOW_UP: lambda p: (
        _("Is %(reference)s still working? %(team)s would like to know: %(subject)s") % p
    ),
    NotificationKind.SURVEY_INVITATION: lambda p: (
        _("%(team)s asks how well it serves you: answer “%(title)s” by %(closes_on)s") % p
    ),
    NotificationKind.SURVEY_REMINDER: lambda p: (
        _("Reminder: “%(title)s” from %(team)s closes on %(closes_on)s") % p
    ),
    NotificationKind.RATE_REQUEST: lambda p: (
        _("%(reference)s is resolved. How did it go? Rate it: %(subject)s") % p
    ),
}


def text_of(notification: Notification) -> str:
    """The notification's text in the active language."""
    params = notification.params
    if "text" in params:
        # Written before notifications carried parameters: shown as it was written then.
        return str(params["text"])
    return _TEXTS[notification.kind](params)


def render(
    notifications: Iterable[Notification], *, reader: policy.Viewer
) -> list[RenderedNotification]:
    """``reader``'s notifications as the inbox shows them (select ``request`` with them)."""
    zone = ZoneInfo(reader.person.timezone)
    return [
        RenderedNotification(
            pk=notification.pk,
            kind=notification.kind,
            text=text_of(notification),
            created_at=notification.created_at.astimezone(zone),
            read_at=notification.read_at,
            reference=notification.request.reference if notification.request else None,
            in_workspace=notification.request is not None
            and notification.request.provider_team_id in reader.queue_team_ids,
            link=None if notification.request else _link_of(notification),
        )
        for notification in notifications
    ]


# Where a notice about no request leads, from its parameters (addresses are not stored:
# they change with the URLconf).
_LINKS: dict[str, Callable[[dict[str, Any]], str]] = {
    NotificationKind.IDEA_STATUS: lambda p: reverse("ideas:detail", args=[p["idea"]]),
    NotificationKind.TRAINING_REMINDER: lambda p: reverse(
        "kudos:training-session", args=[p["session_id"]]
    ),
}


def _link_of(notification: Notification) -> str | None:
    params = notification.params
    if "link" in params:
        return str(params["link"])
    make = _LINKS.get(notification.kind)
    return make(params) if make else None
