"""What the apps' admin pages share."""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest

from inhouse.core.versioned import CATALOG, bump


class CatalogAdmin(admin.ModelAdmin):
    """An admin page whose saves change what the catalog snapshot holds.

    The admin writes rows directly rather than through the services, so it bumps the
    snapshot's version itself, after the row and its inlines are saved, in the same
    transaction (the admin wraps each change view in one).
    """

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        bump(CATALOG)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        with transaction.atomic():
            super().delete_model(request, obj)
            bump(CATALOG)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            bump(CATALOG)
