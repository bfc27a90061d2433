"""The agent workspace, mounted at ``/work/``.

Request pages come before the team pages, so no team slug can shadow them.
"""

from django.urls import path

from inhouse.desk.views import workspace

app_name = "workspace"

urlpatterns = [
    path("", workspace.work_home, name="home"),
    path("requests/<str:reference>/", workspace.request_page, name="request"),
    path("requests/<str:reference>/reply/", workspace.request_reply, name="reply"),
    path("requests/<str:reference>/note/", workspace.request_note, name="note"),
    path("requests/<str:reference>/transition/", workspace.request_transition, name="transition"),
    path("requests/<str:reference>/assign/", workspace.request_assign, name="assign"),
    path("requests/<str:reference>/priority/", workspace.request_priority, name="priority"),
    path(
        "requests/<str:reference>/dependencies/",
        workspace.request_dependency_add,
        name="dependency-add",
    ),
    path(
        "requests/<str:reference>/dependencies/<str:blocker_reference>/remove/",
        workspace.request_dependency_remove,
        name="dependency-remove",
    ),
    path("requests/<str:reference>/transfer/", workspace.request_transfer, name="transfer"),
    path("requests/<str:reference>/clocks/", workspace.request_clocks, name="clocks"),
    path(
        "requests/<str:reference>/canned/<int:reply_id>/",
        workspace.canned_text,
        name="canned-text",
    ),
    path("<slug:team_slug>/", workspace.queue, name="queue"),
    path("<slug:team_slug>/bulk/", workspace.queue_bulk, name="bulk"),
    path("<slug:team_slug>/views/", workspace.view_save, name="view-save"),
    path("<slug:team_slug>/views/<int:view_id>/delete/", workspace.view_delete, name="view-delete"),
    path("<slug:team_slug>/views/<int:view_id>/move/", workspace.view_move, name="view-move"),
    path("<slug:team_slug>/canned/", workspace.canned_list, name="canned"),
    path("<slug:team_slug>/canned/<int:reply_id>/", workspace.canned_edit, name="canned-edit"),
    path(
        "<slug:team_slug>/canned/<int:reply_id>/delete/",
        workspace.canned_delete,
        name="canned-delete",
    ),
]
