from django.urls import path

from inhouse.org import views

app_name = "org"

urlpatterns = [
    path("", views.org_chart, name="chart"),
    path("teams/<slug:slug>/", views.team_detail, name="team"),
    path("people/", views.people_search, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
]
