"""Admin for people, teams and API tokens.

Token secrets never appear: only a token's prefix and digest are stored. Revoking
goes through the same service as ``inhouse token revoke``.
"""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from inhouse.core.admin import CatalogAdmin
from inhouse.org.models import ApiToken, Membership, Person, Team
from inhouse.org.services import revoke_api_token


class PersonMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "person"
    fields = ("team", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("team",)
    extra = 0


class TeamMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "team"
    fields = ("person", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("person",)
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("person")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = (
        "full_name",
        "email",
        "kind",
        "job_title",
        "manager",
        "is_active",
        "is_org_admin",
    )
    list_filter = ("kind", "is_active", "is_org_admin")
    list_select_related = ("manager",)
    search_fields = ("full_name", "email", "job_title")
    autocomplete_fields = ("manager", "user")
    readonly_fields = ("created_at",)
    inlines = (PersonMembershipInline,)
    show_full_result_count = False

    def has_delete_permission(self, request: HttpRequest, obj: Person | None = None) -> bool:
        # People leave by being deactivated, so the history keeps naming who did what.
        return False


@admin.register(Team)
class TeamAdmin(CatalogAdmin):
    list_display = (
        "name", "slug", "kind", "parent", "reference_prefix", "serves_external_customers",
        "is_active",
    )  # fmt: skip
    list_filter = ("kind", "serves_external_customers", "is_active")
    list_select_related = ("parent",)
    search_fields = ("name", "slug", "reference_prefix")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = (TeamMembershipInline,)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only: a token is created by its owner (``inhouse token create``) and shown once."""

    list_display = ("prefix_shown", "name", "person", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("person",)
    search_fields = ("=prefix", "name", "person__full_name", "person__email")
    fields = ("person", "name", "prefix", "digest", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)
    show_full_result_count = False

    @admin.display(description="token", ordering="prefix")
    def prefix_shown(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    @admin.action(description="Revoke the selected tokens", permissions=("revoke",))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        active = list(queryset.filter(revoked_at__isnull=True).select_related("person"))
        for token in active:
            revoke_api_token(person=token.person, token_id=token.pk)
        self.message_user(request, f"{len(active)} token(s) revoked.", messages.SUCCESS)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        # The form is read-only, but revoking is a change that needs the change permission.
        return request.user.has_perm("org.change_apitoken")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        # Revoked, never deleted: the row says who had access and until when.
        return False
