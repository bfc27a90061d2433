from django.urls import path

from inhouse.feedback.views import followups

app_name = "followups"

urlpatterns = [
    path("requests/<str:reference>/follow-ups/answer/", followups.answer, name="answer"),
    path("requests/<str:reference>/follow-ups/off/", followups.turn_off, name="turn-off"),
]
