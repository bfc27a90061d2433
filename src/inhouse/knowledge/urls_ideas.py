from django.urls import path

from inhouse.knowledge.views import ideas

app_name = "ideas"

urlpatterns = [
    path("", ideas.idea_list, name="list"),
    path("new/", ideas.idea_new, name="new"),
    path("<id:idea_id>/", ideas.idea_detail, name="detail"),
    path("<id:idea_id>/vote/", ideas.vote, name="vote"),
    path("<id:idea_id>/comments/", ideas.comment, name="comment"),
    path("<id:idea_id>/status/", ideas.change_status, name="status"),
]
