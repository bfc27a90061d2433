"""Knowledge articles: written by provider teams, linked to their services, revised,
voted helpful or not, and counted as deflections when they spare a request."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inhouse.catalog.models import Service
from inhouse.org.models import Person, Team

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 50_000


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Article(models.Model):
    """One article; its title and body are those of its newest revision."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="articles")
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    services = models.ManyToManyField(Service, blank=True, related_name="articles")
    # The newest revision's number, so the next one is numbered without a query.
    revision_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["team", "status", "title"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class ArticleRevision(models.Model):
    """What an article said after one save: append-only, numbered from 1."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    body = models.TextField(blank=True)
    # Set when this revision brought back an older one's text.
    restored_from = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "number"], name="knowledge_revision_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class ArticleVote(models.Model):
    """A person's answer to "did this help?"; one per person and article, changeable."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "person"], name="knowledge_vote_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.article_id}: {self.helpful}"


class ArticleViewFromForm(models.Model):
    """Someone opened an article from a service's request form.

    Settled once ``window_ends_at`` has passed: it becomes a ``Deflection`` unless the
    person submitted a request to that service between ``viewed_at`` and then.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField(default=timezone.now)
    window_ends_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The settling sweep reads only the unsettled rows, oldest window first.
            models.Index(
                fields=["window_ends_at"],
                condition=Q(settled_at__isnull=True),
                name="knowledge_view_unsettled",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.article_id} from {self.service_id}"


class Deflection(models.Model):
    """A request not filed because an article helped: at most one per person, article,
    service and (UTC) day."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="deflections")
    day = models.DateField()
    viewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "article", "service", "day"],
                name="knowledge_deflection_once_a_day",
            )
        ]
        indexes = [models.Index(fields=["service", "day"])]

    def __str__(self) -> str:
        return f"{self.service_id} spared on {self.day} by {self.article_id}"
