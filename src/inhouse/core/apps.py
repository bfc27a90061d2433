from django.apps import AppConfig
from django.urls import register_converter

from inhouse.core.ids import DatabaseIdConverter


class CoreConfig(AppConfig):
    name = "inhouse.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Before any URLconf is imported: every ``<id:…>`` path refuses an id past 64 bits.
        register_converter(DatabaseIdConverter, "id")
