"""The org chart, team and person pages, and the people searches, under /org/."""

from django.urls import path

from inhouse.web.views import org

app_name = "org"

urlpatterns = [
    path("", org.org_chart, name="chart"),
    path("teams/<slug:slug>/", org.team_detail, name="team"),
    path("people/", org.people_search, name="people"),
    path("people/search/", org.person_choices, name="people-search"),
    path("people/<id:pk>/", org.person_detail, name="person"),
]
