"""The feedback app's pages, mounted at ``/feedback/``; each topic adds its lines."""

from django.urls import path

from inhouse.feedback.views import ratings

app_name = "feedback"

urlpatterns = [
    path("requests/<str:reference>/rating/", ratings.rate, name="rate"),
    path("requests/<str:reference>/clarity/", ratings.rate_clarity_view, name="clarity"),
]
