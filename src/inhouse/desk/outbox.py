"""The notices outbox any service writes to: the desk's, feedback's and knowledge's.

The rows are the durable outbox: a change that rolls back takes its notices with
it. ``notify`` is the one place that schedules what happens beyond the
transaction: with ``transaction.on_commit`` it queues the delivery task for the
rows it wrote, so nothing is delivered for a change that never committed.
Delivering in the app means marking the notices delivered; the email and chat
channels will add their sending to the same task.

Nobody hears of their own action, and each person may switch a kind off (see
``inhouse.desk.notifications``). Each ``notify`` is one statement, however many
people it reaches: an insert of the notices selected from the audience, already
filtered by their choices.

This module sits beside ``desk.services``, not inside it: the services of the apps
the desk calls (feedback, knowledge) write notices too, and they never import the
desk's services. Who hears what of a request is the desk's, in
``inhouse.desk.services.notifications``.
"""

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import transaction
from django.db.models import BooleanField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from inhouse.core.inserts import Selection, compile_selection, insert_selected
from inhouse.desk.models import Notification, NotificationChannel, NotificationPreference, Request
from inhouse.desk.notifications import enabled_by_default
from inhouse.desk.tasks import deliver_notifications
from inhouse.org.models import Person


@cache
def _wants(kind: str, channel: str) -> Coalesce:
    """Whether the person of the outer row wants ``kind`` on ``channel``: their choice,
    else the default (read through the preference's unique index).

    Built once per kind and channel: a filter resolves a copy of it, never the one
    kept here, and the defaults are fixed in code (``enabled_by_default``)."""
    choice = NotificationPreference.objects.filter(
        person_id=OuterRef("pk"), kind=kind, channel=channel
    ).values("enabled")[:1]
    return Coalesce(
        Subquery(choice),
        Value(enabled_by_default(kind, channel)),
        output_field=BooleanField(),
    )


def notify(
    audience: Q,
    *,
    request: Request | None,
    kind: str,
    params: dict[str, Any],
    actor: Person | None = None,
    already_notified: Collection[int] = (),
) -> set[int]:
    """Notify each active person in ``audience`` (a condition on ``Person``) who wants
    ``kind`` in the app, except the actor and those ``already_notified`` of this change;
    returns whom it notified. ``request`` is what the notice is about, or None for a
    notice about no one request (an idea's status carries its idea in ``params``; a
    kudos digest, a training reminder)."""
    notice = Notice.to(audience, kind=kind, actor=actor, already_notified=already_notified)
    return notice.send(request=request, params=params)


@dataclass(frozen=True)
class Notice:
    """A notice of one kind to an audience, its statement built ahead: a path holding a
    write lock (the submit) builds it before its transaction and sends it inside, where
    the audience is read and the notices written in one statement."""

    kind: str
    audience: Selection

    @classmethod
    def to(
        cls,
        audience: Q,
        *,
        kind: str,
        actor: Person | None = None,
        already_notified: Collection[int] = (),
    ) -> "Notice":
        excluded = {*already_notified, *([actor.pk] if actor else [])}
        people = Person.objects.filter(
            audience,
            _wants(kind, NotificationChannel.APP),
            ~Q(pk__in=excluded),
            is_active=True,
        )
        return cls(kind=kind, audience=compile_selection(people.order_by().values_list("pk")))

    def send(self, *, request: Request | None, params: dict[str, Any]) -> set[int]:
        """Write the notices (the audience as it is now) and queue their delivery for
        after commit; returns whom it notified."""
        written = insert_selected(
            Notification,
            ["recipient"],
            self.audience,
            constants={
                "request": request.pk if request else None,
                "kind": self.kind,
                "params": params,
                "created_at": timezone.now(),
            },
            returning=["id", "recipient"],
        )
        if not written:
            return set()
        notification_ids = sorted(notification_id for notification_id, _ in written)
        transaction.on_commit(lambda: deliver_notifications.enqueue(notification_ids))
        return {recipient_id for _, recipient_id in written}
