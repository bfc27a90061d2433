from django.urls import path

from inhouse.desk.views import portal

app_name = "portal"

urlpatterns = [
    path("requests/", portal.my_requests, name="my-requests"),
    path("services/<slug:slug>/request/", portal.request_new, name="request-new"),
    path("requests/<str:reference>/", portal.request_detail, name="request"),
    path("requests/<str:reference>/reply/", portal.reply, name="reply"),
    path("requests/<str:reference>/transition/", portal.transition, name="transition"),
    path(
        "requests/<str:reference>/attachments/<id:attachment_id>/",
        portal.attachment_download,
        name="attachment",
    ),
]
