from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "inhouse.org"
    label = "org"
