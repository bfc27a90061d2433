"""A team's business calendars, among its lead's pages under /catalog/manage/<team>/calendars/."""

from django.urls import path

from inhouse.sla import views

app_name = "sla"

urlpatterns = [
    path("<id:pk>/", views.calendar_edit, name="calendar-edit"),
    path("<id:pk>/closed-days/", views.closed_day_add, name="closed-day-add"),
    path(
        "<id:pk>/closed-days/<id:day_pk>/remove/",
        views.closed_day_remove,
        name="closed-day-remove",
    ),
]
