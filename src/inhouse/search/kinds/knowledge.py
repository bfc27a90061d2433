"""Knowledge articles and ideas.

Articles are found only once published, by whoever may read them on the knowledge
base's own pages (``knowledge.selectors.articles.articles_visible_to``): an article
linked to no service, or to a service everyone may ask for, by everyone; an article
linked only to restricted services by the people who may ask for one of them; always
by the owning team's agents and leads, and admins. A draft has no document.

Who may read an article is decided as the search runs, from its links as they are and
the catalog as it is now (``article_visible``), so no catalog change can leave an
article findable by someone its page refuses. Its words include the names of its
linked services open to everyone at indexing time, never a restricted one's.

Ideas are for every active person (``knowledge.selectors.ideas``): found by their
title, description, the owning team's public reason for their status, and what
colleagues wrote under them, since the discussion is often where the words a later
reader types are. The status itself is no word: "new" or "done" would match every
idea in that state; the ideas list filters by status.
"""

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from inhouse.catalog.models import Service, Visibility
from inhouse.catalog.snapshot import catalog_snapshot
from inhouse.knowledge.models import Article, ArticleStatus
from inhouse.knowledge.models.ideas import Idea, IdeaComment
from inhouse.policy import Viewer, can_request_service
from inhouse.search.kinds.org import everyone
from inhouse.search.registry import IndexRow, SearchKind, clean, register

ArticleLink = Article.services.through


# Markdown's markup, read away with a few expressions rather than rendered: rendering
# costs milliseconds a text, and an idea is indexed again with all its comments.
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]*>")
_LINE_MARKS = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+)", re.M)
_INLINE_MARKS = re.compile(r"[*`~]+|(?<!\w)_+|_+(?!\w)|^[ \t]*(?:-{3,}|\|?[-:| ]{3,})[ \t]*$", re.M)


def markdown_as_text(text: str) -> str:
    """The words of a Markdown text without its markup (emphasis, headings, list and
    quote marks, code ticks, tags; a link becomes its text), as a reader sees them."""
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _LINE_MARKS.sub("", _TAG.sub("", text))
    return html.unescape(_INLINE_MARKS.sub("", text))


def _open_to_everyone(service: Service) -> bool:
    return service.is_active and service.visibility == Visibility.EVERYONE


def article_visible(viewer: Viewer) -> Q:
    """An article linked to no service (``confidential=False``), the viewer's own team's,
    or one linked to a service the viewer may ask for, as the links are now (the services
    decided on the catalog snapshot, as the services' own search is)."""
    if viewer.is_admin:
        return Q()
    theirs = [
        service.pk
        for service in catalog_snapshot().services_by_slug.values()
        if can_request_service(viewer, service)
    ]
    linked = ArticleLink.objects.filter(service_id__in=theirs).values("article_id")
    return Q(confidential=False) | Q(team_id__in=viewer.queue_team_ids) | Q(object_id__in=linked)


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
            # Linked to services: for their audiences only (``article_visible``).
            confidential=bool(services),
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
