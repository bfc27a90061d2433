"""Relationship surveys: a lead's pages among their team's (``/catalog/manage/<team>/
surveys/``) and the invitee's (``/surveys/``)."""

from django.urls import path

from inhouse.feedback.views import surveys as views

app_name = "surveys"

urlpatterns = [
    path("catalog/manage/<slug:team_slug>/surveys/", views.survey_list, name="list"),
    path(
        "catalog/manage/<slug:team_slug>/surveys/audience/",
        views.audience_preview,
        name="audience-preview",
    ),
    path(
        "catalog/manage/<slug:team_slug>/surveys/<id:pk>/",
        views.survey_results_page,
        name="results",
    ),
    path("surveys/", views.my_surveys, name="mine"),
    path("surveys/<id:pk>/", views.survey_answer, name="answer"),
]
