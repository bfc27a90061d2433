"""Knowledge articles and ideas.

Articles are found only once published, by whoever may read them on the knowledge
base's own pages (``knowledge.selectors.articles.articles_visible_to``): an article
linked to no service, or to a service everyone may ask for, by everyone; an article
linked only to restricted services by the people who may ask for one of them; always
by the owning team's agents and leads, and admins. A draft has no document.

The scope is decided from the catalog as the article is indexed (which linked service
is open to everyone), so the kind follows the catalog's version: a service made
restricted, renamed or retired re-indexes the articles, and a restricted service's
name is never among an article's words.

Ideas are for every active person (``knowledge.selectors.ideas``): found by their
title, description, the owning team's public reason for their status, and what
colleagues wrote under them, since the discussion is often where the words a later
reader types are. The status itself is no word: "new" or "done" would match every
idea in that state; the ideas list filters by status.
"""

import html
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from inhouse.catalog.models import Service, Visibility
from inhouse.catalog.snapshot import catalog_snapshot
from inhouse.core.text import render_markdown
from inhouse.core.versioned import CATALOG
from inhouse.knowledge.models import Article, ArticleStatus
from inhouse.knowledge.models.ideas import Idea, IdeaComment
from inhouse.policy import Viewer, can_request_service
from inhouse.search.kinds.org import everyone
from inhouse.search.registry import IndexRow, SearchKind, clean, register

ArticleLink = Article.services.through


def markdown_as_text(text: str) -> str:
    """The words of a Markdown text without its markup, as a reader sees them."""
    return html.unescape(strip_tags(render_markdown(text)))


def _open_to_everyone(service: Service) -> bool:
    return service.is_active and service.visibility == Visibility.EVERYONE


def article_visible(viewer: Viewer) -> Q:
    """An article open to everyone (``confidential=False``), the viewer's own team's, or
    one linked to a restricted service the viewer may ask for (decided on the catalog
    snapshot, as the services' own search is)."""
    if viewer.is_admin:
        return Q()
    restricted_for_them = [
        service.pk
        for service in catalog_snapshot().services_by_slug.values()
        if not _open_to_everyone(service) and can_request_service(viewer, service)
    ]
    condition = Q(confidential=False) | Q(team_id__in=viewer.queue_team_ids)
    if restricted_for_them:
        linked = ArticleLink.objects.filter(service_id__in=restricted_for_them)
        condition |= Q(object_id__in=linked.values("article_id"))
    return condition


def _all_published_articles() -> QuerySet[Any, int]:
    published = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    return published.order_by("pk").values_list("pk", flat=True)


def _article_rows(ids: Sequence[int]) -> Iterable[IndexRow]:
    articles = (
        Article.objects.filter(pk__in=ids, status=ArticleStatus.PUBLISHED)
        .only("team_id", "slug", "title", "body")
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.only("name", "is_active", "visibility").order_by("pk"),
            )
        )
    )
    for article in articles:
        services = list(article.services.all())
        open_ones = [service for service in services if _open_to_everyone(service)]
        yield IndexRow(
            object_id=article.pk,
            title=clean(article.title),
            # Only the names everyone may read: a restricted service is never named.
            body=clean("\n".join([markdown_as_text(article.body), *(s.name for s in open_ones)])),
            url=f"/kb/{article.slug}/",
            team_id=article.team_id,
            # Linked to services, none of them open to everyone: for their audiences only.
            confidential=bool(services) and not open_ones,
        )


def _all_ideas() -> QuerySet[Any, int]:
    return Idea.objects.order_by("pk").values_list("pk", flat=True)


def _idea_rows(ids: Sequence[int]) -> Iterable[IndexRow]:
    ideas = (
        Idea.objects.filter(pk__in=ids)
        .only("title", "body", "status_reason", "owning_team_id")
        .prefetch_related(
            Prefetch(
                "comments", queryset=IdeaComment.objects.only("idea_id", "body").order_by("pk")
            )
        )
    )
    for idea in ideas:
        comments = [markdown_as_text(comment.body) for comment in idea.comments.all()]
        yield IndexRow(
            object_id=idea.pk,
            title=clean(idea.title),
            body=clean("\n".join([idea.body, idea.status_reason, *comments])),
            url=f"/ideas/{idea.pk}/",
            team_id=idea.owning_team_id,
        )


register(
    SearchKind(
        name="article",
        label=_("Articles"),
        all_ids=_all_published_articles,
        rows=_article_rows,
        visible=article_visible,
        follows_version=CATALOG,
        order=15,
    )
)
register(
    SearchKind(
        name="idea",
        label=_("Ideas"),
        all_ids=_all_ideas,
        rows=_idea_rows,
        visible=everyone,
        order=35,
    )
)
