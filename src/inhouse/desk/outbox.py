"""The notices outbox any service writes to: the desk's, feedback's and knowledge's.

The rows are the durable outbox: a change that rolls back takes its notices with
it. The delivery task, which delivers every notice not yet delivered, is queued with
``core.task_queue.enqueue_once_committed``, so nothing is delivered for a change that
never committed, and one run serves the changes that commit before it starts.
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

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db.models import BooleanField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from inhouse.core.inserts import (
    Selection,
    compile_selection,
    insert_selected,
    insert_selected_counted,
)
from inhouse.core.prepared import PreparedQuery
from inhouse.core.task_queue import enqueue_once_committed
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


def _reached(audience: Q, kind: str, excluded: Collection[int]) -> QuerySet[Person, Any]:
    """The ids of the active people in ``audience`` who want ``kind`` in the app, but
    for the ``excluded``."""
    return (
        Person.objects.filter(
            audience,
            _wants(kind, NotificationChannel.APP),
            ~Q(pk__in=excluded),
            is_active=True,
        )
        .order_by()
        .values_list("pk")
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
        return cls(kind=kind, audience=compile_selection(_reached(audience, kind, excluded)))

    def send(self, *, request: Request | None, params: dict[str, Any]) -> set[int]:
        """Write the notices (the audience as it is now) and queue their delivery for
        after commit; returns whom it notified."""
        written = insert_selected(
            Notification,
            ["recipient"],
            self.audience,
            constants=self._constants(request, params),
            returning=["recipient"],
        )
        if written:
            enqueue_once_committed(deliver_notifications)
        return {recipient_id for (recipient_id,) in written}

    def post(self, *, request: Request | None, params: dict[str, Any]) -> None:
        """``send`` for a change that need not know whom it notified (a new request):
        the insert returns nothing, which spares SQLite a statement journal."""
        if insert_selected_counted(
            Notification, ["recipient"], self.audience, constants=self._constants(request, params)
        ):
            enqueue_once_committed(deliver_notifications)

    def _constants(self, request: Request | None, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "request": request.pk if request else None,
            "kind": self.kind,
            "params": params,
            "created_at": timezone.now(),
        }


class PreparedNotice:
    """A notice of one kind to an audience that is a function of a few ids, for a path
    every request takes (a comment, a status change): ``Notice.to`` compiles the
    audience's statement on each call, this compiles it once per process and database
    (``core.prepared``) and sends it with the ids of each call.

    ``audience`` builds the condition on ``Person`` from the ids named in ``ids``;
    ``excluded`` is how many people the notices leave out (the actor and those already
    notified), each one a parameter too: a different count is another shape."""

    def __init__(
        self,
        audience: Callable[..., Q],
        *,
        kind: str,
        ids: Sequence[str],
        excluded: int,
    ) -> None:
        self.kind = kind
        self._ids = tuple(ids)
        self._excluded = tuple(f"excluded_{number}" for number in range(excluded))

        def reached(**values: int) -> QuerySet[Person, Any]:
            return _reached(
                audience(**{name: values[name] for name in self._ids}),
                kind,
                [values[name] for name in self._excluded],
            )

        # A condition may name an id twice (a team's queue, and whether the assignee is
        # still in it) or leave one out (a shape with no assignee).
        self._people = PreparedQuery(
            reached, each_once=False, **dict.fromkeys([*self._ids, *self._excluded], int)
        )

    def to(self, ids: Mapping[str, int], *, excluded: Collection[int]) -> Notice:
        """The notice to the audience of these ids, leaving out ``excluded`` (as many
        distinct ids as the shape was built for)."""
        if len(excluded) != len(self._excluded):
            raise ValueError(f"Built to leave out {len(self._excluded)} people.")
        values = {**ids, **dict(zip(self._excluded, sorted(excluded), strict=True))}
        return Notice(kind=self.kind, audience=self._people.selection(**values))
