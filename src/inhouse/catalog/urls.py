from django.urls import path

from inhouse.catalog import views

app_name = "catalog"

# The manage pages come first: "manage" is not a service's address (the form refuses it).
urlpatterns = [
    path("", views.catalog_index, name="index"),
    path("manage/", views.manage_index, name="manage-index"),
    path("manage/<slug:team_slug>/", views.manage_team, name="manage"),
    path("manage/<slug:team_slug>/services/new/", views.service_create, name="service-create"),
    path(
        "manage/<slug:team_slug>/services/<slug:slug>/",
        views.service_edit,
        name="service-edit",
    ),
    path(
        "manage/<slug:team_slug>/services/<slug:slug>/fields/",
        views.field_add,
        name="field-add",
    ),
    path(
        "manage/<slug:team_slug>/services/<slug:slug>/fields/<slug:key>/",
        views.field_edit,
        name="field-edit",
    ),
    path(
        "manage/<slug:team_slug>/services/<slug:slug>/fields/<slug:key>/move/",
        views.field_move,
        name="field-move",
    ),
    path(
        "manage/<slug:team_slug>/services/<slug:slug>/fields/<slug:key>/remove/",
        views.field_remove,
        name="field-remove",
    ),
    path(
        "manage/<slug:team_slug>/agreements/new/",
        views.agreement_create,
        name="agreement-create",
    ),
    path(
        "manage/<slug:team_slug>/agreements/obligations/",
        views.agreement_obligations,
        name="agreement-obligations",
    ),
    path(
        "manage/<slug:team_slug>/agreements/<id:pk>/",
        views.agreement_edit,
        name="agreement-edit",
    ),
    path(
        "manage/<slug:team_slug>/agreements/<id:pk>/deactivate/",
        views.agreement_deactivate,
        name="agreement-deactivate",
    ),
    path("<slug:slug>/", views.service_detail, name="service"),
]
