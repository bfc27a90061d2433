"""Knowledge articles over HTTP, mounted at /api/v1/articles: each endpoint parses, calls
one service or selector, and returns a schema. Drafts and articles the caller may not
read are 404; a change by someone outside the owning team is 403."""

from datetime import datetime
from typing import Literal

from django.http import HttpResponse
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field, StrictBool

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.catalog.selectors import get_service_for
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.core.http import expected_version
from inhouse.core.pagination import page_by_id
from inhouse.core.schemas import ErrorOut, PersonRef, StrictSchema, TeamRef
from inhouse.core.text import render_markdown
from inhouse.knowledge.models import Article, ArticleRevision
from inhouse.knowledge.models.articles import BODY_MAX_LENGTH, TITLE_MAX_LENGTH
from inhouse.knowledge.selectors.articles import (
    ArticleFilters,
    get_article_for,
    page_of_articles_visible_to,
    revisions_of,
    vote_of,
)
from inhouse.knowledge.services import articles as knowledge
from inhouse.org.auth import CallerRequest
from inhouse.org.models import Team

router = Router(tags=["articles"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut}
MAX_SERVICES = 50


class ServiceRef(Schema):
    slug: str
    name: str


class ArticleOut(Schema):
    slug: str
    title: str
    body: str = Field(description="Markdown, as written")
    body_html: str = Field(description="The body rendered and sanitised")
    status: Literal["draft", "published"]
    team: TeamRef
    services: list[ServiceRef] = Field(description="The linked services the caller may see")
    revision: int = Field(description="The newest revision's number; send it as If-Match")
    helpful_yes: int
    helpful_no: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


class ArticlePage(Schema):
    items: list[ArticleOut]
    next_cursor: str | None


class ArticleIn(StrictSchema):
    team: str = Field(max_length=80, description="The owning team's slug; you work its queue")
    title: str = Field(max_length=TITLE_MAX_LENGTH)
    body: str = Field("", max_length=BODY_MAX_LENGTH, description="Markdown")
    services: list[str] = Field(
        default_factory=list, max_length=MAX_SERVICES, description="Slugs of the team's services"
    )
    publish: StrictBool = False


class ArticlePatch(StrictSchema):
    title: str | None = Field(None, max_length=TITLE_MAX_LENGTH)
    body: str | None = Field(None, max_length=BODY_MAX_LENGTH)
    services: list[str] | None = Field(None, max_length=MAX_SERVICES)


class RevisionOut(Schema):
    number: int
    author: PersonRef | None
    created_at: datetime
    title: str
    body: str
    restored_from: int | None = Field(description="The revision whose text this one brought back")


class RevisionPage(Schema):
    items: list[RevisionOut]
    next_cursor: str | None


class HelpfulIn(StrictSchema):
    helpful: StrictBool


class HelpfulOut(Schema):
    helpful: bool | None = Field(description="Your answer; null if you have not answered")
    helpful_yes: int
    helpful_no: int


def _article_out(article: Article) -> ArticleOut:
    """``article`` comes from a selector that counted votes and prefetched visible services."""
    return ArticleOut(
        slug=article.slug,
        title=article.title,
        body=article.body,
        body_html=render_markdown(article.body),
        status=article.status,  # type: ignore[arg-type]
        team=TeamRef.model_validate(article.team),
        services=[ServiceRef.model_validate(service) for service in article.services.all()],
        revision=article.revision_count,
        helpful_yes=article.helpful_yes,  # type: ignore[attr-defined]
        helpful_no=article.helpful_no,  # type: ignore[attr-defined]
        created_at=article.created_at,
        updated_at=article.updated_at,
        published_at=article.published_at,
    )


def _revision_out(revision: ArticleRevision) -> RevisionOut:
    return RevisionOut(
        number=revision.number,
        author=PersonRef.model_validate(revision.author) if revision.author else None,
        created_at=revision.created_at,
        title=revision.title,
        body=revision.body,
        restored_from=revision.restored_from,
    )


def _team(slug: str) -> Team:
    team = Team.objects.filter(slug=slug, is_active=True).first()
    if team is None:
        raise InvalidInput(f"Unknown team '{slug}'.", fields={"team": "No such team."})
    return team


def _services(viewer: policy.Viewer, slugs: list[str]) -> list[Service]:
    found = []
    for slug in dict.fromkeys(slugs):
        try:
            found.append(get_service_for(viewer, slug))
        except NotFound as exc:
            raise InvalidInput(
                f"Unknown service '{slug}'.", fields={"services": f"No such service: {slug}."}
            ) from exc
    return found


def _respond(viewer: policy.Viewer, slug: str, response: HttpResponse) -> ArticleOut:
    article = get_article_for(viewer, slug)
    response["ETag"] = f'"{article.revision_count}"'
    return _article_out(article)


# --- the collection --------------------------------------------------------------------------


class ArticleQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    team: str | None = Field(None, max_length=80, description="The owning team's slug")
    service: str | None = Field(None, max_length=100, description="A linked service's slug")
    status: Literal["draft", "published"] | None = None
    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(25, ge=1, le=100)


@router.get("", response={200: ArticlePage, **READ_ERRORS})
def list_articles(request: CallerRequest, query: Query[ArticleQuery]) -> ArticlePage:
    """Articles the caller may read, newest first: published ones, and the drafts of the
    teams whose queue they work. Follow ``next_cursor`` for more."""
    page = page_of_articles_visible_to(
        request.auth,
        ArticleFilters(team=query.team, service=query.service, status=query.status),
        cursor=query.cursor,
        limit=query.limit,
    )
    return ArticlePage(
        items=[_article_out(article) for article in page.items], next_cursor=page.next_cursor
    )


@router.post("", response={201: ArticleOut, **WRITE_ERRORS})
def create(
    request: CallerRequest, payload: ArticleIn, response: HttpResponse
) -> Status[ArticleOut]:
    """Write an article for a team whose queue you work; a draft unless ``publish``."""
    viewer = policy.viewer_for(request.auth)
    article = knowledge.create_article(
        actor=request.auth,
        team=_team(payload.team),
        title=payload.title,
        body=payload.body,
        services=_services(viewer, payload.services),
        publish=payload.publish,
    )
    response["Location"] = f"/api/v1/articles/{article.slug}"
    return Status(201, _respond(viewer, article.slug, response))


# --- one article -------------------------------------------------------------------------------


@router.get("/{article_slug}", response={200: ArticleOut, **READ_ERRORS})
def get_article(request: CallerRequest, article_slug: str, response: HttpResponse) -> ArticleOut:
    """One article with its vote counts and newest ``revision``."""
    return _respond(policy.viewer_for(request.auth), article_slug, response)


@router.patch("/{article_slug}", response={200: ArticleOut, **WRITE_ERRORS})
def update(
    request: CallerRequest, article_slug: str, payload: ArticlePatch, response: HttpResponse
) -> ArticleOut:
    """Change the title, body or linked services; a changed text is a new revision.

    Send ``If-Match`` with the revision you edited to refuse overwriting a colleague's
    save (409 ``stale_revision``)."""
    viewer = policy.viewer_for(request.auth)
    article = get_article_for(viewer, article_slug)
    knowledge.update_article(
        actor=request.auth,
        article=article,
        title=payload.title,
        body=payload.body,
        services=None if payload.services is None else _services(viewer, payload.services),
        expected_revision=expected_version(request, required=False),
    )
    return _respond(viewer, article_slug, response)


@router.post("/{article_slug}/publish", response={200: ArticleOut, **WRITE_ERRORS})
def publish(request: CallerRequest, article_slug: str, response: HttpResponse) -> ArticleOut:
    """Publish the article to everyone who may see its services."""
    viewer = policy.viewer_for(request.auth)
    knowledge.publish_article(actor=request.auth, article=get_article_for(viewer, article_slug))
    return _respond(viewer, article_slug, response)


@router.post("/{article_slug}/unpublish", response={200: ArticleOut, **WRITE_ERRORS})
def unpublish(request: CallerRequest, article_slug: str, response: HttpResponse) -> ArticleOut:
    """Make the article a draft again, seen only by its team."""
    viewer = policy.viewer_for(request.auth)
    knowledge.unpublish_article(actor=request.auth, article=get_article_for(viewer, article_slug))
    return _respond(viewer, article_slug, response)


class PageQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(None, max_length=100)
    limit: int = Field(50, ge=1, le=200)


@router.get("/{article_slug}/revisions", response={200: RevisionPage, **READ_ERRORS, 403: ErrorOut})
def list_revisions(
    request: CallerRequest, article_slug: str, query: Query[PageQuery]
) -> RevisionPage:
    """Every saved revision, newest first: who, when, and the title and body they saved.
    For the owning team's agents and leads."""
    viewer = policy.viewer_for(request.auth)
    article = get_article_for(viewer, article_slug)
    knowledge.check_article_editor(viewer, article)
    page = page_by_id(
        revisions_of(article), cursor=query.cursor, limit=query.limit, newest_first=True
    )
    return RevisionPage(
        items=[_revision_out(revision) for revision in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/{article_slug}/revisions/{number}/restore", response={200: ArticleOut, **WRITE_ERRORS}
)
def restore(
    request: CallerRequest, article_slug: str, number: int, response: HttpResponse
) -> ArticleOut:
    """Bring back revision ``number``'s title and body, saved as a new revision."""
    viewer = policy.viewer_for(request.auth)
    article = get_article_for(viewer, article_slug)
    knowledge.restore_revision(actor=request.auth, article=article, number=number)
    return _respond(viewer, article_slug, response)


def _helpful_out(viewer: policy.Viewer, slug: str) -> HelpfulOut:
    article = get_article_for(viewer, slug)
    return HelpfulOut(
        helpful=vote_of(viewer.person, article),
        helpful_yes=article.helpful_yes,  # type: ignore[attr-defined]
        helpful_no=article.helpful_no,  # type: ignore[attr-defined]
    )


@router.get("/{article_slug}/helpful", response={200: HelpfulOut, **READ_ERRORS})
def helpful(request: CallerRequest, article_slug: str) -> HelpfulOut:
    """Your answer to "did this help?" and everyone's counts."""
    return _helpful_out(policy.viewer_for(request.auth), article_slug)


@router.put("/{article_slug}/helpful", response={200: HelpfulOut, **WRITE_ERRORS})
def answer_helpful(request: CallerRequest, article_slug: str, payload: HelpfulIn) -> HelpfulOut:
    """Answer ``{"helpful": true}`` or ``false``; answering again replaces your answer."""
    viewer = policy.viewer_for(request.auth)
    knowledge.vote_on_article(
        actor=request.auth, article=get_article_for(viewer, article_slug), helpful=payload.helpful
    )
    return _helpful_out(viewer, article_slug)
