"""Admin for requests and what hangs off them.

Requests, their history and their comments change only through the desk services,
which keep the history, the SLA clocks and the version in step. So here requests
and clocks are read-only, the history can be neither edited nor deleted, and a
comment added here goes through ``add_comment`` like one from the portal.

Confidential requests keep their subject out of lists, and opening one is
written to the audit log as it is everywhere else.
"""

import logging
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from inhouse.core.errors import DomainError
from inhouse.desk.models import (
    CannedReply,
    Comment,
    Notification,
    NotificationPreference,
    Request,
    RequestEvent,
    SavedView,
)
from inhouse.desk.notifications import text_of
from inhouse.desk.services import MAX_BODY, add_comment
from inhouse.org.selectors import person_for_user

audit = logging.getLogger("inhouse.audit")
HIDDEN = "— confidential —"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Logs every opening of an object that belongs to a confidential request."""

    def request_of(self, obj: Any) -> Request:
        return obj.request

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.request_of(obj).confidential:
            person = person_for_user(request.user)
            what = "" if isinstance(obj, Request) else f" {self.opts.model_name}={obj.pk}"
            audit.info(
                "confidential request opened in the admin: person=%s user=%s request=%s%s",
                person.pk if person else None, request.user.pk, self.request_of(obj).pk, what,
            )  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Request)
class RequestAdmin(AuditedAdmin, ReadOnlyAdmin):
    list_display = (
        "reference", "subject_shown", "status", "priority", "provider_team", "requester",
        "assignee", "created_at",
    )  # fmt: skip
    list_filter = ("status", "priority", "provider_team", "confidential", "sla_breached")
    list_select_related = ("provider_team", "requester", "assignee")
    search_fields = ("=reference", "subject")
    ordering = ("-id",)
    # Counting every request again for "N total" costs a query per page on 20,000 rows.
    show_full_result_count = False

    def request_of(self, obj: Request) -> Request:
        return obj

    @admin.display(description="subject")
    def subject_shown(self, obj: Request) -> str:
        return HIDDEN if obj.confidential else obj.subject


@admin.register(RequestEvent)
class RequestEventAdmin(AuditedAdmin, ReadOnlyAdmin):
    """The history is the audit trail: it cannot be added to, changed or deleted here."""

    list_display = ("reference", "kind", "actor", "is_public", "created_at")
    list_filter = ("kind", "is_public")
    list_select_related = ("request", "actor")
    search_fields = ("=request__reference",)
    fields = ("request", "kind", "actor", "data", "is_public", "created_at")
    ordering = ("-id",)
    show_full_result_count = False

    @admin.display(description="request", ordering="request__reference")
    def reference(self, obj: RequestEvent) -> str:
        return obj.request.reference


class CommentAddForm(forms.ModelForm):
    body = forms.CharField(widget=forms.Textarea, max_length=MAX_BODY)

    class Meta:
        model = Comment
        fields = ("request", "body", "is_public")


@admin.register(Comment)
class CommentAdmin(AuditedAdmin):
    """Comments are append-only: they can be added (as the signed-in admin), never changed."""

    list_display = ("reference", "author", "excerpt", "is_public", "by_provider", "created_at")
    list_filter = ("is_public", "by_provider", "channel")
    list_select_related = ("request", "author")
    search_fields = ("=request__reference",)
    raw_id_fields = ("request",)
    ordering = ("-id",)
    show_full_result_count = False

    @admin.display(description="request", ordering="request__reference")
    def reference(self, obj: Comment) -> str:
        return obj.request.reference

    @admin.display(description="comment")
    def excerpt(self, obj: Comment) -> str:
        return HIDDEN if obj.request.confidential else obj.body[:80]

    def get_form(
        self, request: HttpRequest, obj: Comment | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        if obj is None:
            kwargs["form"] = CommentAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Comment | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("request", "body", "is_public")
        return ("request", "author", "body", "is_public", "by_provider", "channel", "created_at")

    def save_model(self, request: HttpRequest, obj: Comment, form: Any, change: bool) -> None:
        actor = person_for_user(request.user)
        if actor is None or change:
            raise PermissionDenied
        try:
            comment = add_comment(
                actor=actor, request=obj.request, body=obj.body, public=obj.is_public
            )
        except DomainError as exc:
            raise PermissionDenied(exc.message) from exc
        # The admin goes on to log and link the object it handed in.
        obj.pk, obj.author, obj.created_at = comment.pk, comment.author, comment.created_at

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Comments are written by a person; a bare admin login has nobody to write as.
        return super().has_add_permission(request) and person_for_user(request.user) is not None

    def has_change_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "text", "created_at", "read_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("recipient",)
    search_fields = ("=recipient__email", "=request__reference")
    raw_id_fields = ("recipient", "request")
    ordering = ("-id",)
    show_full_result_count = False

    @admin.display(description="text")
    def text(self, notification: Notification) -> str:
        return text_of(notification)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "channel", "enabled")
    list_filter = ("channel", "kind", "enabled")
    list_select_related = ("person",)
    search_fields = ("=person__email",)
    raw_id_fields = ("person",)


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "created_by", "updated_at")
    list_select_related = ("team", "created_by")
    search_fields = ("title", "team__name")
    autocomplete_fields = ("team", "created_by")


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "team", "query", "position")
    list_select_related = ("owner", "team")
    search_fields = ("name", "owner__full_name", "owner__email")
    autocomplete_fields = ("owner", "team")
