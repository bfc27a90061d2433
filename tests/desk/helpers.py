"""Builders and checks the desk's behaviour tests share."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

from inhouse.catalog.models import Service
from inhouse.desk.models import (
    Attachment,
    Comment,
    Dependency,
    Notification,
    Request,
    RequestEvent,
)
from inhouse.desk.services import Upload, submit_request
from inhouse.org.models import Person
from inhouse.sla.models import Clock, ClockKind

# A Monday morning, so office-hours calendars start on a working day.
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FakeClock:
    """Stands in for ``django.utils.timezone.now``; tests move it forward by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@contextmanager
def frozen_time(start: datetime = START) -> Iterator[FakeClock]:
    """Every ``timezone.now()`` (services, selectors, policy) answers the fake clock.

    Create calendars before entering: their ``updated_at`` keys the calendar cache,
    and a frozen time could repeat a key an earlier test used.
    """
    clock = FakeClock(start)
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


def submit(
    cast: Any,
    *,
    actor: Person | None = None,
    service: Service | None = None,
    subject: str = "Printer on floor 3 jams",
    **options: Any,
) -> Request:
    """File a request through the service; by default rita asks for the printer."""
    return submit_request(
        actor=actor or cast.rita, service=service or cast.printer, subject=subject, **options
    )


def upload(
    content: bytes = b"hello", name: str = "notes.txt", content_type: str = "text/plain"
) -> Upload:
    return Upload(name=name, content_type=content_type, stream=io.BytesIO(content))


def fresh(request: Request) -> Request:
    return Request.objects.get(pk=request.pk)


def clock_of(request: Request, kind: str = ClockKind.RESOLUTION) -> Clock:
    return Clock.objects.get(request=request, kind=kind)


@dataclass(frozen=True)
class Snapshot:
    """Everything a refused action must leave as it was."""

    status: str
    version: int
    priority: str
    assignee_id: int | None
    provider_team_id: int
    reference: str
    events: int
    comments: int
    attachments: int
    dependencies: int
    notifications: int
    clocks: tuple


def snapshot(request: Request) -> Snapshot:
    row = fresh(request)
    return Snapshot(
        status=row.status,
        version=row.version,
        priority=row.priority,
        assignee_id=row.assignee_id,
        provider_team_id=row.provider_team_id,
        reference=row.reference,
        events=RequestEvent.objects.filter(request=row).count(),
        comments=Comment.objects.filter(request=row).count(),
        attachments=Attachment.objects.filter(request=row).count(),
        dependencies=Dependency.objects.filter(blocked=row).count()
        + Dependency.objects.filter(blocker=row).count(),
        notifications=Notification.objects.filter(request=row).count(),
        clocks=tuple(
            Clock.objects.filter(request=row)
            .order_by("kind")
            .values_list("kind", "due_at", "paused_at", "paused_total", "stopped_at", "target")
        ),
    )


def event_kinds(request: Request) -> list[str]:
    return list(
        RequestEvent.objects.filter(request=request)
        .order_by("created_at", "id")
        .values_list("kind", flat=True)
    )
