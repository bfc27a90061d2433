"""Changes to people, teams and API tokens: ``accounts`` (tokens, admins) and
``importing`` (the organization from CSV)."""

from inhouse.org.services.accounts import (
    TOKEN_PREFIX,
    create_admin,
    create_api_token,
    revoke_api_token,
)
from inhouse.org.services.importing import ImportErrors, ImportReport, import_org

__all__ = [
    "TOKEN_PREFIX",
    "ImportErrors",
    "ImportReport",
    "create_admin",
    "create_api_token",
    "import_org",
    "revoke_api_token",
]
