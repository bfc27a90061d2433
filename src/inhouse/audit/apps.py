from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Who did or tried what to which object, for the people who must answer for it."""

    name = "inhouse.audit"
    label = "audit"
    verbose_name = "Audit"
