"""Changes a team lead (or an org admin) makes to the catalog.

Every function takes the acting person and asks ``inhouse.policy.can_manage_team``
about the provider team. A caller who may not even see the object (a restricted
service they cannot request) gets ``NotFound``; one who sees it but does not
lead its team gets ``PermissionDenied``. Invalid input raises ``InvalidInput``
whose ``fields`` name every problem at once, so a form can show them all.

Split by topic: ``service`` (a service's settings), ``request_forms`` (its form's
questions) and ``agreements``; ``_common`` holds the permission checks they share.
What the doors import is re-exported here.
"""

from inhouse.catalog.services.agreements import (
    AgreementDetails,
    Target,
    deactivate_agreement,
    save_agreement,
)
from inhouse.catalog.services.request_forms import (
    FormFieldDetails,
    add_form_field,
    remove_form_field,
    reorder_form_fields,
    update_form_field,
)
from inhouse.catalog.services.service import ServiceDetails, create_service, update_service

__all__ = [
    "AgreementDetails",
    "FormFieldDetails",
    "ServiceDetails",
    "Target",
    "add_form_field",
    "create_service",
    "deactivate_agreement",
    "remove_form_field",
    "reorder_form_fields",
    "save_agreement",
    "update_form_field",
    "update_service",
]
