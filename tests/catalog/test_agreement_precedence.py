"""The most specific agreement applies; this test spells out the whole order."""

import pytest
from tests.factories import make_agreement, make_team

from inhouse.catalog.selectors import applicable_agreement

pytestmark = pytest.mark.django_db


def test_precedence_from_most_to_least_specific(cast):
    campaigns = make_team("Campaigns", "CMP", parent=cast.marketing)
    desk, service = cast.service_desk, cast.software_access
    team_for_everyone = desk.agreements_provided.get()  # the cast's default
    scopes = [
        ("service + exact team", service, campaigns),
        ("service + department", service, cast.marketing),
        ("service + everyone", service, None),
        ("team + exact team", None, campaigns),
        ("team + department", None, cast.marketing),
    ]
    made = {
        name: make_agreement(desk, cast.calendar, service=svc, customer_team=customer, name=name)
        for name, svc, customer in scopes
    }
    order = [made[name] for name, _, _ in scopes] + [team_for_everyone]
    for expected in order:
        assert applicable_agreement(service, campaigns) == expected
        expected.is_active = False
        expected.save(update_fields=["is_active"])
    assert applicable_agreement(service, campaigns) is None


def test_an_agreement_for_another_team_does_not_apply(cast):
    make_agreement(
        cast.service_desk, cast.calendar, customer_team=cast.finance, name="Finance only"
    )
    assert applicable_agreement(cast.printer, cast.marketing).name == "IT Service Desk for everyone"
