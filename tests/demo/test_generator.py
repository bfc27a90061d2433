"""The demo organization is believable, deterministic and agrees with the services' rules."""

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Count, Max, Q
from django.test import override_settings

from inhouse.catalog.answers import check_answers
from inhouse.catalog.models import FieldKind, Service, Visibility
from inhouse.demo.generator import DEMO_LOGINS, DEMO_PASSWORD, generate_demo
from inhouse.demo.history import plan_history
from inhouse.demo.people import plan_people
from inhouse.demo.world import load_world
from inhouse.desk.history_chain import check_histories
from inhouse.desk.models import (
    OPEN_STATUSES,
    Dependency,
    EventKind,
    Request,
    RequestEvent,
    RequestReference,
    Status,
    TeamCounter,
    TeamHolding,
)
from inhouse.org.models import Membership, MembershipRole, Person, PersonKind, Team, TeamKind
from inhouse.sla.calendars import business_calendar_for, forget_business_calendars
from inhouse.sla.models import Calendar, Clock, ClockKind, validate_weekly_hours

# A Wednesday afternoon; the year before it spans a summer and a Christmas.
NOW = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
SEED = 3
COUNT = 1_000
REFERENCE = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo for the whole module, rolled back afterwards: generating it is the slow part."""
    fast_hashing = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        forget_business_calendars()
        yield generate_demo(seed=SEED, request_count=COUNT, now=NOW)
        transaction.set_rollback(True)


# --- determinism ---------------------------------------------------------------------------


def test_people_are_planned_from_the_seed_alone():
    people = plan_people(7)
    assert plan_people(7) == people
    assert plan_people(8) != people
    kinds = Counter(person.kind for person in people)
    assert (kinds[PersonKind.CONTRACTOR], kinds[PersonKind.CONSULTANT]) == (10, 5)
    assert (kinds[PersonKind.PARTNER], kinds[PersonKind.BOARD_MEMBER]) == (2, 2)
    assert len({person.email for person in people}) == len(people)


def test_history_is_planned_from_the_seed_alone(demo):
    world = load_world()
    first = plan_history(world, seed=SEED, count=150, now=NOW)
    assert plan_history(world, seed=SEED, count=150, now=NOW) == first
    assert plan_history(world, seed=SEED + 1, count=150, now=NOW) != first


def test_the_written_history_is_the_plan(demo):
    planned = plan_history(load_world(), seed=SEED, count=COUNT, now=NOW)
    written = Request.objects.order_by("created_at", "id").values_list("subject", "created_at")
    assert [(plan.subject, plan.created_at) for plan in planned] == list(written)


# --- the organization ----------------------------------------------------------------------


def test_shape_of_the_organization(demo):
    assert 180 <= demo.people <= 220
    assert demo.teams == Team.objects.count() >= 25
    assert 35 <= demo.services <= 45
    assert demo.agreements > 20
    assert (demo.requests, demo.events, demo.comments) == (
        COUNT,
        RequestEvent.objects.count(),
        RequestEvent.objects.filter(kind=EventKind.COMMENTED).count(),
    )
    assert Team.objects.filter(kind=TeamKind.DEPARTMENT, parent=None).count() >= 10
    prefixes = list(Team.objects.values_list("reference_prefix", flat=True))
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]*", prefix) for prefix in prefixes)
    external = set(
        Team.objects.filter(serves_external_customers=True).values_list("slug", flat=True)
    )
    assert {"sales", "customer-support", "sales-emea", "support-tier-2"} <= external
    assert not Person.objects.annotate(teams=Count("memberships")).exclude(teams=1).exists()


def test_provider_teams_have_agents_and_one_lead(demo):
    providers = (
        Team.objects.filter(services__isnull=False)
        .distinct()
        .annotate(
            agents=Count(
                "memberships",
                filter=Q(memberships__role=MembershipRole.AGENT),
                distinct=True,
            ),
            leads=Count(
                "memberships", filter=Q(memberships__role=MembershipRole.LEAD), distinct=True
            ),
        )
    )
    for team in providers:
        assert 2 <= team.agents <= 6, team
        assert team.leads == 1, team


def test_reporting_lines_run_up_to_the_ceo(demo):
    ceo = Person.objects.get(job_title="Chief Executive Officer", manager=None)
    outside = (PersonKind.BOARD_MEMBER, PersonKind.PARTNER)
    for person in (
        Person.objects.exclude(kind__in=outside).exclude(pk=ceo.pk).select_related("manager")
    ):
        chain = [person]
        while chain[-1].manager_id is not None:
            chain.append(chain[-1].manager)
            assert len(chain) < 6, "reporting lines are three levels deep"
        assert chain[-1] == ceo
    zones = Counter(Person.objects.values_list("timezone", flat=True))
    assert zones.most_common(1)[0][0] == "Europe/Berlin"
    assert zones["America/New_York"] and zones["Asia/Singapore"]


def test_calendars_and_closed_days(demo):
    calendars = {calendar.name: calendar for calendar in Calendar.objects.all()}
    assert set(calendars) == {
        "Berlin office",
        "New York office",
        "Singapore office",
        "Around the clock",
    }
    for calendar in calendars.values():
        validate_weekly_hours(calendar.weekly_hours)
    assert calendars["Berlin office"].weekly_hours["0"] == [["09:00", "12:30"], ["13:30", "17:30"]]
    assert calendars["Around the clock"].weekly_hours["6"] == [["00:00", "24:00"]]
    assert calendars["Berlin office"].closed_days.filter(name="Christmas Eve").exists()


def test_services_have_typed_forms_and_sensible_visibility(demo):
    services = {
        service.slug: service for service in Service.objects.prefetch_related("form_fields")
    }
    kinds = {field.kind for service in services.values() for field in service.form_fields.all()}
    assert kinds == set(FieldKind.values)
    for service in services.values():
        for field in service.form_fields.all():
            assert bool(field.choices) == (field.kind in (FieldKind.CHOICE, FieldKind.MULTI_CHOICE))
    assert services["conflict-mediation"].confidential
    pricing = services["pricing-exception"]
    assert pricing.visibility == Visibility.RESTRICTED
    assert {team.slug for team in pricing.visible_to_teams.all()} == {
        "sales-emea",
        "sales-americas",
    }
    assert services["board-reporting"].visible_to_kinds == [PersonKind.BOARD_MEMBER]
    assert services["budget-approval"].process_category == "management"
    assert services["sales-materials"].process_category == "primary"


# --- the history ---------------------------------------------------------------------------


def test_every_request_is_consistent(demo):
    created = Counter(
        RequestEvent.objects.filter(kind=EventKind.CREATED).values_list("request_id", flat=True)
    )
    last_status = {}
    for request_id, data in (
        RequestEvent.objects.filter(kind=EventKind.STATUS_CHANGED)
        .order_by("created_at", "id")
        .values_list("request_id", "data")
    ):
        last_status[request_id] = data["status"][1]
    for request in Request.objects.select_related("provider_team"):
        assert REFERENCE.match(request.reference)
        assert request.reference.startswith(request.provider_team.reference_prefix + "-")
        assert request.created_at <= request.updated_at <= NOW
        assert created[request.pk] == 1
        assert request.status == last_status.get(request.pk, Status.NEW)
        assert (request.resolved_at is not None) == (
            request.status in (Status.RESOLVED, Status.CLOSED)
        )
        assert request.version > 1 or request.status == Status.NEW
    assert not Request.objects.filter(confidential=True, service__confidential=False).exists()
    statuses = Counter(Request.objects.values_list("status", flat=True))
    assert statuses[Status.CLOSED] + statuses[Status.RESOLVED] > 0.8 * COUNT
    assert statuses[Status.CANCELLED]
    # What is still open is mostly recent work.
    open_since = list(
        Request.objects.filter(status__in=OPEN_STATUSES).values_list("created_at", flat=True)
    )
    assert open_since
    assert sum(NOW - created < timedelta(days=14) for created in open_since) > len(open_since) / 2


def test_form_answers_pass_the_services_validation(demo):
    transferred = RequestEvent.objects.filter(kind=EventKind.TRANSFERRED).values("request_id")
    requests = Request.objects.exclude(pk__in=transferred).select_related("service", "agreement")
    fields = {}
    for request in requests:
        if request.service_id not in fields:
            fields[request.service_id] = list(request.service.form_fields.all())
        checked = check_answers(
            fields[request.service_id],
            request.form_answers,
            also_required=request.agreement.customer_obligations,
            uploaded_file_keys=[
                f.key for f in fields[request.service_id] if f.kind == FieldKind.FILE
            ],
        )
        assert not checked.errors, (request.reference, checked.errors)


def test_references_holdings_and_counters(demo):
    assert (
        RequestReference.objects.count()
        == Request.objects.count() + RequestEvent.objects.filter(kind=EventKind.TRANSFERRED).count()
    )
    for reference in RequestReference.objects.values_list("reference", flat=True):
        assert REFERENCE.match(reference)
    highest: dict[int, int] = {}
    for team_id, reference in RequestReference.objects.values_list("team_id", "reference"):
        highest[team_id] = max(highest.get(team_id, 0), int(reference.rsplit("-", 1)[1]))
    counters = dict(TeamCounter.objects.values_list("team_id", "last_number"))
    for team_id, number in highest.items():
        assert counters[team_id] >= number >= 1000
    open_spans = Counter(
        TeamHolding.objects.filter(ended_at=None).values_list("request_id", flat=True)
    )
    assert set(open_spans.values()) == {1} and len(open_spans) == COUNT


def test_clocks_follow_the_business_calendar(demo):
    clocks = list(Clock.objects.select_related("calendar", "request"))
    assert len(clocks) == 2 * COUNT
    for clock in clocks:
        if clock.paused_at is not None:
            assert clock.due_at is None
            continue
        calendar = business_calendar_for(clock.calendar)
        assert clock.due_at == calendar.add(clock.started_at, clock.target + clock.paused_total)
        if clock.breached_at is not None:
            # A breach stays on record even if a reopening or a new target moved the due time.
            assert clock.breached_at < (clock.stopped_at or NOW)
        elif clock.stopped_at is not None:
            assert clock.stopped_at <= clock.due_at
    for request in Request.objects.prefetch_related("clocks"):
        breached = any(clock.breached_at for clock in request.clocks.all())
        assert request.sla_breached == breached
        resolution = next(c for c in request.clocks.all() if c.kind == ClockKind.RESOLUTION)
        running = resolution.stopped_at is None and resolution.paused_at is None
        assert request.resolution_due_at == (resolution.due_at if running else None)


def test_some_but_not_most_requests_breach(demo):
    breached = Request.objects.filter(sla_breached=True).count()
    assert 0.04 * COUNT <= breached <= 0.16 * COUNT
    breaches = Clock.objects.filter(breached_at__isnull=False).count()
    assert RequestEvent.objects.filter(kind=EventKind.BREACHED).count() == breaches


def test_first_response_is_the_first_public_agent_reply(demo):
    for request in Request.objects.filter(first_responded_at__isnull=False)[:100]:
        first_reply = request.comments.filter(by_provider=True, is_public=True).earliest(
            "created_at"
        )
        assert first_reply.created_at == request.first_responded_at
        clock = request.clocks.get(kind=ClockKind.FIRST_RESPONSE)
        assert clock.stopped_at == request.first_responded_at


def test_dependent_requests_finish_after_what_blocks_them(demo):
    dependencies = list(Dependency.objects.select_related("blocker", "blocked"))
    assert dependencies
    for dependency in dependencies:
        if dependency.blocked.resolved_at is not None:
            assert dependency.blocker.resolved_at is not None
            assert dependency.blocker.resolved_at <= dependency.blocked.resolved_at
    linked = RequestEvent.objects.filter(kind=EventKind.DEPENDENCY_ADDED)
    assert {(e.request_id, e.data["blocked_by"]) for e in linked} == {
        (d.blocked_id, d.blocker_id) for d in dependencies
    }
    assert Request.objects.filter(parent__isnull=False).exists()


def test_external_outcomes_are_mostly_sales_and_support_work(demo):
    linked = Request.objects.exclude(external_ref="")
    assert 0.04 * COUNT <= linked.count() <= 0.25 * COUNT
    assert all(
        re.fullmatch(r"(DEAL|CASE)-\d+", ref)
        for ref in linked.values_list("external_ref", flat=True)
    )
    serving = linked.filter(customer_team__serves_external_customers=True).count()
    assert serving > linked.count() / 2


# --- logins and safety --------------------------------------------------------------------


def test_demo_logins_work(demo):
    assert {"admin", "rita", "alex", "lena", "hana", "sam", "omar"} <= {
        u for u, _, _ in DEMO_LOGINS
    }
    for username, password, _ in DEMO_LOGINS:
        assert password == DEMO_PASSWORD
        user = authenticate(username=username, password=password)
        assert user is not None, username
        assert user.email == user.person.email
    admin = Person.objects.get(user__username="admin")
    assert admin.is_org_admin and admin.user.is_superuser and admin.user.is_staff
    roles = {
        membership.person.user.username: (membership.team.slug, membership.role)
        for membership in Membership.objects.filter(person__user__isnull=False).select_related(
            "person__user", "team"
        )
    }
    assert roles["alex"] == ("it-service-desk", MembershipRole.AGENT)
    assert roles["lena"] == ("it-service-desk", MembershipRole.LEAD)
    assert roles["hana"] == ("people-partners", MembershipRole.AGENT)
    assert Person.objects.get(user__username="omar").kind == PersonKind.CONTRACTOR


def test_refuses_to_load_twice(demo):
    with pytest.raises(ValueError, match="already has people"):
        generate_demo(seed=SEED, request_count=10, now=NOW)
    assert Request.objects.aggregate(Max("pk"))["pk__max"] is not None


def test_refuses_bad_arguments():
    with pytest.raises(ValueError, match="negative"):
        generate_demo(request_count=-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        generate_demo(now=datetime(2026, 1, 1))  # noqa: DTZ001 - the naive moment is the point


def test_every_demo_history_is_one_whole_chain(demo):
    histories = list(check_histories(Request.objects.all()))
    assert len(histories) == COUNT
    assert [h.reference for h in histories if h.first_break is not None] == []
    assert sum(h.events for h in histories) == RequestEvent.objects.count()
    assert not Request.objects.filter(history_length=0).exists()
