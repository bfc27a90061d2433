from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "inhouse.sla"
    label = "sla"
