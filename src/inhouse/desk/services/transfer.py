"""Handing a request to another service, usually of another team."""

from django.db import transaction
from django.utils import timezone

from inhouse.catalog.models import Service
from inhouse.catalog.selectors import applicable_agreement
from inhouse.core.errors import Conflict, InvalidInput
from inhouse.desk import events
from inhouse.desk.models import Request, RequestReference, TeamHolding
from inhouse.desk.services import notifications
from inhouse.desk.services._common import (
    MAX_BODY,
    clean_text,
    lock,
    next_reference,
    require_work,
    save_changed,
    write_comment,
)
from inhouse.org.models import Person
from inhouse.search import changes as search_changes
from inhouse.sla import services as clocks


def transfer_request(
    *,
    actor: Person,
    request: Request,
    service: Service,
    expected_version: int | None,
    note: str = "",
) -> Request:
    """Hand the request to another service, usually of another team.

    It takes a reference from the new team and keeps its old ones, the span each
    team held it is recorded, the agreement is looked up again and the clocks
    are recomputed from their start, keeping the paused time.
    """
    viewer = require_work(actor, request)
    if not service.is_active:
        raise InvalidInput("That service is not active.", fields={"service": "Not active."})
    note = clean_text(note, field="note", limit=MAX_BODY, required=False)
    now = timezone.now()
    with transaction.atomic():
        request = lock(request, expected_version, viewer=viewer, work=True)
        if not request.is_open:
            raise Conflict("Only an open request can be transferred.")
        if service.pk == request.service_id:
            raise InvalidInput(
                "The request already belongs to that service.", fields={"service": "Same service."}
            )
        old_team_id, old_service, old_reference = (
            request.provider_team_id,
            request.service,
            request.reference,
        )
        changed = ["service", "agreement", "confidential", "resolution_due_at", "sla_breached"]
        if service.provider_team_id != old_team_id:
            TeamHolding.objects.filter(request=request, ended_at__isnull=True).update(ended_at=now)
            TeamHolding.objects.create(request=request, team=service.provider_team, started_at=now)
            request.reference = next_reference(service.provider_team)
            RequestReference.objects.create(
                request=request,
                reference=request.reference,
                team=service.provider_team,
                created_at=now,
            )
            request.provider_team = service.provider_team
            request.assignee = None
            changed += ["reference", "provider_team", "assignee"]
        request.service = service
        # A request never silently loses its confidentiality by moving.
        request.confidential = request.confidential or service.confidential
        request.agreement = applicable_agreement(service, request.customer_team)
        search_changes.changed("request", request.pk)
        clocks.retarget_clocks(request)
        clocks.refresh_request_sla_fields(request)
        events.record(
            request,
            events.transferred(
                request_id=request.pk,
                actor_id=actor.pk,
                at=now,
                services=(old_service.slug, service.slug),
                provider_teams=(old_team_id, service.provider_team_id),
                references=(old_reference, request.reference),
            ),
        )
        if note:
            # Why it moved is for the agents of both teams, not for the requester.
            write_comment(request, actor, note, public=False, by_provider=True, at=now)
        save_changed(request, changed, at=now)
        if service.provider_team_id != old_team_id:
            # For the receiving team it is a new request in its queue.
            notifications.notify_new_request(request, actor=actor)
    return request
