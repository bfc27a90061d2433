"""Reading knowledge articles, with who may see and edit them applied.

Rules:
- A published article is seen by every active person, unless every service it is
  linked to is hidden from them (an article about a restricted service stays with
  the people who may ask for it).
- A draft is seen only by the owning team's agents and leads (and org admins).
- The owning team's agents and leads write, publish and restore articles; admins too.
Anything a caller may not see is ``NotFound``, never "forbidden".
"""

import difflib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.core.errors import NotFound
from inhouse.core.pagination import KeysetPage, page_by_id
from inhouse.knowledge.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    ArticleVote,
    Deflection,
)
from inhouse.org.models import Person, Team

# The reply picker's title words: a few of them, so a long paste costs what a short one
# does. (The request form's suggestions come from the search: ``inhouse.search``.)
SUGGESTION_MAX_WORDS = 6
SUGGESTION_MIN_WORD_LENGTH = 3


def can_edit_articles_of(who: Person | policy.Viewer, team: Team) -> bool:
    """The team's agents and leads write its articles; org admins any team's."""
    viewer = policy.as_viewer(who)
    return viewer.is_admin or team.pk in viewer.queue_team_ids


def teams_editable_by(who: Person | policy.Viewer) -> QuerySet[Team]:
    viewer = policy.as_viewer(who)
    teams = Team.objects.filter(is_active=True).order_by("name")
    return teams if viewer.is_admin else teams.filter(pk__in=viewer.queue_team_ids)


def _visible_services(viewer: policy.Viewer) -> QuerySet[Service]:
    return Service.objects.filter(policy.visible_services_q(viewer), is_active=True)


def articles_visible_to(who: Person | policy.Viewer) -> QuerySet[Article]:
    """Every article the caller may read, drafts of their own teams included."""
    viewer = policy.as_viewer(who)
    articles = Article.objects.select_related("team")
    if viewer.is_admin:
        return articles
    linked = Article.services.through.objects.filter(article_id=OuterRef("pk"))
    published_for_them = Q(status=ArticleStatus.PUBLISHED) & (
        ~Exists(linked)
        | Exists(linked.filter(service_id__in=_visible_services(viewer).values("pk")))
    )
    return articles.filter(published_for_them | Q(team_id__in=viewer.queue_team_ids))


def _with_linked_services(articles: QuerySet[Article], viewer: policy.Viewer) -> QuerySet[Article]:
    """Each article's services as the caller may see them: a hidden one is never named."""
    shown = _visible_services(viewer).select_related("provider_team").order_by("name")
    return articles.prefetch_related(Prefetch("services", queryset=shown))


def _linked_to_service(service_slug: str) -> QuerySet[Any]:
    return Article.services.through.objects.filter(service__slug=service_slug).values("article_id")


def with_helpful_counts(articles: QuerySet[Article]) -> QuerySet[Article]:
    return articles.annotate(
        helpful_yes=Count("votes", filter=Q(votes__helpful=True), distinct=True),
        helpful_no=Count("votes", filter=Q(votes__helpful=False), distinct=True),
    )


def get_article_for(who: Person | policy.Viewer, slug: str) -> Article:
    """The article if the caller may read it, with its visible services and vote counts."""
    viewer = policy.as_viewer(who)
    found = _with_linked_services(with_helpful_counts(articles_visible_to(viewer)), viewer).filter(
        slug=slug
    )
    article = found.first()
    if article is None:
        raise NotFound("No such article.")
    return article


@dataclass(frozen=True)
class ArticleFilters:
    team: str | None = None
    service: str | None = None
    status: str | None = None


def page_of_articles_visible_to(
    who: Person | policy.Viewer, filters: ArticleFilters, *, cursor: str | None, limit: int
) -> KeysetPage[Article]:
    """Articles the caller may read, newest first, narrowed by team, service and status."""
    viewer = policy.as_viewer(who)
    articles = articles_visible_to(viewer)
    if filters.team:
        articles = articles.filter(team__slug=filters.team)
    if filters.service:
        articles = articles.filter(pk__in=_linked_to_service(filters.service))
    if filters.status:
        articles = articles.filter(status=filters.status)
    return page_by_id(
        _with_linked_services(with_helpful_counts(articles), viewer),
        cursor=cursor,
        limit=limit,
        newest_first=True,
    )


def articles_by_team(
    who: Person | policy.Viewer, *, team_slug: str | None = None, service_slug: str | None = None
) -> dict[Team, list[Article]]:
    """The knowledge base's front page: the articles the caller may read, grouped by team."""
    viewer = policy.as_viewer(who)
    articles = articles_visible_to(viewer)
    if team_slug:
        articles = articles.filter(team__slug=team_slug)
    if service_slug:
        articles = articles.filter(pk__in=_linked_to_service(service_slug))
    grouped: dict[Team, list[Article]] = {}
    for article in _with_linked_services(articles, viewer).order_by("team__name", "title", "id"):
        grouped.setdefault(article.team, []).append(article)
    return grouped


def published_articles_of_service(
    who: Person | policy.Viewer, service: Service, *, limit: int = 20
) -> list[Article]:
    """What the service's page lists: its published articles, most helpful first.

    The caller must already be allowed to see ``service`` (``get_service_for``)."""
    articles = (
        with_helpful_counts(
            Article.objects.filter(services=service, status=ArticleStatus.PUBLISHED)
        )
        .select_related("team")
        .order_by("-helpful_yes", "title", "id")
    )
    return list(articles[:limit])


def suggestion_words(text: str) -> list[str]:
    """The distinct words of typed text worth matching, at most a few."""
    words: list[str] = []
    for raw in text.lower().split():
        word = "".join(ch for ch in raw if ch.isalnum())
        if len(word) >= SUGGESTION_MIN_WORD_LENGTH and word not in words:
            words.append(word)
        if len(words) == SUGGESTION_MAX_WORDS:
            break
    return words


def articles_for_reply_picker(
    who: Person | policy.Viewer, text: str, *, limit: int = 10
) -> list[Article]:
    """Published articles an agent may link in a reply, by title words (all of them when
    nothing is typed), bounded to ``limit``."""
    articles = articles_visible_to(who).filter(status=ArticleStatus.PUBLISHED)
    for word in suggestion_words(text):
        articles = articles.filter(title__icontains=word)
    return list(articles.order_by("title", "id")[:limit])


def revisions_of(article: Article) -> QuerySet[ArticleRevision]:
    """Newest first, with their authors. The caller has read ``article`` through
    ``get_article_for``."""
    return article.revisions.select_related("author").order_by("-number")


def get_revision(article: Article, number: int) -> ArticleRevision:
    revision = revisions_of(article).filter(number=number).first()
    if revision is None:
        raise NotFound("No such revision.")
    return revision


@dataclass(frozen=True)
class DiffLine:
    """One line of a unified diff: ``kind`` is "added", "removed", "context" or "hunk"."""

    kind: str
    text: str


def revision_diff(older: ArticleRevision, newer: ArticleRevision) -> list[DiffLine]:
    """What changed from ``older`` to ``newer``, title first, as unified-diff lines."""
    before = [f"# {older.title}", "", *older.body.splitlines()]
    after = [f"# {newer.title}", "", *newer.body.splitlines()]
    lines: list[DiffLine] = []
    for line in difflib.unified_diff(before, after, lineterm="", n=2):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            lines.append(DiffLine("added", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("removed", line[1:]))
        else:
            lines.append(DiffLine("context", line[1:]))
    return lines


def vote_of(person: Person, article: Article) -> bool | None:
    """The person's answer to "did this help?", or None if they have not answered."""
    return (
        ArticleVote.objects.filter(article=article, person=person)
        .values_list("helpful", flat=True)
        .first()
    )


def deflections_of_service(service: Service, *, since: date | None = None) -> int:
    deflections = Deflection.objects.filter(service=service)
    if since is not None:
        deflections = deflections.filter(day__gte=since)
    return deflections.count()


def deflections_of_article(article: Article) -> int:
    return Deflection.objects.filter(article=article).count()
