"""Admin for services with their request forms, and agreements with their targets."""

from django.contrib import admin

from inhouse.catalog.models import Agreement, AgreementTarget, FormField, Service
from inhouse.core.admin import CatalogAdmin


class FormFieldInline(admin.TabularInline):
    model = FormField
    fields = ("position", "key", "label", "kind", "required", "choices", "help_text")
    ordering = ("position", "id")
    extra = 0


@admin.register(Service)
class ServiceAdmin(CatalogAdmin):
    list_display = (
        "name", "slug", "provider_team", "process_category", "visibility", "confidential",
        "is_active",
    )  # fmt: skip
    list_filter = ("process_category", "visibility", "confidential", "is_active")
    list_select_related = ("provider_team",)
    search_fields = ("name", "slug", "provider_team__name")
    autocomplete_fields = ("provider_team", "visible_to_teams")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at",)
    inlines = (FormFieldInline,)


class AgreementTargetInline(admin.TabularInline):
    model = AgreementTarget
    fields = ("priority", "first_response_minutes", "resolution_minutes")
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(CatalogAdmin):
    list_display = ("name", "provider_team", "service", "customer_team", "calendar", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("provider_team", "service", "customer_team", "calendar")
    search_fields = ("name", "provider_team__name", "service__name", "customer_team__name")
    autocomplete_fields = ("provider_team", "service", "customer_team", "calendar")
    inlines = (AgreementTargetInline,)
