from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "inhouse.desk"
    label = "desk"
