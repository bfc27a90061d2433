from django.apps import AppConfig


class WebConfig(AppConfig):
    """The pages that span apps: home, notifications, the layout and the error pages."""

    name = "inhouse.web"
    label = "web"
    verbose_name = "Web"
