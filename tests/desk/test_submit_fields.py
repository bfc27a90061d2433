"""A service's standard fields at submit: refused when not offered, hidden in the portal;
where the priority comes from; and the for-whom picker, a person search."""

import json

import pytest
from django.test import Client
from tests.conftest import client_for
from tests.desk.helpers import fresh, submit
from tests.factories import make_person, make_service

from inhouse.catalog.models import (
    FieldKind,
    PriorityFrom,
    Service,
    Visibility,
    default_standard_fields,
)
from inhouse.catalog.snapshot import catalog_changed
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.desk.models import Request, RequestEvent
from inhouse.desk.services import update_request
from inhouse.org.models import ApiToken, Membership

pytestmark = pytest.mark.django_db

NOT_ASKED = "This service does not ask for this."


def configure(service: Service, **fields) -> Service:
    """Set a service's standard fields as its lead would, and tell every process."""
    Service.objects.filter(pk=service.pk).update(**fields)
    catalog_changed()
    service.refresh_from_db()
    return service


@pytest.fixture(autouse=True)
def _printer_as_a_new_service(cast):
    """Each test starts from the printer configured as a new service would be."""
    configure(
        cast.printer, priority_from=PriorityFrom.DEFAULT, standard_fields=default_standard_fields()
    )


def nothing_written() -> bool:
    return not (Request.objects.exists() or RequestEvent.objects.exists())


def bearer(person) -> Client:
    raw = f"ih_test_token_for_{person.pk}_0123456789abcdef"
    ApiToken.objects.create(person=person, prefix=raw[:10], digest=ApiToken.digest_of(raw))
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post_request(client, **body):
    payload = {"service": "printer", "subject": "Printer jams"} | body
    return client.post("/api/v1/requests", json.dumps(payload), content_type="application/json")


# --- refused when not offered ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"priority": "urgent"}, "priority"),
        ({"impact": "high"}, "impact"),
        ({"urgency": "low"}, "urgency"),
        ({"external_ref": "DEAL-9"}, "external_ref"),
    ],
)
def test_a_standard_field_the_service_does_not_offer_is_refused_naming_it(cast, sent, field):
    with pytest.raises(InvalidInput) as caught:
        submit(cast, **sent)
    assert caught.value.fields == {field: NOT_ASKED}
    assert nothing_written()


def test_every_field_not_offered_is_named_at_once(cast):
    configure(cast.printer, standard_fields=[])
    with pytest.raises(InvalidInput) as caught:
        submit(cast, priority="low", customer_team=cast.marketing, external_ref="X-1")
    assert caught.value.fields == {
        "priority": NOT_ASKED,
        "customer_team": NOT_ASKED,
        "external_ref": NOT_ASKED,
    }
    assert nothing_written()


def test_blank_standard_fields_count_as_not_sent(cast):
    request = submit(cast, priority="", impact="", external_ref="   ")
    assert (request.priority, request.external_ref) == ("normal", "")


def test_an_agent_cannot_file_for_someone_where_the_service_does_not_ask_for_whom(cast):
    configure(cast.printer, standard_fields=["customer_team"])
    with pytest.raises(InvalidInput) as caught:
        submit(cast, actor=cast.alex, requester=cast.rita)
    assert caught.value.fields == {"requester": NOT_ASKED}
    # Naming oneself is not filing for someone else.
    assert submit(cast, actor=cast.alex, requester=cast.alex).requester == cast.alex


def test_a_service_the_requester_may_not_see_is_not_found_before_its_fields_are_judged(cast):
    hidden = make_service(
        cast.service_desk, "Server room", visibility=Visibility.RESTRICTED, slug="server-room"
    )
    hidden.visible_to_teams.set([cast.service_desk])
    with pytest.raises(NotFound):
        submit(cast, service=hidden, priority="urgent")


def test_the_api_refuses_a_field_the_service_does_not_offer_with_a_400(cast):
    response = post_request(bearer(cast.rita), priority="urgent", external_ref="DEAL-1")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"priority": NOT_ASKED, "external_ref": NOT_ASKED}
    assert nothing_written()


# --- where the priority comes from ---------------------------------------------------------------


def test_a_service_that_asks_no_priority_starts_at_its_default(cast):
    configure(cast.printer, default_priority="high")
    request = submit(cast)
    assert fresh(request).priority == "high"
    assert RequestEvent.objects.get(request=request).data["priority"] == "high"


def test_a_requester_chooses_where_the_service_lets_them(cast):
    configure(cast.printer, priority_from=PriorityFrom.REQUESTER, default_priority="low")
    assert submit(cast, priority="urgent").priority == "urgent"
    assert submit(cast).priority == "low"


def test_impact_and_urgency_give_the_priority_through_the_api(cast):
    configure(cast.printer, priority_from=PriorityFrom.IMPACT_URGENCY, default_priority="low")

    response = post_request(bearer(cast.rita), impact="high", urgency="medium")

    assert response.status_code == 201, response.content
    assert response.json()["priority"] == "high"
    request = Request.objects.get(reference=response.json()["reference"])
    created = RequestEvent.objects.get(request=request, kind="created").data
    # The history says how the priority came about, with the answers it came from.
    assert (created["priority"], created["priority_from"]) == ("high", "impact_urgency")
    assert (created["impact"], created["urgency"]) == ("high", "medium")


def test_a_service_asking_impact_and_urgency_needs_both_and_no_priority(cast):
    configure(cast.printer, priority_from=PriorityFrom.IMPACT_URGENCY)
    rita = bearer(cast.rita)

    missing = post_request(rita, impact="low")
    chosen = post_request(rita, impact="low", urgency="low", priority="urgent")

    assert missing.status_code == 400
    assert missing.json()["error"]["fields"] == {"urgency": "Say how soon it hurts."}
    assert chosen.json()["error"]["fields"] == {"priority": NOT_ASKED}
    assert nothing_written()


def test_an_agent_changes_a_priority_that_came_from_the_matrix(cast):
    configure(cast.printer, priority_from=PriorityFrom.IMPACT_URGENCY)
    request = submit(cast, impact="low", urgency="low")
    assert request.priority == "low"

    update_request(actor=cast.alex, request=request, expected_version=None, priority="urgent")

    assert fresh(request).priority == "urgent"
    changed = RequestEvent.objects.get(request=request, kind="priority_changed")
    assert (changed.actor, changed.data) == (cast.alex, {"priority": ["low", "urgent"]})


# --- the portal ------------------------------------------------------------------------------


def _form_url(service: Service) -> str:
    return f"/services/{service.slug}/request/"


def test_the_confidential_hr_form_asks_no_priority_reference_or_team(cast):
    configure(cast.mediation, standard_fields=["requester"])
    # Carl is in two teams: were the team asked, he would be given a choice.
    Membership.objects.create(person=cast.carl, team=cast.finance)

    html = client_for(cast.carl).get(_form_url(cast.mediation)).content.decode()

    assert 'name="subject"' in html
    assert 'name="answer_summary"' in html
    for hidden in ("priority", "external_ref", "customer_team", "requester", "impact"):
        assert f'name="{hidden}"' not in html, hidden
    assert "On behalf of team" not in html


def test_standard_fields_posted_anyway_to_the_portal_are_ignored(cast):
    configure(cast.mediation, standard_fields=["requester"], default_priority="high")

    response = client_for(cast.carl).post(
        _form_url(cast.mediation),
        {
            "subject": "Conflict",
            "answer_summary": "It started in March.",
            "priority": "low",
            "external_ref": "DEAL-1",
            "customer_team": str(cast.finance.pk),
        },
    )

    assert response.status_code == 302
    request = Request.objects.get()
    assert (request.priority, request.external_ref, request.customer_team) == (
        "high",
        "",
        cast.marketing,
    )


def test_the_portal_asks_impact_and_urgency_and_derives_the_priority(cast):
    configure(cast.printer, priority_from=PriorityFrom.IMPACT_URGENCY)
    client = client_for(cast.rita)

    html = client.get(_form_url(cast.printer)).content.decode()
    incomplete = client.post(_form_url(cast.printer), {"subject": "Jams", "impact": "high"})
    done = client.post(
        _form_url(cast.printer), {"subject": "Jams", "impact": "medium", "urgency": "high"}
    )

    assert 'type="radio" name="impact" value="high"' in html
    assert 'type="radio" name="urgency" value="low"' in html
    assert 'name="priority"' not in html
    assert incomplete.status_code == 400
    assert "Say how soon it hurts." in incomplete.content.decode()
    assert done.status_code == 302
    assert Request.objects.get().priority == "high"


def test_a_number_below_its_minimum_is_refused_on_the_portal(cast):
    budget = make_service(
        cast.service_desk,
        "Budget",
        slug="budget",
        fields=[
            {
                "key": "amount",
                "label": "Amount (EUR)",
                "kind": FieldKind.NUMBER,
                "required": True,
                "min_value": 0,
            }
        ],
    )
    client = client_for(cast.rita)

    html = client.get(_form_url(budget)).content.decode()
    response = client.post(_form_url(budget), {"subject": "Fair", "answer_amount": "-5000"})

    assert 'min="0.0"' in html
    assert response.status_code == 400
    assert "Amount (EUR) must be at least 0." in response.content.decode()
    assert nothing_written()


# --- for whom: a person search, not a list ----------------------------------------------------


def test_the_for_whom_picker_is_a_search_box_for_the_providers_agents_only(cast):
    for n in range(30):
        make_person(f"colleague{n}", team=cast.marketing, login=False)

    agent = client_for(cast.alex).get(_form_url(cast.printer)).content.decode()
    requester = client_for(cast.rita).get(_form_url(cast.printer)).content.decode()

    assert '<input type="text" name="requester"' in agent
    assert 'hx-get="/org/people/search/"' in agent
    assert 'list="id_requester-choices"' in agent
    assert '<select name="requester"' not in agent
    assert "colleague17" not in agent
    assert 'name="requester"' not in requester


def test_an_agent_files_for_a_colleague_typed_by_email(cast):
    response = client_for(cast.alex).post(
        _form_url(cast.printer), {"subject": "Jams", "requester": "rita@example.com"}
    )

    assert response.status_code == 302
    request = Request.objects.get()
    assert request.requester == cast.rita
    created = RequestEvent.objects.get(request=request, kind="created")
    assert (created.actor, created.data["on_behalf_of"]) == (cast.alex, cast.rita.pk)


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("nobody@example.com", "Nobody active answers to “nobody@example.com”"),
        ("Sam Namesake", "Several people are called “Sam Namesake”"),
    ],
)
def test_an_unknown_or_ambiguous_for_whom_is_a_clear_error(cast, typed, error):
    make_person("sam1", full_name="Sam Namesake", team=cast.marketing)
    make_person("sam2", full_name="Sam Namesake", team=cast.finance)

    response = client_for(cast.alex).post(
        _form_url(cast.printer), {"subject": "Jams", "requester": typed}
    )

    assert response.status_code == 400
    assert error in response.content.decode()
    assert nothing_written()
