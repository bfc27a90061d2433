"""The demo's knowledge base: about 150 articles by the provider teams, linked to their
services, each with a few revisions, "did this help?" votes and deflections.

Deterministic by seed and written in bulk (a handful of statements whatever the size),
so ``make bench`` can grow the demo without this part slowing it down.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.text import slugify

from inhouse.catalog.models import Service
from inhouse.demo import catalog_data as data
from inhouse.knowledge.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    ArticleVote,
    Deflection,
)
from inhouse.org.models import Membership, MembershipRole, Person

# Titles of the articles a team writes about one of its services; each service gets
# three or four of them, which makes about 150 over the demo's 40 services.
TITLES = (
    "How to ask for {service}",
    "{service}: what to include in your request",
    "{service}: frequently asked questions",
    "Before you ask for {service}: check these first",
)
DRAFT_SHARE = 0.08
MAX_VOTERS = 30
MAX_DEFLECTIONS = 12


@dataclass(frozen=True)
class KnowledgeTotals:
    articles: int
    revisions: int
    votes: int
    deflections: int


def _body(spec: data.ServiceSpec, title_index: int, *, revision: int) -> str:
    """Markdown in the team's voice, built from what the catalog knows of the service;
    an earlier revision is a shorter version of the final text."""
    lines = [spec.description, ""]
    if title_index in (0, 1) and spec.fields:
        lines += ["## What you will be asked", ""]
        lines += [
            f"- **{field['label']}**" + (" (required)" if field.get("required") else "")
            for field in spec.fields
        ]
        lines.append("")
    if spec.questions and title_index in (1, 2):
        lines += ["## Questions we often ask", ""]
        for question, answer in spec.questions:
            lines += [f"**{question}**", "", answer, ""]
    if title_index == 3:
        lines += [
            "## Check first",
            "",
            "1. Search this knowledge base for the error message you see.",
            "2. Restart the application and try again.",
            "3. Ask a colleague on your team whether they see the same.",
            "",
        ]
    if spec.resolutions:
        lines += ["## What happens next", "", spec.resolutions[0].replace("{app}", "the app"), ""]
    text = "\n".join(lines).strip()
    if revision == 1:
        return text.split("\n\n")[0]
    return text


def create_demo_articles(
    *, services: dict[str, Service], seed: int, now: datetime
) -> KnowledgeTotals:
    rng = random.Random(f"knowledge-{seed}")
    specs = {spec.slug: spec for spec in data.SERVICES}
    editors: dict[int, list[int]] = {}
    for team_id, person_id in (
        Membership.objects.filter(role__in=(MembershipRole.AGENT, MembershipRole.LEAD))
        .values_list("team_id", "person_id")
        .order_by("team_id", "person_id")
    ):
        editors.setdefault(team_id, []).append(person_id)
    everyone = list(
        Person.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    )

    articles: list[Article] = []
    texts: list[tuple[data.ServiceSpec, int, int]] = []  # spec, title index, revision count
    linked: list[Service] = []
    for slug, service in sorted(services.items()):
        spec = specs[slug]
        authors = editors.get(service.provider_team_id) or everyone[:1]
        count = rng.choice((3, 4, 4))
        for title_index in range(count):
            title = TITLES[title_index].format(service=spec.name)
            created = now - timedelta(days=rng.randint(30, 360), minutes=rng.randint(0, 600))
            revisions = rng.randint(1, 4)
            updated = created + timedelta(days=rng.randint(0, 25) * (revisions - 1))
            draft = rng.random() < DRAFT_SHARE
            articles.append(
                Article(
                    team_id=service.provider_team_id,
                    slug=slugify(title)[:120],
                    title=title,
                    body=_body(spec, title_index, revision=revisions),
                    status=ArticleStatus.DRAFT if draft else ArticleStatus.PUBLISHED,
                    revision_count=revisions,
                    created_by_id=rng.choice(authors),
                    created_at=created,
                    updated_at=updated,
                    published_at=None if draft else created + timedelta(hours=2),
                )
            )
            texts.append((spec, title_index, revisions))
            linked.append(service)
    articles = Article.objects.bulk_create(articles)
    Article.services.through.objects.bulk_create(
        Article.services.through(article_id=article.pk, service_id=service.pk)
        for article, service in zip(articles, linked, strict=True)
    )

    revisions_rows = []
    for article, (spec, title_index, count) in zip(articles, texts, strict=True):
        authors = editors.get(article.team_id) or everyone[:1]
        step = (article.updated_at - article.created_at) / max(count - 1, 1)
        for number in range(1, count + 1):
            revisions_rows.append(
                ArticleRevision(
                    article_id=article.pk,
                    number=number,
                    author_id=article.created_by_id if number == 1 else rng.choice(authors),
                    created_at=article.created_at + step * (number - 1),
                    title=article.title,
                    body=_body(spec, title_index, revision=1 if number < count else count),
                )
            )
    ArticleRevision.objects.bulk_create(revisions_rows)

    votes = []
    deflections = []
    for article, service in zip(articles, linked, strict=True):
        if article.status != ArticleStatus.PUBLISHED:
            continue
        # Some articles answer the question well, others leave readers asking anyway.
        helpful_share = rng.uniform(0.35, 0.95)
        voters = rng.sample(everyone, k=min(len(everyone), rng.randint(0, MAX_VOTERS)))
        for person_id in voters:
            votes.append(
                ArticleVote(
                    article_id=article.pk,
                    person_id=person_id,
                    helpful=rng.random() < helpful_share,
                    voted_at=article.created_at + (now - article.created_at) * rng.random(),
                )
            )
        seen: set[tuple[int, object]] = set()
        for _ in range(int(MAX_DEFLECTIONS * helpful_share * rng.random())):
            person_id = rng.choice(everyone)
            viewed_at = now - timedelta(days=rng.randint(1, 180), minutes=rng.randint(0, 900))
            key = (person_id, viewed_at.date())
            if viewed_at < article.created_at or key in seen:
                continue
            seen.add(key)
            deflections.append(
                Deflection(
                    article_id=article.pk,
                    person_id=person_id,
                    service_id=service.pk,
                    day=viewed_at.date(),
                    viewed_at=viewed_at,
                )
            )
    ArticleVote.objects.bulk_create(votes)
    Deflection.objects.bulk_create(deflections)
    return KnowledgeTotals(
        articles=len(articles),
        revisions=len(revisions_rows),
        votes=len(votes),
        deflections=len(deflections),
    )
