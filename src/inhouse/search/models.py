"""The search index: one row per thing that can be found, and the change log the
services write to.

These models import nothing of the domain, so any app's services may record a change
(``inhouse.search.changes``) without depending on what reads the index.

The words themselves are indexed by the database: on SQLite an FTS5 table
(``search_fts``, porter stemming) kept in step with ``search_document`` by triggers;
on PostgreSQL a generated ``tsvector`` column (``search_vector``, english config) with a
GIN index. Both are created by migration 0001 for the database it runs on.
"""

from django.db import models
from django.utils import timezone


class Document(models.Model):
    """One findable thing, with the fields its kind's permission filter needs.

    The scope columns are copied from the thing (for a comment, from its request) so a
    search filters in the same statement that matches, instead of joining each hit back
    to its table. Changing what they depend on (a transfer, a confidential flag) records
    the change, and the index copies them again.
    """

    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    # Where the result links to, as the kind's own page addresses it.
    url = models.CharField(max_length=300)
    # Scope: which team holds it, on whose behalf, by whom, and how restricted.
    team_id = models.BigIntegerField(null=True)
    customer_team_id = models.BigIntegerField(null=True)
    person_id = models.BigIntegerField(null=True)
    request_id = models.BigIntegerField(null=True)
    confidential = models.BooleanField(default=False)
    internal = models.BooleanField(default=False)
    indexed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique")
        ]
        indexes = [models.Index(fields=["request_id"], name="search_doc_request")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"


class IndexedVersion(models.Model):
    """For a kind indexed whole whenever a versioned cache moves (services and teams follow
    the catalog's ``CacheVersion``), the version its documents were built from."""

    kind = models.CharField(max_length=20, primary_key=True)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.kind} at {self.version}"


class PendingChange(models.Model):
    """A thing that changed and is not yet indexed again: written in the same transaction
    as the change (so a rolled-back change leaves none, and a committed one is never
    lost), read and removed by ``inhouse.search.index.apply_pending``."""

    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
