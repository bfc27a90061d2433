"""The agent workspace, mounted at ``/work/``.

Request pages come before the team pages, so no team slug can shadow them.
"""

from django.urls import path

from inhouse.desk.views.workspace import canned, queue, request_changes, request_page, saved_views

app_name = "workspace"

urlpatterns = [
    path("", queue.work_home, name="home"),
    path("requests/<str:reference>/", request_page.request_page, name="request"),
    path("requests/<str:reference>/reply/", request_changes.request_reply, name="reply"),
    path("requests/<str:reference>/note/", request_changes.request_note, name="note"),
    path(
        "requests/<str:reference>/transition/",
        request_changes.request_transition,
        name="transition",
    ),
    path("requests/<str:reference>/assign/", request_changes.request_assign, name="assign"),
    path("requests/<str:reference>/priority/", request_changes.request_priority, name="priority"),
    path(
        "requests/<str:reference>/dependencies/",
        request_changes.request_dependency_add,
        name="dependency-add",
    ),
    path(
        "requests/<str:reference>/dependencies/<str:blocker_reference>/remove/",
        request_changes.request_dependency_remove,
        name="dependency-remove",
    ),
    path("requests/<str:reference>/transfer/", request_changes.request_transfer, name="transfer"),
    path(
        "requests/<str:reference>/legal-hold/",
        request_changes.request_legal_hold,
        name="legal-hold",
    ),
    path("requests/<str:reference>/clocks/", request_page.request_clocks, name="clocks"),
    path(
        "requests/<str:reference>/canned/<id:reply_id>/",
        request_page.canned_text,
        name="canned-text",
    ),
    path("<slug:team_slug>/", queue.queue, name="queue"),
    path("<slug:team_slug>/bulk/", queue.queue_bulk, name="bulk"),
    path("<slug:team_slug>/views/", saved_views.view_save, name="view-save"),
    path(
        "<slug:team_slug>/views/<id:view_id>/delete/", saved_views.view_delete, name="view-delete"
    ),
    path("<slug:team_slug>/views/<id:view_id>/move/", saved_views.view_move, name="view-move"),
    path("<slug:team_slug>/canned/", canned.canned_list, name="canned"),
    path("<slug:team_slug>/canned/<id:reply_id>/", canned.canned_edit, name="canned-edit"),
    path(
        "<slug:team_slug>/canned/<id:reply_id>/delete/",
        canned.canned_delete,
        name="canned-delete",
    ),
]
