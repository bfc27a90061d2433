"""Which agreement governs a request: the most specific active one, or none."""

from datetime import timedelta

import pytest
from tests.desk.helpers import submit
from tests.factories import make_agreement, make_person, make_team

from inhouse.catalog.models import Agreement, PriorityFrom, Service
from inhouse.catalog.selectors import applicable_agreement, expected_times
from inhouse.catalog.snapshot import catalog_changed
from inhouse.sla.models import Clock

pytestmark = pytest.mark.django_db


def test_precedence_runs_from_service_and_exact_team_down_to_team_wide_for_everyone(cast):
    """Service beats team-wide; within each, the exact customer team beats its
    department, which beats everyone. Switching off each winner reveals the next."""
    campaigns = make_team("Campaigns", "CMP", parent=cast.marketing)
    desk, service = cast.service_desk, cast.software_access
    scopes = [
        ("service + exact team", service, campaigns),
        ("service + department", service, cast.marketing),
        ("service + everyone", service, None),
        ("team-wide + exact team", None, campaigns),
        ("team-wide + department", None, cast.marketing),
    ]
    order = [
        make_agreement(desk, cast.calendar, service=scoped, customer_team=customer, name=name)
        for name, scoped, customer in scopes
    ]
    order.append(Agreement.objects.get(provider_team=desk, service=None, customer_team=None))

    winners = []
    for _ in order:
        winner = applicable_agreement(service, campaigns)
        winners.append(winner)
        Agreement.objects.filter(pk=winner.pk).update(is_active=False)
        catalog_changed()  # a write past the services tells the catalog snapshot itself
    assert [agreement.name for agreement in winners] == [
        "service + exact team",
        "service + department",
        "service + everyone",
        "team-wide + exact team",
        "team-wide + department",
        "IT Service Desk for everyone",
    ]
    assert applicable_agreement(service, campaigns) is None


def test_a_deeper_department_tree_prefers_the_nearest_ancestor(cast):
    campaigns = make_team("Campaigns", "CMP", parent=cast.marketing)
    social = make_team("Social", "SOC", parent=campaigns)
    make_agreement(cast.service_desk, cast.calendar, customer_team=cast.marketing, name="far")
    make_agreement(cast.service_desk, cast.calendar, customer_team=campaigns, name="near")
    assert applicable_agreement(cast.printer, social).name == "near"


def test_without_a_customer_team_only_agreements_for_everyone_apply(cast):
    make_agreement(cast.service_desk, cast.calendar, customer_team=cast.marketing, name="MKT")
    assert applicable_agreement(cast.printer, None).name == "IT Service Desk for everyone"


def test_agreements_for_another_team_or_service_do_not_apply(cast):
    make_agreement(cast.service_desk, cast.calendar, customer_team=cast.finance, name="FIN")
    make_agreement(cast.service_desk, cast.calendar, service=cast.software_access, name="SW")
    make_agreement(cast.facilities, cast.calendar, customer_team=cast.marketing, name="FAC")
    assert applicable_agreement(cast.printer, cast.marketing).name == (
        "IT Service Desk for everyone"
    )


def test_inactive_agreements_are_ignored(cast):
    make_agreement(
        cast.service_desk,
        cast.calendar,
        service=cast.printer,
        customer_team=cast.marketing,
        name="retired",
        is_active=False,
    )
    assert applicable_agreement(cast.printer, cast.marketing).name == (
        "IT Service Desk for everyone"
    )


def test_a_request_gets_the_agreement_of_its_customer_team(cast):
    exact = make_agreement(
        cast.service_desk,
        cast.calendar,
        customer_team=cast.marketing,
        targets={"normal": (15, 120)},
        name="Marketing launch support",
    )
    request = submit(cast)
    assert request.agreement == exact
    assert dict(Clock.objects.filter(request=request).values_list("kind", "target")) == {
        "first_response": timedelta(minutes=15),
        "resolution": timedelta(minutes=120),
    }
    times = expected_times(cast.printer, cast.marketing, "normal")
    assert (times.agreement, times.first_response_minutes, times.resolution_minutes) == (
        exact,
        15,
        120,
    )
    # Finance still gets the agreement for everyone.
    finance_request = submit(cast, actor=make_person("olga", team=cast.finance))
    assert finance_request.agreement.name == "IT Service Desk for everyone"


def test_no_agreement_means_no_clocks(cast):
    Agreement.objects.filter(provider_team=cast.facilities).update(is_active=False)
    request = submit(cast, service=cast.cleaning, subject="Spill in the kitchen")
    assert request.agreement is None
    assert not Clock.objects.filter(request=request).exists()
    stored = type(request).objects.get(pk=request.pk)
    assert (stored.resolution_due_at, stored.sla_breached) == (None, False)
    assert expected_times(cast.cleaning, cast.marketing, "normal") is None


def test_an_agreement_without_a_target_for_the_priority_starts_no_clocks(cast):
    Service.objects.filter(pk=cast.cleaning.pk).update(priority_from=PriorityFrom.REQUESTER)
    cast.cleaning.refresh_from_db()
    make_agreement(
        cast.facilities,
        cast.calendar,
        service=cast.cleaning,
        targets={"urgent": (10, 60)},
        name="Emergencies only",
    )
    normal = submit(cast, service=cast.cleaning, subject="Dusty shelves")
    urgent = submit(cast, service=cast.cleaning, subject="Flooding", priority="urgent")
    assert not Clock.objects.filter(request=normal).exists()
    assert Clock.objects.filter(request=urgent).count() == 2
