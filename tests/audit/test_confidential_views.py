"""Every look at a confidential request is audited once, by each door that shows it;
a request that is not confidential is looked at without a trace."""

import pytest
from tests.conftest import client_for
from tests.desk.helpers import submit, upload

from inhouse.audit.models import AuditRecord
from inhouse.desk.services import add_attachment

from .helpers import bearer, confidential_views, mediation

pytestmark = pytest.mark.django_db


def test_the_requester_opening_her_case_in_the_portal_is_audited(cast):
    case = mediation(cast)

    response = client_for(cast.rita).get(f"/requests/{case.reference}/")

    assert response.status_code == 200
    [record] = confidential_views()
    assert record.actor == cast.rita
    assert (record.target_kind, record.target_id, record.target_label) == (
        "request",
        str(case.pk),
        case.reference,
    )
    assert (record.door, record.detail) == ("web", "opened the page of")
    assert record.correlation_id == response["X-Correlation-ID"]
    # Who and which, never what the case says.
    assert "March" not in str(record.data) and "Conflict" not in record.target_label


def test_an_hr_agent_opening_the_case_is_audited_once_though_sent_from_the_portal(cast):
    """The portal's address redirects an agent to the workspace: one view, one record."""
    case = mediation(cast)

    response = client_for(cast.hana).get(f"/requests/{case.reference}/", follow=True)

    assert response.status_code == 200
    [record] = confidential_views()
    assert (record.actor, record.detail) == (cast.hana, "opened the agent's page of")


def test_each_read_of_the_api_is_audited(cast):
    case = mediation(cast)
    attachment = add_attachment(actor=cast.rita, request=case, upload=upload())
    hana = bearer(cast.hana)
    base = f"/api/v1/requests/{case.reference}"

    responses = [
        hana.get(base),
        hana.get(f"{base}/comments"),
        hana.get(f"{base}/history"),
        hana.get(f"{base}/attachments"),
        hana.get(f"{base}/attachments/{attachment.pk}"),
    ]

    assert [response.status_code for response in responses] == [200] * 5
    records = confidential_views()
    assert [record.detail for record in records] == [
        "read the details of",
        "read the conversation of",
        "read the history of",
        "listed the files of",
        "downloaded a file of",
    ]
    assert {(record.actor, record.door, record.target_id) for record in records} == {
        (cast.hana, "api", str(case.pk))
    }
    assert [record.correlation_id for record in records] == [
        response["X-Correlation-ID"] for response in responses
    ]
    assert records[-1].data == {"attachment_id": attachment.pk}


def test_a_portal_download_of_a_confidential_file_is_audited(cast):
    case = mediation(cast)
    attachment = add_attachment(actor=cast.rita, request=case, upload=upload())

    response = client_for(cast.rita).get(f"/requests/{case.reference}/attachments/{attachment.pk}/")

    assert response.status_code == 200
    [record] = confidential_views()
    assert (record.actor, record.door, record.detail, record.data) == (
        cast.rita,
        "web",
        "downloaded a file of",
        {"attachment_id": attachment.pk},
    )


def test_views_of_a_request_that_is_not_confidential_are_not_audited(cast):
    request = submit(cast)
    attachment = add_attachment(actor=cast.rita, request=request, upload=upload())
    alex = bearer(cast.alex)
    base = f"/api/v1/requests/{request.reference}"

    assert client_for(cast.rita).get(f"/requests/{request.reference}/").status_code == 200
    assert client_for(cast.alex).get(f"/work/requests/{request.reference}/").status_code == 200
    for url in (base, f"{base}/comments", f"{base}/history", f"{base}/attachments"):
        assert alex.get(url).status_code == 200
    assert alex.get(f"{base}/attachments/{attachment.pk}").status_code == 200
    assert AuditRecord.objects.count() == 0


def test_someone_the_case_is_hidden_from_leaves_no_view_record(cast):
    case = mediation(cast)

    assert client_for(cast.carl).get(f"/requests/{case.reference}/").status_code == 404
    assert bearer(cast.alex).get(f"/api/v1/requests/{case.reference}").status_code == 404
    assert confidential_views() == []
