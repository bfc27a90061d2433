"""The knowledge base, mounted at ``/kb/``. Fixed words come before ``<slug>``: the
services never give an article one of them as its address."""

from django.urls import path

from inhouse.knowledge.views import articles

app_name = "knowledge"

urlpatterns = [
    path("", articles.kb_index, name="index"),
    path("new/", articles.article_new, name="article-new"),
    path("services/<slug:slug>/articles/", articles.service_articles, name="service-articles"),
    path("picker/", articles.reply_picker, name="picker"),
    path("picker/<slug:article_slug>/link/", articles.picker_link, name="picker-link"),
    path("<slug:article_slug>/", articles.article_detail, name="article"),
    path("<slug:article_slug>/helpful/", articles.article_vote, name="vote"),
    path("<slug:article_slug>/edit/", articles.article_edit, name="edit"),
    path("<slug:article_slug>/publish/", articles.article_publish, name="publish"),
    path("<slug:article_slug>/unpublish/", articles.article_unpublish, name="unpublish"),
    path("<slug:article_slug>/revisions/", articles.article_revisions, name="revisions"),
    path(
        "<slug:article_slug>/revisions/<int:number>/restore/",
        articles.revision_restore,
        name="revision-restore",
    ),
]
