"""Kudos and training pages: /kudos/… and /training/…."""

from django.urls import path

from inhouse.feedback.views import kudos, training

app_name = "kudos"

urlpatterns = [
    path("kudos/give/", kudos.give_kudos, name="give"),
    path("kudos/sharing/", kudos.sharing, name="sharing"),
    path("kudos/teams/<slug:slug>/", kudos.wall, name="wall"),
    path("kudos/teams/<slug:slug>/sharing/", kudos.team_sharing, name="team-sharing"),
    path("training/", training.session_list, name="training"),
    path("training/new/<slug:team_slug>/", training.session_create, name="training-new"),
    path("training/<id:pk>/", training.session_detail, name="training-session"),
    path("training/<id:pk>/edit/", training.session_edit, name="training-edit"),
    path("training/<id:pk>/signup/", training.signup, name="training-signup"),
    path("training/<id:pk>/cancel/", training.cancel, name="training-cancel"),
    path("training/<id:pk>/rate/", training.rate, name="training-rate"),
]
