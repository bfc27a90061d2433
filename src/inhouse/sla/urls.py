"""A team's business calendars, among its lead's pages under /catalog/manage/<team>/calendars/."""

from django.urls import path

from inhouse.sla import views

app_name = "sla"

urlpatterns = [
    path("<int:pk>/", views.calendar_edit, name="calendar-edit"),
    path("<int:pk>/closed-days/", views.closed_day_add, name="closed-day-add"),
    path(
        "<int:pk>/closed-days/<int:day_pk>/remove/",
        views.closed_day_remove,
        name="closed-day-remove",
    ),
]
