from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "inhouse.catalog"
    label = "catalog"
