"""The demo's bulk writer chains each history as ``events.record`` would, also when a
request's events wait for a blocker inserted in a later batch."""

from datetime import UTC, datetime

import pytest
from django.db.models import Min
from django.test import override_settings

from inhouse.demo import writer
from inhouse.demo.generator import generate_demo
from inhouse.desk.history_chain import check_histories
from inhouse.desk.models import Request, RequestEvent
from inhouse.sla.calendars import forget_business_calendars

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_histories_waiting_for_a_later_batch_are_whole_chains(monkeypatch):
    # Two requests a batch, so a request waiting for one filed after it waits for a later batch.
    monkeypatch.setattr(writer, "BATCH", 2)
    forget_business_calendars()
    generate_demo(seed=5, request_count=400, now=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    # Some request's history was written after a later request's: it waited.
    first_events = list(
        Request.objects.annotate(first=Min("events")).order_by("pk").values_list("first", flat=True)
    )
    assert first_events != sorted(first_events)
    histories = list(check_histories(Request.objects.all()))
    assert [h.reference for h in histories if h.first_break is not None] == []
    assert sum(h.events for h in histories) == RequestEvent.objects.count()
