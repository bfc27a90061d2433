"""The legal hold on the agent's request page: the team's lead places and lifts it
there; agents see no control and cannot post one; the page keeps a typed reply."""

import pytest
from tests.conftest import client_for
from tests.desk.helpers import submit
from tests.factories import make_person

from inhouse.audit.models import AuditAction, AuditRecord
from inhouse.desk.models import Request, RequestEvent
from inhouse.org.models import MembershipRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def petra(cast):
    """The lead of People Partners, the team that handles the confidential cases."""
    return make_person("petra", team=cast.people_partners, role=MembershipRole.LEAD)


@pytest.fixture
def case(cast):
    return submit(
        cast, service=cast.mediation, subject="A conflict", form_answers={"summary": "Since May."}
    )


def _page(case: Request) -> str:
    return f"/work/requests/{case.reference}/"


def _hold(case: Request) -> str:
    return f"/work/requests/{case.reference}/legal-hold/"


def test_the_lead_places_a_hold_with_a_reason_and_lifts_it(cast, petra, case):
    client = client_for(petra)
    assert "Place on legal hold" in client.get(_page(case)).content.decode()

    placed = client.post(_hold(case), {"hold": "on", "reason": "Tribunal claim 2026/114"})

    assert placed.status_code == 302
    stored = Request.objects.get(pk=case.pk)
    assert (stored.legal_hold, stored.legal_hold_by, stored.legal_hold_reason) == (
        True,
        petra,
        "Tribunal claim 2026/114",
    )
    page = client.get(_page(case)).content.decode()
    assert "On legal hold" in page and "Lift the legal hold" in page

    lifted = client.post(_hold(case), {"hold": "off"})

    assert lifted.status_code == 302
    assert Request.objects.get(pk=case.pk).legal_hold is False
    records = AuditRecord.objects.filter(action=AuditAction.LEGAL_HOLD_CHANGED)
    assert [(record.detail, record.door) for record in records.order_by("id")] == [
        ("placed", "web"),
        ("lifted", "web"),
    ]
    assert RequestEvent.objects.filter(request=case, kind="legal_hold_changed").count() == 2


def test_a_hold_without_a_reason_is_a_form_error_and_keeps_the_reply(cast, petra, case):
    response = client_for(petra).post(
        _hold(case), {"hold": "on", "reason": "  ", "body": "Half a reply"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Give a reason." in html
    assert "Half a reply" in html
    assert Request.objects.get(pk=case.pk).legal_hold is False


def test_an_agent_sees_no_hold_control_and_cannot_post_one(cast, case):
    client = client_for(cast.hana)
    assert "Place on legal hold" not in client.get(_page(case)).content.decode()

    response = client.post(_hold(case), {"hold": "on", "reason": "Because"})

    assert response.status_code == 403
    assert Request.objects.get(pk=case.pk).legal_hold is False
    assert AuditRecord.objects.filter(
        action=AuditAction.REFUSED_CHANGE, actor=cast.hana, target_id=str(case.pk)
    ).exists()


def test_a_request_that_is_not_confidential_offers_no_hold(cast):
    lead = make_person("lena2", team=cast.service_desk, role=MembershipRole.LEAD)
    printer = submit(cast)

    assert "Place on legal hold" not in client_for(lead).get(_page(printer)).content.decode()


def test_someone_outside_the_case_is_told_it_does_not_exist(cast, case):
    response = client_for(cast.alex).post(_hold(case), {"hold": "on", "reason": "Curious"})

    assert response.status_code == 404
    assert Request.objects.get(pk=case.pk).legal_hold is False
