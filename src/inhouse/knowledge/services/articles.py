"""Every change to knowledge articles: writing, publishing, restoring, votes, deflections.

Each function checks permission (``can_edit_articles_of``), owns its transaction, and
keeps the article row and its revisions in step: every save that changes the title or
the body appends a numbered revision, so the history says who wrote what, and when.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from inhouse import policy
from inhouse.catalog.models import Service
from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from inhouse.desk.models import Request
from inhouse.knowledge.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    ArticleViewFromForm,
    ArticleVote,
    Deflection,
)
from inhouse.knowledge.models.articles import BODY_MAX_LENGTH, TITLE_MAX_LENGTH
from inhouse.knowledge.selectors.articles import articles_visible_to, can_edit_articles_of
from inhouse.org.models import Person, Team
from inhouse.search import changes as search_changes

DEFAULT_DEFLECTION_WINDOW_MINUTES = 30
SETTLE_BATCH = 1000


class StaleRevision(Conflict):
    code = "stale_revision"

    def __init__(self, *, expected: int, current: int) -> None:
        super().__init__(
            _(
                "The article changed since you opened it (your revision %(expected)s, "
                "current revision %(current)s). Reload it and apply your change again."
            )
            % {"expected": expected, "current": current}
        )


@dataclass(frozen=True)
class ArticleText:
    title: str
    body: str


def _clean_text(*, title: str, body: str) -> ArticleText:
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Give the article a title.")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("At most %(count)d characters.") % {"count": TITLE_MAX_LENGTH}
    if len(body) > BODY_MAX_LENGTH:
        errors["body"] = _("At most %(count)d characters.") % {"count": BODY_MAX_LENGTH}
    if errors:
        raise InvalidInput(_("The article could not be saved; see fields."), fields=errors)
    return ArticleText(title=title, body=body)


def _check_services(team: Team, services: Iterable[Service]) -> list[Service]:
    """An article is linked only to its own team's active services."""
    chosen = list(dict.fromkeys(services))
    foreign = [s for s in chosen if s.provider_team_id != team.pk or not s.is_active]
    if foreign:
        raise InvalidInput(
            _("An article can be linked only to its team's own services."),
            fields={
                "services": _("Not a service of %(team)s: %(names)s.")
                % {"team": team.name, "names": ", ".join(s.slug for s in foreign)}
            },
        )
    return chosen


def check_article_editor(who: Person | policy.Viewer, article: Article) -> None:
    """``PermissionDenied`` unless ``who`` may edit ``article`` (and read its revisions)."""
    _check_editor(who, article.team)


def _check_editor(actor: Person | policy.Viewer, team: Team) -> None:
    if not can_edit_articles_of(actor, team):
        raise PermissionDenied(
            _("Only the agents and leads of %(team)s edit its articles.") % {"team": team.name}
        )


# The knowledge base's own addresses under /kb/, which an article's slug must not take.
RESERVED_SLUGS = frozenset({"new", "services", "picker"})


def _unique_slug(title: str) -> str:
    base = slugify(title)[:100].strip("-") or "article"
    if base in RESERVED_SLUGS:
        base = f"{base}-article"
    taken = set(Article.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    for number in range(2, len(taken) + 3):
        candidate = f"{base}-{number}"
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable: one of len(taken) + 1 candidates is free")


def _append_revision(
    article: Article, *, author: Person, now: datetime, restored_from: int | None = None
) -> ArticleRevision:
    article.revision_count += 1
    return ArticleRevision.objects.create(
        article=article,
        number=article.revision_count,
        author=author,
        created_at=now,
        title=article.title,
        body=article.body,
        restored_from=restored_from,
    )


def create_article(
    *,
    actor: Person,
    team: Team,
    title: str,
    body: str,
    services: Iterable[Service] = (),
    publish: bool = False,
) -> Article:
    """A new article of ``team`` with its first revision; a draft unless ``publish``."""
    _check_editor(actor, team)
    text = _clean_text(title=title, body=body)
    linked = _check_services(team, services)
    now = timezone.now()
    for attempt in range(3):
        # Two authors may pick the same title at once: the loser of the unique slug
        # takes a random suffix instead of failing.
        slug = _unique_slug(text.title)
        if attempt:
            slug = f"{slug[:100]}-{get_random_string(6).lower()}"
        try:
            with transaction.atomic():
                article = Article.objects.create(
                    team=team,
                    slug=slug,
                    title=text.title,
                    body=text.body,
                    status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
                    created_by=actor,
                    created_at=now,
                    updated_at=now,
                    published_at=now if publish else None,
                )
                article.services.set(linked)
                _append_revision(article, author=actor, now=now)
                article.save(update_fields=["revision_count"])
                search_changes.changed("article", article.pk)
        except IntegrityError:
            continue
        return article
    raise Conflict(_("Could not find a free address for this article; try again."))


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().select_related("team").get(pk=article.pk)


def update_article(
    *,
    actor: Person,
    article: Article,
    title: str | None = None,
    body: str | None = None,
    services: Iterable[Service] | None = None,
    expected_revision: int | None = None,
) -> Article:
    """Change the text and links; a changed title or body is stored as a new revision.

    ``expected_revision`` (the revision the editor started from) refuses to overwrite a
    colleague's save made meanwhile."""
    _check_editor(actor, article.team)
    with transaction.atomic():
        current = _locked(article)
        if expected_revision is not None and expected_revision != current.revision_count:
            raise StaleRevision(expected=expected_revision, current=current.revision_count)
        text = _clean_text(
            title=current.title if title is None else title,
            body=current.body if body is None else body,
        )
        now = timezone.now()
        changed = text.title != current.title or text.body != current.body
        if changed:
            current.title, current.body, current.updated_at = text.title, text.body, now
            _append_revision(current, author=actor, now=now)
            current.save(update_fields=["title", "body", "updated_at", "revision_count"])
        if services is not None:
            current.services.set(_check_services(current.team, services))
        search_changes.changed("article", current.pk)
    return current


def _set_status(*, actor: Person, article: Article, status: str) -> Article:
    _check_editor(actor, article.team)
    with transaction.atomic():
        current = _locked(article)
        if current.status != status:
            current.status = status
            if status == ArticleStatus.PUBLISHED:
                current.published_at = timezone.now()
            current.save(update_fields=["status", "published_at"])
            search_changes.changed("article", current.pk)
    return current


def publish_article(*, actor: Person, article: Article) -> Article:
    """Show the article to everyone who may see its services; publishing twice is a no-op."""
    return _set_status(actor=actor, article=article, status=ArticleStatus.PUBLISHED)


def unpublish_article(*, actor: Person, article: Article) -> Article:
    """Back to a draft, seen only by its team; votes and deflections are kept."""
    return _set_status(actor=actor, article=article, status=ArticleStatus.DRAFT)


def restore_revision(*, actor: Person, article: Article, number: int) -> Article:
    """Bring back an older revision's title and body as a new revision: the history only grows."""
    _check_editor(actor, article.team)
    with transaction.atomic():
        current = _locked(article)
        old = ArticleRevision.objects.filter(article=current, number=number).first()
        if old is None:
            raise NotFound(_("No such revision."))
        now = timezone.now()
        current.title, current.body, current.updated_at = old.title, old.body, now
        _append_revision(current, author=actor, now=now, restored_from=number)
        current.save(update_fields=["title", "body", "updated_at", "revision_count"])
        search_changes.changed("article", current.pk)
    return current


def vote_on_article(*, actor: Person, article: Article, helpful: bool) -> ArticleVote:
    """Answer "did this help?"; answering again replaces the earlier answer.

    Only a published article is voted on (a team's own draft is not yet asking)."""
    if article.status != ArticleStatus.PUBLISHED:
        raise PermissionDenied(_("Only published articles take votes."))
    vote, _created = ArticleVote.objects.update_or_create(
        article=article, person=actor, defaults={"helpful": helpful, "voted_at": timezone.now()}
    )
    return vote


def deflection_window() -> timedelta:
    minutes = getattr(settings, "KNOWLEDGE_DEFLECTION_WINDOW_MINUTES", None)
    return timedelta(minutes=minutes or DEFAULT_DEFLECTION_WINDOW_MINUTES)


def record_view_from_form(
    *, viewer: policy.Viewer, article: Article, service: Service, now: datetime | None = None
) -> ArticleViewFromForm | None:
    """Note that ``viewer`` opened ``article`` from ``service``'s request form.

    Counted only for a published article the viewer may read, of that service or of its
    provider team; ``service`` must already be one the viewer may ask for. An open view
    of the same person, article and service is reused, so reloading counts nothing more.
    """
    if article.status != ArticleStatus.PUBLISHED:
        return None
    linked = article.services.filter(pk=service.pk).exists()
    if not linked and article.team_id != service.provider_team_id:
        return None
    if not articles_visible_to(viewer).filter(pk=article.pk).exists():
        return None
    now = now or timezone.now()
    open_view = ArticleViewFromForm.objects.filter(
        article=article, person=viewer.person, service=service, settled_at__isnull=True
    ).first()
    if open_view is not None:
        return open_view
    return ArticleViewFromForm.objects.create(
        article=article,
        person=viewer.person,
        service=service,
        viewed_at=now,
        window_ends_at=now + deflection_window(),
    )


def settle_deflections(*, now: datetime | None = None, batch: int = SETTLE_BATCH) -> int:
    """Turn views from a form whose window has passed into deflections; returns how many
    views were settled (at most ``batch``; the worker runs it again a minute later).

    A view becomes a deflection unless its person submitted a request to its service
    between the view and the end of the window. Idempotent and safe to run in two
    workers at once: the deflection's unique (person, article, service, day) drops a
    repeat, and a settled view is never read again.
    """
    now = now or timezone.now()
    submitted = Request.objects.filter(
        requester_id=OuterRef("person_id"),
        service_id=OuterRef("service_id"),
        created_at__gte=OuterRef("viewed_at"),
        created_at__lte=OuterRef("window_ends_at"),
    )
    due = list(
        ArticleViewFromForm.objects.filter(settled_at__isnull=True, window_ends_at__lte=now)
        .annotate(submitted=Exists(submitted))
        .order_by("window_ends_at", "id")[:batch]
    )
    if not due:
        return 0
    deflections = [
        Deflection(
            article_id=view.article_id,
            person_id=view.person_id,
            service_id=view.service_id,
            day=view.viewed_at.astimezone(UTC).date(),
            viewed_at=view.viewed_at,
        )
        for view in due
        if not view.submitted
    ]
    with transaction.atomic():
        Deflection.objects.bulk_create(deflections, ignore_conflicts=True)
        return ArticleViewFromForm.objects.filter(
            pk__in=[view.pk for view in due], settled_at__isnull=True
        ).update(settled_at=now)
