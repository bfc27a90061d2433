"""Published articles about a set of services, for pages of other apps that point a
reader to them (a training suggestion lists the articles on the services concerned)."""

from collections import defaultdict
from collections.abc import Collection

from inhouse import policy
from inhouse.knowledge.models import Article, ArticleStatus
from inhouse.knowledge.selectors.articles import articles_visible_to, with_helpful_counts
from inhouse.org.models import Person


def published_articles_for_services(
    who: Person | policy.Viewer, service_ids: Collection[int], *, limit: int
) -> dict[int, list[Article]]:
    """For each of ``service_ids``: up to ``limit`` published articles linked to it that
    the caller may read, most helpful first. Two queries, however many services."""
    if not service_ids:
        return {}
    Link = Article.services.through
    links = list(
        Link.objects.filter(
            service_id__in=service_ids,
            article__in=articles_visible_to(who).filter(status=ArticleStatus.PUBLISHED),
        ).values_list("service_id", "article_id")
    )
    found: dict[int, list[Article]] = defaultdict(list)
    if not links:
        return found
    articles = with_helpful_counts(
        Article.objects.filter(pk__in={article_id for _service, article_id in links})
    ).order_by("-helpful_yes", "title", "id")
    ranked = {article.pk: article for article in articles}
    order = {pk: position for position, pk in enumerate(ranked)}
    for service_id, article_id in sorted(links, key=lambda link: order.get(link[1], 0)):
        if article_id in ranked and len(found[service_id]) < limit:
            found[service_id].append(ranked[article_id])
    return found
