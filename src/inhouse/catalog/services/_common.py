"""What the catalog's changes share: who may make them, and the shape of a form key.

Private to ``inhouse.catalog.services``: every door calls the use-case functions.
"""

import logging
import re

from inhouse import policy
from inhouse.catalog.models import Agreement, Service
from inhouse.core.errors import NotFound, PermissionDenied
from inhouse.org.models import Person, Team

# Form keys end up in answers, API payloads and agreements; keep them plain.
FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

# One logger for every change to the catalog, named as before the split.
logger = logging.getLogger("inhouse.catalog.services")


def _refuse(actor: Person, team: Team, what: str) -> None:
    logger.warning(
        "catalog change refused: person %s is no lead of team %s (%s)", actor.pk, team.pk, what
    )


def require_manager(actor: Person, team: Team, *, what: str) -> None:
    if not policy.can_manage_team(actor, team):
        _refuse(actor, team, what)
        raise PermissionDenied(f"Only the leads of {team.name} can change its {what}.")


def require_service_manager(actor: Person, service: Service) -> None:
    viewer = policy.viewer_for(actor)
    if not policy.can_manage_team(viewer, service.provider_team):
        _refuse(actor, service.provider_team, f"service {service.pk}")
        # A restricted service someone cannot request stays hidden, as everywhere.
        if not policy.can_request_service(viewer, service):
            raise NotFound("No such service.")
        raise PermissionDenied(f"Only the leads of {service.provider_team.name} can change it.")


def require_agreement_manager(actor: Person, agreement: Agreement) -> None:
    if agreement.service is not None:
        require_service_manager(actor, agreement.service)
    else:
        require_manager(actor, agreement.provider_team, what="agreements")
