"""Filing a request, once or retried under an idempotency key."""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from inhouse import policy
from inhouse.catalog.answers import CheckedAnswers, check_answers
from inhouse.catalog.models import Agreement, PriorityFrom, Service
from inhouse.catalog.priority import initial_priority
from inhouse.catalog.selectors import applicable_agreement, default_customer_team
from inhouse.core.errors import IdempotencyMismatch, InvalidInput, NotFound, PermissionDenied
from inhouse.core.inserts import insert_rows, update_columns
from inhouse.desk import events
from inhouse.desk.models import Channel, IdempotencyRecord, Request, RequestReference, TeamHolding
from inhouse.desk.services import notifications
from inhouse.desk.services._common import (
    MAX_BODY,
    MAX_EXTERNAL_REF,
    MAX_SUBJECT,
    Upload,
    check_priority,
    clean_text,
    create_attachment,
    next_reference,
    require_active,
)
from inhouse.desk.storage import StoredFile, files_kept_on_success, store_files
from inhouse.org.models import Membership, Person, Team
from inhouse.search import changes as search_changes
from inhouse.sla import services as clocks


@dataclass(frozen=True)
class _Filing:
    """Who files for whom, on behalf of which team: checked."""

    actor: Person
    viewer: policy.Viewer
    requester: Person

    @property
    def for_someone_else(self) -> bool:
        return self.requester.pk != self.actor.pk


@dataclass(frozen=True)
class _Texts:
    subject: str
    description: str
    priority: str
    external_ref: str


def submit_request(
    *,
    actor: Person,
    service: Service,
    subject: str,
    description: str = "",
    form_answers: Mapping[str, Any] | None = None,
    files: Mapping[str, Upload] | None = None,
    priority: str | None = None,
    impact: str | None = None,
    urgency: str | None = None,
    requester: Person | None = None,
    customer_team: Team | None = None,
    external_ref: str = "",
    parent: Request | None = None,
    channel: str = Channel.PORTAL,
    viewer: policy.Viewer | None = None,
) -> Request:
    """File a request for ``service``; the actor files it for themselves unless they
    are an agent of the provider team (or an admin) filing for ``requester``.

    The steps below are the request's first moments, in order; routing, approvals
    and workflow children join them as steps of their own. The provider team's agents
    and leads are notified of the new request. ``viewer`` is the actor as the
    door already worked them out for this HTTP request, saving a second look-up.

    ``priority``, ``impact``, ``urgency``, ``customer_team``, ``external_ref`` and a
    ``requester`` other than the actor are the service's standard fields: each is
    refused unless the service offers it (``Service.offered_fields``). The priority
    comes from the service's rule (``catalog.priority.initial_priority``).
    """
    filing = _check_filing(
        actor=actor,
        service=service,
        requester=requester or actor,
        viewer=viewer,
        sent=_standard_fields_sent(
            priority=priority,
            impact=impact,
            urgency=urgency,
            customer_team=customer_team,
            external_ref=external_ref,
            for_someone_else=requester is not None and requester.pk != actor.pk,
        ),
    )
    texts = _clean_texts(
        subject=subject,
        description=description,
        priority=initial_priority(
            service,
            chosen=check_priority(priority) if priority else None,
            impact=impact,
            urgency=urgency,
        ),
        external_ref=external_ref,
    )
    customer_team = _check_customer_team(filing, customer_team)
    _check_parent(filing, parent)
    agreement = applicable_agreement(service, customer_team)
    files = dict(files or {})
    answers = _validate_answers(service, form_answers or {}, files, agreement)
    uploads = _store_uploads(files, answers)
    now = timezone.now()
    request = Request(
        service=service,
        provider_team=service.provider_team,
        agreement=agreement,
        requester=filing.requester,
        customer_team=customer_team,
        subject=texts.subject,
        description=texts.description,
        form_answers=answers.values,
        priority=texts.priority,
        confidential=service.confidential,
        parent=parent,
        external_ref=texts.external_ref,
        channel=channel,
        created_at=now,
        updated_at=now,
    )
    # Planned before the write transaction so the database lock is held briefly.
    planned_clocks = clocks.plan_clocks(request, at=now)
    notice = notifications.new_request_notice(request, actor=filing.actor)
    stored_files = [stored_file for _, stored_file in uploads.values()]
    with files_kept_on_success(stored_files), transaction.atomic():
        _number(request)
        _insert(request)
        clocks.start_clocks(request, planned_clocks)
        _record_created(
            request,
            filing,
            impact_urgency=(impact, urgency)
            if service.priority_from == PriorityFrom.IMPACT_URGENCY and impact and urgency
            else None,
        )
        _attach_uploads(request, filing.actor, uploads)
        notifications.send_new_request_notice(notice, request)
    return request


def _standard_fields_sent(
    *,
    priority: str | None,
    impact: str | None,
    urgency: str | None,
    customer_team: Team | None,
    external_ref: str,
    for_someone_else: bool,
) -> list[str]:
    """The standard fields the submission fills in; a blank one counts as not sent."""
    filled = {
        "priority": priority not in (None, ""),
        "impact": impact not in (None, ""),
        "urgency": urgency not in (None, ""),
        "customer_team": customer_team is not None,
        "external_ref": bool(external_ref.strip()),
        "requester": for_someone_else,
    }
    return [name for name, sent in filled.items() if sent]


def _check_filing(
    *,
    actor: Person,
    service: Service,
    requester: Person,
    viewer: policy.Viewer | None,
    sent: list[str],
) -> _Filing:
    """May the actor ask for ``service``, with the standard fields they ``sent``, and
    for the requester if that is someone else?"""
    require_active(actor)
    if viewer is None or viewer.person_id != actor.pk:
        viewer = policy.viewer_for(actor)
    requester_view = viewer if requester.pk == actor.pk else requester
    if not policy.can_request_service(requester_view, service):
        raise NotFound("No such service.")
    # Only now: what a service asks is not told to someone who may not see it.
    not_offered = [name for name in sent if name not in service.offered_fields]
    if not_offered:
        raise InvalidInput(
            "This service does not ask for: " + ", ".join(not_offered) + ".",
            fields={name: "This service does not ask for this." for name in not_offered},
        )
    filing = _Filing(actor=actor, viewer=viewer, requester=requester)
    if filing.for_someone_else and not policy.works_queue(viewer, service.provider_team):
        raise PermissionDenied(
            "Only the provider team's agents can file a request for someone else."
        )
    return filing


def _clean_texts(*, subject: str, description: str, priority: str, external_ref: str) -> _Texts:
    return _Texts(
        subject=clean_text(subject, field="subject", limit=MAX_SUBJECT, required=True),
        description=clean_text(description, field="description", limit=MAX_BODY, required=False),
        priority=check_priority(priority),
        external_ref=clean_text(
            external_ref, field="external_ref", limit=MAX_EXTERNAL_REF, required=False
        ),
    )


def _check_customer_team(filing: _Filing, customer_team: Team | None) -> Team | None:
    """The team the request is on behalf of: one of the requester's own, by default
    their first; agents filing for someone and admins may name any."""
    if customer_team is None:
        return default_customer_team(filing.requester if filing.for_someone_else else filing.viewer)
    if not (
        filing.for_someone_else
        or filing.viewer.is_admin
        or Membership.objects.filter(person=filing.requester, team=customer_team).exists()
    ):
        raise InvalidInput(
            "You can only ask on behalf of a team you belong to.",
            fields={"customer_team": "Choose one of your own teams."},
        )
    return customer_team


def _check_parent(filing: _Filing, parent: Request | None) -> None:
    if parent is not None and not policy.can_view_request(filing.viewer, parent):
        raise InvalidInput("Unknown parent request.", fields={"parent": "No such request."})


def _validate_answers(
    service: Service,
    form_answers: Mapping[str, Any],
    files: Mapping[str, Upload],
    agreement: Agreement | None,
) -> CheckedAnswers:
    """Check the answers against the service's form and what the agreement obliges
    the customer to tell."""
    checked = check_answers(
        service.form_fields.all(),
        form_answers,
        uploaded_file_keys=files.keys(),
        also_required=agreement.customer_obligations if agreement else (),
    )
    if checked.errors:
        raise InvalidInput("Some answers need fixing.", fields=checked.errors)
    return checked


def _store_uploads(
    files: Mapping[str, Upload], answers: CheckedAnswers
) -> dict[str, tuple[Upload, StoredFile]]:
    """Store the files answered on the form; if any is refused, none stays on disk."""
    stored_files = store_files(files[key].stream for key in answers.file_fields)
    return {
        key: (files[key], stored_file)
        for key, stored_file in zip(answers.file_fields, stored_files, strict=True)
    }


def _number(request: Request) -> None:
    """The next reference of the provider team (it locks the team's counter until commit)."""
    request.reference = next_reference(request.provider_team)


def _insert(request: Request) -> None:
    insert_rows([request])
    insert_rows(
        [
            RequestReference(
                request=request,
                reference=request.reference,
                team=request.provider_team,
                created_at=request.created_at,
            )
        ]
    )
    insert_rows(
        [TeamHolding(request=request, team=request.provider_team, started_at=request.created_at)]
    )
    search_changes.changed("request", request.pk)


def _record_created(
    request: Request, filing: _Filing, *, impact_urgency: tuple[str, str] | None
) -> None:
    events.record(
        request,
        events.created(
            request_id=request.pk,
            actor_id=filing.actor.pk,
            at=request.created_at,
            service=request.service.slug,
            priority=request.priority,
            channel=request.channel,
            reference=request.reference,
            priority_from=request.service.priority_from,
            on_behalf_of=filing.requester.pk if filing.for_someone_else else None,
            impact_urgency=impact_urgency,
        ),
    )


def _attach_uploads(
    request: Request, actor: Person, uploads: Mapping[str, tuple[Upload, StoredFile]]
) -> None:
    """Files answered on the form become attachments; the answer keeps the attachment's id.

    The request is saved once here, with the history's chain head its events moved."""
    for key, (upload, stored_file) in uploads.items():
        attachment = create_attachment(
            request, actor, upload, stored_file, comment=None, at=request.created_at
        )
        request.form_answers[key] = attachment.pk
    answers = ["form_answers"] if uploads else []
    update_columns(request, [*answers, *events.CHAIN_HEAD_FIELDS])


def submission_digest(**inputs: Any) -> str:
    """A fingerprint of a submission's inputs, to tell a retry from a different request."""
    encoded = json.dumps(inputs, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def submit_request_once(
    *, idempotency_key: str, actor: Person, digest: str, **submission: Any
) -> tuple[Request, bool]:
    """``submit_request`` that a client may retry with the same key.

    Returns the request and whether it was created now (False: the first
    result is returned again). The same key with different inputs is refused.
    """
    key = idempotency_key.strip()
    if not key or len(key) > 200:
        raise InvalidInput(
            "Idempotency-Key must be 1 to 200 characters.",
            fields={"Idempotency-Key": "1 to 200 characters."},
        )

    def earlier() -> tuple[Request, bool] | None:
        record = (
            IdempotencyRecord.objects.select_related("request")
            .filter(person=actor, key=key)
            .first()
        )
        if record is None:
            return None
        if record.body_digest != digest:
            raise IdempotencyMismatch(
                "This Idempotency-Key was already used with a different request body."
            )
        return record.request, False

    try:
        with transaction.atomic():
            found = earlier()
            if found:
                return found
            request = submit_request(actor=actor, **submission)
            IdempotencyRecord.objects.create(
                person=actor, key=key, body_digest=digest, request=request
            )
            return request, True
    except IntegrityError:
        # Two retries raced; the one that lost rolled back entirely.
        found = earlier()
        if found:
            return found
        raise
