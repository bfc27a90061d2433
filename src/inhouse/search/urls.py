from django.urls import path

from inhouse.search import views

app_name = "search"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("articles/", views.article_suggestions, name="article-suggestions"),
]
