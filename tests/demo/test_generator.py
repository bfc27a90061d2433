"""The demo organization is believable, deterministic and agrees with the services' rules."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth import authenticate
from django.db.models import Max

from inhouse.demo.generator import DEMO_LOGINS, generate_demo
from inhouse.desk.models import EventKind, Request, RequestEvent, TeamCounter
from inhouse.org.models import Person
from inhouse.sla.calendars import business_calendar_for
from inhouse.sla.models import Clock

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return generate_demo(seed=3, request_count=400, now=NOW)


def fingerprint() -> list[tuple]:
    return list(
        Request.objects.order_by("reference").values_list(
            "reference", "subject", "status", "priority", "requester__email"
        )
    )


def test_same_seed_same_organization(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate_demo(seed=5, request_count=120, now=NOW)
    first = fingerprint()
    Request.objects.all().delete()
    Person.objects.all().delete()
    from django.contrib.auth import get_user_model

    from inhouse.catalog.models import Agreement, Service
    from inhouse.org.models import Team
    from inhouse.sla.models import Calendar

    TeamCounter.objects.all().delete()
    Agreement.objects.all().delete()
    Service.objects.all().delete()
    Calendar.objects.all().delete()
    get_user_model().objects.all().delete()
    while Team.objects.exists():
        Team.objects.filter(children__isnull=True).delete()
    generate_demo(seed=5, request_count=120, now=NOW)
    assert fingerprint() == first


def test_shape_of_the_organization(demo):
    assert 170 <= demo.people <= 230
    assert demo.teams >= 25
    assert demo.services >= 30
    assert demo.requests == 400
    assert demo.events > demo.requests * 4


def test_every_request_is_consistent(demo):
    pattern = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")
    for request in Request.objects.select_related("service", "provider_team"):
        assert pattern.match(request.reference)
        assert request.reference.startswith(request.provider_team.reference_prefix + "-")
        assert request.created_at <= NOW
        assert request.confidential == request.service.confidential
    created = (
        RequestEvent.objects.filter(kind=EventKind.CREATED).values("request").distinct().count()
    )
    assert created == demo.requests


def test_team_counters_continue_after_the_history(demo):
    for counter in TeamCounter.objects.select_related("team"):
        numbers = [
            int(reference.split("-")[1])
            for reference in Request.objects.filter(references__team=counter.team).values_list(
                "references__reference", flat=True
            )
            if reference.startswith(counter.team.reference_prefix + "-")
        ]
        assert counter.last_number >= max(numbers)


def test_clocks_agree_with_the_business_calendar(demo):
    clocks = Clock.objects.select_related("calendar").filter(paused_at__isnull=True)[:200]
    assert clocks
    for clock in clocks:
        calendar = business_calendar_for(clock.calendar)
        assert clock.due_at == calendar.add(clock.started_at, clock.target + clock.paused_total)


def test_some_but_not_most_requests_breach(demo):
    breached = Request.objects.filter(sla_breached=True).count()
    assert 0.02 * demo.requests <= breached <= 0.2 * demo.requests
    assert Clock.objects.filter(breached_at__isnull=False).exists()
    assert RequestEvent.objects.filter(kind=EventKind.BREACHED).exists()


def test_demo_logins_work(demo):
    for username, password, _ in DEMO_LOGINS:
        assert authenticate(username=username, password=password) is not None, username


def test_refuses_to_load_twice(demo):
    with pytest.raises(ValueError, match="already has people"):
        generate_demo(seed=3, request_count=10, now=NOW)
    assert Request.objects.aggregate(Max("pk"))["pk__max"] is not None
