"""Keeping the index current: the recorded changes applied, and the whole rebuilt.

The services record what changed (``changes.changed``) in their own transaction; the
changes are applied before every search (``apply_pending``), so a search always sees
what was committed before it started, and by ``inhouse reindex``. Applying a change
reads the thing as it is now, so applying one twice (two searches at once) is harmless.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from itertools import islice

from django.db import connection, transaction

from inhouse.core.versioned import current_version
from inhouse.search import kinds as _registered_kinds  # noqa: F401 (registers the kinds)
from inhouse.search.models import Document, IndexedVersion, PendingChange
from inhouse.search.registry import KINDS, IndexRow

logger = logging.getLogger("inhouse.search")

BATCH = 1000
# Changes applied by one search at most; a larger backlog (a bulk import) waits for the
# next searches or the reindex instead of holding one person's search up.
PENDING_PER_SEARCH = 2000


def refresh(kind_name: str, object_ids: Sequence[int]) -> int:
    """Index these things of a kind again, from their rows as they are now; returns how
    many documents were written. Things gone (or no longer findable) leave the index."""
    kind = KINDS.get(kind_name)
    if kind is None:
        logger.warning("search: change of unknown kind %r ignored", kind_name)
        return 0
    ids = sorted(set(object_ids))
    if not ids:
        return 0
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            rows = _in_order(kind.rows(chunk))
            Document.objects.filter(kind=kind_name, object_id__in=chunk).delete()
            Document.objects.bulk_create([_document(kind_name, row) for row in rows])
            written += len(rows)
        if kind.dependents is not None:
            for dependent, dependent_ids in kind.dependents(ids).items():
                written += refresh(dependent, dependent_ids)
    return written


def _in_order(rows: Iterable[IndexRow]) -> list[IndexRow]:
    """Oldest first, so documents are numbered in the order of the things: a search
    among a query's most recent matches takes the highest numbers."""
    return sorted(rows, key=lambda row: row.object_id)


def _document(kind_name: str, row: IndexRow) -> Document:
    return Document(
        kind=kind_name,
        object_id=row.object_id,
        title=row.title[:300],
        body=row.body,
        url=row.url[:300],
        team_id=row.team_id,
        customer_team_id=row.customer_team_id,
        person_id=row.person_id,
        request_id=row.request_id,
        confidential=row.confidential,
        internal=row.internal,
    )


def apply_pending(*, limit: int = PENDING_PER_SEARCH) -> int:
    """Index again what changed; returns how many recorded changes were applied.

    Kinds that follow a versioned cache are indexed whole when it moved; then the
    changes the services recorded. Two cheap reads when nothing changed, as is usual.
    Only the changes read here are removed: one recorded meanwhile stays for the next.
    """
    _follow_versions()
    pending = list(
        PendingChange.objects.order_by("pk").values_list("pk", "kind", "object_id")[:limit]
    )
    if not pending:
        return 0
    by_kind: dict[str, set[int]] = defaultdict(set)
    for _, kind, object_id in pending:
        by_kind[kind].add(object_id)
    with transaction.atomic():
        for kind, object_ids in by_kind.items():
            refresh(kind, sorted(object_ids))
        PendingChange.objects.filter(pk__in=[pk for pk, _, _ in pending]).delete()
    return len(pending)


def _follow_versions() -> None:
    followed = {kind.name: kind.follows_version for kind in KINDS.values() if kind.follows_version}
    if not followed:
        return
    indexed = dict(IndexedVersion.objects.values_list("kind", "version"))
    # Read before indexing: a change made meanwhile moves it again for the next search.
    versions = {cache: current_version(cache) for cache in set(followed.values())}
    for name, cache in followed.items():
        version = versions[cache]
        if indexed.get(name) != version:
            with transaction.atomic():
                refresh(name, list(KINDS[name].all_ids()) + _indexed_ids(name))
                IndexedVersion.objects.update_or_create(kind=name, defaults={"version": version})


def _indexed_ids(kind_name: str) -> list[int]:
    """What the index holds of a kind, so things gone from the tables leave it too."""
    return list(Document.objects.filter(kind=kind_name).values_list("object_id", flat=True))


Progress = Callable[[str, int, int], None]


def _chunks(ids: Iterable[int], size: int) -> Iterable[list[int]]:
    iterator = iter(ids)
    while chunk := list(islice(iterator, size)):
        yield chunk


def reindex(*, kinds: Sequence[str] | None = None, progress: Progress | None = None) -> int:
    """Rebuild the index of these kinds (all by default) from the tables; returns the
    documents written. Changes recorded before it started are covered by it.

    A kind's dependents being rebuilt too (a request's comments) are written right after
    each chunk of it, as a change to it writes them: documents then follow one another
    in the order of the work, and a very common word, searched among its most recent
    matches (``RECENT_MATCHES``), finds the newest requests and comments alike instead
    of whichever kind was written last."""
    names = list(kinds or KINDS)
    unknown = sorted(set(names) - set(KINDS))
    if unknown:
        raise ValueError(f"unknown search kinds: {', '.join(unknown)}")
    PendingChange.objects.filter(kind__in=names).delete()
    totals = {name: KINDS[name].all_ids().count() for name in names}
    done: dict[str, int] = dict.fromkeys(names, 0)
    # The kinds a parent's pass has written some of: only their own pass must skip those.
    written_with_parent: set[str] = set()

    def write(name: str, ids: Sequence[int]) -> int:
        documents = [_document(name, row) for row in _in_order(KINDS[name].rows(ids))]
        with transaction.atomic():
            Document.objects.bulk_create(documents)
        done[name] += len(ids)
        if progress is not None:
            progress(name, done[name], totals[name])
        return len(documents)

    for name in names:
        kind = KINDS[name]
        if kind.follows_version:
            version = current_version(kind.follows_version)
            IndexedVersion.objects.update_or_create(kind=name, defaults={"version": version})
        Document.objects.filter(kind=name).delete()
    written = 0
    # Kinds with dependents first, so their dependents come with them.
    for name in sorted(names, key=lambda name: KINDS[name].dependents is None):
        kind = KINDS[name]
        for chunk in _chunks(kind.all_ids().iterator(chunk_size=BATCH), BATCH):
            if missing := _not_yet_written(name, chunk, written_with_parent):
                written += write(name, missing)
            if kind.dependents is None:
                continue
            for dependent, dependent_ids in kind.dependents(chunk).items():
                if dependent in done and dependent_ids:
                    written += write(dependent, dependent_ids)
                    written_with_parent.add(dependent)
        if progress is not None and totals[name] == 0:
            progress(name, 0, 0)
    _optimize()
    return written


def _not_yet_written(name: str, ids: list[int], written_with_parent: set[str]) -> list[int]:
    """Those of ``ids`` without a document, when a parent's pass wrote some of the kind
    (its documents were all removed before the passes began, so otherwise none has)."""
    if name not in written_with_parent:
        return ids
    have = set(
        Document.objects.filter(kind=name, object_id__in=ids).values_list("object_id", flat=True)
    )
    return [pk for pk in ids if pk not in have]


def _optimize() -> None:
    """Merge FTS5's index segments after a bulk load, so searches read one b-tree."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
