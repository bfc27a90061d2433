from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Commands that run the whole system: demo, serve, worker, backup, restore."""

    name = "inhouse.ops"
    label = "ops"
    verbose_name = "Operations"
