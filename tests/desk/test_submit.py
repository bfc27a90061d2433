"""Submitting a request: references, clocks, history, form checks, who may ask, retries."""

from datetime import timedelta

import pytest
from tests.desk.helpers import START, event_kinds, frozen_time, submit, upload
from tests.factories import make_person, make_service

from inhouse.catalog.models import Agreement, FieldKind, PriorityFrom, Visibility
from inhouse.core.errors import IdempotencyMismatch, InvalidInput, NotFound, PermissionDenied
from inhouse.desk.models import (
    Attachment,
    IdempotencyRecord,
    Request,
    RequestEvent,
    TeamCounter,
)
from inhouse.desk.services import submission_digest, submit_request, submit_request_once
from inhouse.org.models import Membership, PersonKind
from inhouse.sla.models import Clock, ClockKind

pytestmark = pytest.mark.django_db

FIGMA = {"application": "Figma"}


def nothing_written() -> bool:
    return not (Request.objects.exists() or RequestEvent.objects.exists() or Clock.objects.exists())


# --- references, clocks and history ------------------------------------------------------


def test_references_count_up_per_provider_team(cast):
    """Each provider team numbers its own requests from 1000; Facilities has its own run."""
    first = submit(cast)
    second = submit(cast, service=cast.software_access, form_answers=FIGMA)
    facilities = submit(cast, service=cast.cleaning, subject="Spill in the kitchen")
    third = submit(cast)
    assert [first.reference, second.reference, facilities.reference, third.reference] == [
        "IT-1000",
        "IT-1001",
        "FAC-1000",
        "IT-1002",
    ]
    assert first.references.get().reference == "IT-1000"


def test_submit_starts_clocks_due_exactly_target_later_on_a_round_the_clock_calendar(cast):
    with frozen_time(START):
        request = submit(cast, service=cast.software_access, form_answers=FIGMA)

    agreement = Agreement.objects.get(provider_team=cast.service_desk)
    assert request.agreement == agreement
    assert (request.status, request.version, request.priority) == ("new", 1, "normal")
    assert request.created_at == START
    clocks = {clock.kind: clock for clock in Clock.objects.filter(request=request)}
    assert set(clocks) == {ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION}
    first_response, resolution = clocks[ClockKind.FIRST_RESPONSE], clocks[ClockKind.RESOLUTION]
    assert (first_response.started_at, first_response.target) == (START, timedelta(minutes=240))
    assert first_response.due_at == START + timedelta(minutes=240)
    assert first_response.warn_at == START + timedelta(minutes=192)
    assert (resolution.started_at, resolution.target) == (START, timedelta(minutes=1440))
    assert resolution.due_at == START + timedelta(minutes=1440)
    assert resolution.warn_at == START + timedelta(minutes=1152)
    for clock in clocks.values():
        assert (clock.paused_at, clock.stopped_at, clock.breached_at) == (None, None, None)
        assert clock.calendar == cast.calendar
    stored = Request.objects.get(pk=request.pk)
    assert stored.resolution_due_at == START + timedelta(minutes=1440)
    assert stored.sla_breached is False


def test_submit_records_one_created_event_by_the_requester(cast):
    request = submit(cast, service=cast.software_access, form_answers=FIGMA)
    event = RequestEvent.objects.get(request=request)
    assert event.kind == "created"
    assert event.actor == cast.rita
    assert event.is_public is True
    assert event.data == {
        "service": "software-access",
        "priority": "normal",
        "priority_from": "default",
        "channel": "portal",
        "reference": "IT-1000",
    }


def test_submit_keeps_answers_and_text_as_checked(cast):
    cast.software_access.priority_from = PriorityFrom.REQUESTER
    cast.software_access.standard_fields = ["customer_team", "external_ref"]
    cast.software_access.save(update_fields=["priority_from", "standard_fields"])
    request = submit(
        cast,
        service=cast.software_access,
        subject="  Figma for the campaign  ",
        description="We launch in May.",
        form_answers={"application": "Figma", "seats": "3", "needed_by": "2026-04-01"},
        priority="high",
        external_ref="DEAL-77",
    )
    stored = Request.objects.get(pk=request.pk)
    assert stored.subject == "Figma for the campaign"
    assert stored.description == "We launch in May."
    assert stored.form_answers == {"application": "Figma", "seats": 3, "needed_by": "2026-04-01"}
    assert (stored.priority, stored.external_ref) == ("high", "DEAL-77")
    assert stored.requester == cast.rita
    assert stored.provider_team == cast.service_desk
    assert stored.confidential is False


def test_customer_team_defaults_to_the_requesters_team(cast):
    assert submit(cast).customer_team == cast.marketing


def test_requester_may_name_another_team_of_their_own(cast):
    Membership.objects.create(person=cast.rita, team=cast.finance)
    assert submit(cast, customer_team=cast.finance).customer_team == cast.finance


def test_requester_cannot_claim_a_team_they_do_not_belong_to(cast):
    with pytest.raises(InvalidInput) as caught:
        submit(cast, customer_team=cast.finance)
    assert caught.value.fields == {"customer_team": "Choose one of your own teams."}
    assert nothing_written()


def test_submit_refuses_blank_subject_and_unknown_priority(cast):
    with pytest.raises(InvalidInput) as blank:
        submit(cast, subject="   ")
    assert blank.value.fields == {"subject": "This field is required."}
    cast.printer.priority_from = PriorityFrom.REQUESTER
    with pytest.raises(InvalidInput) as unknown:
        submit(cast, priority="whenever")
    assert list(unknown.value.fields) == ["priority"]
    assert nothing_written()


# --- the form ------------------------------------------------------------------------------


def test_missing_required_answer_is_named(cast):
    with pytest.raises(InvalidInput) as caught:
        submit(cast, service=cast.software_access, form_answers={})
    assert caught.value.fields == {"application": "This field is required."}
    assert nothing_written()


def test_every_wrong_answer_is_named_at_once(cast):
    with pytest.raises(InvalidInput) as caught:
        submit(
            cast,
            service=cast.software_access,
            form_answers={
                "application": "Word",
                "needed_by": "2026-02-30",
                "seats": "a few",
                "colour": "red",
            },
        )
    assert caught.value.fields == {
        "application": "Choose one of: Figma, Salesforce, GitHub.",
        "needed_by": "Enter a date as YYYY-MM-DD.",
        "seats": "Enter a number.",
        "colour": "This service's form has no such field.",
    }
    assert nothing_written()


def test_a_file_field_takes_no_typed_value(cast):
    service = make_service(
        cast.service_desk,
        "Broken screen",
        fields=[{"key": "photo", "label": "Photo", "kind": FieldKind.FILE}],
    )
    with pytest.raises(InvalidInput) as caught:
        submit(cast, service=service, form_answers={"photo": "screen.jpg"})
    assert caught.value.fields == {"photo": "Attach a file to this field; it takes no typed value."}
    assert nothing_written()


def test_a_file_field_is_filled_by_an_upload(cast):
    service = make_service(
        cast.service_desk,
        "Broken screen",
        fields=[{"key": "photo", "label": "Photo", "kind": FieldKind.FILE, "required": True}],
    )
    request = submit(cast, service=service, files={"photo": upload(b"jpeg bytes", "screen.jpg")})
    attachment = Attachment.objects.get(request=request)
    assert Request.objects.get(pk=request.pk).form_answers == {"photo": attachment.pk}
    assert (attachment.original_name, attachment.size) == ("screen.jpg", 10)
    assert event_kinds(request) == ["created", "attached"]


def test_a_failed_submit_takes_no_reference(cast):
    with pytest.raises(InvalidInput):
        submit(cast, service=cast.software_access, form_answers={})
    assert submit(cast).reference == "IT-1000"


def test_agreement_obligations_make_a_field_required(cast):
    Agreement.objects.filter(provider_team=cast.service_desk).update(
        customer_obligations=["justification"]
    )
    with pytest.raises(InvalidInput) as caught:
        submit(cast, service=cast.software_access, form_answers=FIGMA)
    assert caught.value.fields == {"justification": "This field is required."}
    assert nothing_written()

    request = submit(
        cast,
        service=cast.software_access,
        form_answers={**FIGMA, "justification": "Campaign design"},
    )
    assert request.form_answers["justification"] == "Campaign design"


# --- who may ask -----------------------------------------------------------------------------


def test_restricted_service_is_not_found_outside_its_teams_and_kinds(cast):
    service = make_service(cast.service_desk, "Design licences", visibility=Visibility.RESTRICTED)
    service.visible_to_teams.add(cast.marketing)
    service.visible_to_kinds = [PersonKind.CONTRACTOR]
    service.save()
    contractor = make_person("cora", kind=PersonKind.CONTRACTOR)

    with pytest.raises(NotFound):
        submit(cast, actor=cast.otto, service=service)
    assert nothing_written()
    assert submit(cast, actor=cast.rita, service=service).reference == "IT-1000"
    assert submit(cast, actor=contractor, service=service).reference == "IT-1001"
    assert submit(cast, actor=cast.alex, service=service).reference == "IT-1002"


def test_inactive_service_is_not_found(cast):
    cast.printer.is_active = False
    cast.printer.save()
    with pytest.raises(NotFound):
        submit(cast)
    assert nothing_written()


def test_a_deactivated_person_cannot_submit_nor_be_filed_for(cast):
    cast.rita.is_active = False
    cast.rita.save()
    with pytest.raises(PermissionDenied):
        submit(cast)
    with pytest.raises(NotFound):
        submit(cast, actor=cast.alex, requester=cast.rita)
    assert nothing_written()


def test_a_deactivated_agent_cannot_file_on_behalf_of_someone(cast):
    """The CLI and the mail gateway call the service directly, so it checks the actor too."""
    cast.alex.is_active = False
    cast.alex.save()
    with pytest.raises(PermissionDenied):
        submit(cast, actor=cast.alex, requester=cast.rita)
    assert nothing_written()


def test_agent_files_on_behalf_of_a_requester(cast):
    request = submit(cast, actor=cast.alex, requester=cast.rita)
    assert (request.requester, request.customer_team) == (cast.rita, cast.marketing)
    event = RequestEvent.objects.get(request=request)
    assert event.actor == cast.alex
    assert event.data["on_behalf_of"] == cast.rita.pk


@pytest.mark.parametrize("actor", ["carl", "fred"])
def test_only_the_providers_agents_file_for_someone_else(cast, actor):
    """A colleague, or an agent of another team, cannot put a request in rita's name."""
    with pytest.raises(PermissionDenied):
        submit(cast, actor=getattr(cast, actor), requester=cast.rita)
    assert nothing_written()


def test_confidential_service_gives_a_confidential_request(cast):
    request = submit(
        cast, service=cast.mediation, subject="Conflict", form_answers={"summary": "Private"}
    )
    assert (request.reference, request.confidential) == ("HR-1000", True)


def test_parent_must_be_a_request_the_actor_can_see(cast):
    hidden = submit(cast, actor=cast.otto, service=cast.cleaning, subject="Finance kitchen")
    with pytest.raises(InvalidInput) as caught:
        submit(cast, parent=hidden)
    assert caught.value.fields == {"parent": "No such request."}
    visible = submit(cast, subject="Parent")
    assert submit(cast, parent=visible).parent == visible


# --- retries with an Idempotency-Key -------------------------------------------------------


def submit_once(cast, key: str, subject: str = "Printer on floor 3 jams", actor=None):
    actor = actor or cast.rita
    return submit_request_once(
        idempotency_key=key,
        actor=actor,
        digest=submission_digest(service="printer", subject=subject),
        service=cast.printer,
        subject=subject,
    )


def test_same_key_and_body_returns_the_first_request(cast):
    first, created = submit_once(cast, "retry-1")
    again, created_again = submit_once(cast, "retry-1")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Request.objects.count() == 1
    assert RequestEvent.objects.count() == 1
    assert Clock.objects.count() == 2
    assert IdempotencyRecord.objects.get().request == first
    assert TeamCounter.objects.get(team=cast.service_desk).last_number == 1000


def test_same_key_with_another_body_is_refused(cast):
    submit_once(cast, "retry-1")
    with pytest.raises(IdempotencyMismatch):
        submit_once(cast, "retry-1", subject="Something else")
    assert list(Request.objects.values_list("subject", flat=True)) == ["Printer on floor 3 jams"]
    assert RequestEvent.objects.count() == 1


def test_idempotency_keys_belong_to_one_person(cast):
    mine, _ = submit_once(cast, "retry-1")
    theirs, created = submit_once(cast, "retry-1", actor=cast.carl)
    assert created is True
    assert theirs.pk != mine.pk
    assert theirs.requester == cast.carl


def test_a_refused_submit_leaves_the_key_free(cast):
    with pytest.raises(InvalidInput):
        submit_request_once(
            idempotency_key="retry-1",
            actor=cast.rita,
            digest="first",
            service=cast.software_access,
            subject="Figma",
            form_answers={},
        )
    assert not IdempotencyRecord.objects.exists()
    request, created = submit_request_once(
        idempotency_key="retry-1",
        actor=cast.rita,
        digest="second",
        service=cast.software_access,
        subject="Figma",
        form_answers=FIGMA,
    )
    assert (request.reference, created) == ("IT-1000", True)


@pytest.mark.parametrize("key", ["", "   ", "k" * 201])
def test_idempotency_key_must_be_1_to_200_characters(cast, key):
    with pytest.raises(InvalidInput) as caught:
        submit_once(cast, key)
    assert list(caught.value.fields) == ["Idempotency-Key"]
    assert nothing_written()


def test_a_lead_filing_for_themselves_asks_on_behalf_of_their_own_team(cast):
    request = submit(cast, actor=cast.lena)
    assert (request.requester, request.customer_team) == (cast.lena, cast.service_desk)
    assert "on_behalf_of" not in RequestEvent.objects.get(request=request).data


def test_a_prefix_handed_to_another_team_skips_references_already_taken(cast):
    first = submit_request(actor=cast.rita, service=cast.printer, subject="Old")
    assert first.reference == "IT-1000"
    cast.service_desk.reference_prefix = "ITX"
    cast.service_desk.save(update_fields=["reference_prefix"])
    cast.facilities.reference_prefix = "IT"
    cast.facilities.save(update_fields=["reference_prefix"])
    moved = submit_request(actor=cast.rita, service=cast.cleaning, subject="New")
    assert moved.reference == "IT-1001"
