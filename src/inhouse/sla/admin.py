"""Admin for business calendars (with their closed days) and, read-only, SLA clocks.

Clocks are moved only by the request services; an edit here would desynchronise
a request from its own SLA fields.
"""

from django.contrib import admin
from django.http import HttpRequest

from inhouse.core.admin import CatalogAdmin
from inhouse.sla.models import Calendar, Clock, ClosedDay


class ClosedDayInline(admin.TabularInline):
    model = ClosedDay
    fields = ("date", "name")
    ordering = ("-date",)
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(CatalogAdmin):
    """Saving the calendar moves ``updated_at``, so every process drops its cached copy."""

    list_display = ("name", "timezone", "holiday_country", "holiday_subdivision", "updated_at")
    search_fields = ("name",)
    readonly_fields = ("updated_at",)
    inlines = (ClosedDayInline,)


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = (
        "reference", "kind", "started_at", "due_at", "paused_at", "stopped_at", "breached_at",
    )  # fmt: skip
    list_filter = ("kind", ("breached_at", admin.EmptyFieldListFilter))
    list_select_related = ("request",)
    search_fields = ("=request__reference",)
    ordering = ("-id",)
    show_full_result_count = False

    @admin.display(description="request", ordering="request__reference")
    def reference(self, obj: Clock) -> str:
        # The reference alone: a request's subject may be confidential.
        return obj.request.reference

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Clock | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Clock | None = None) -> bool:
        return False
