"""The one hook the services call when something findable changed.

``changed("request", request.pk)`` records the change in the caller's transaction; the
search engine indexes it again before its next search (``index.apply_pending``) or on
``inhouse reindex``. This module imports only the search app's own models, never the
index or any door, so the domain depends on nothing more than one table: the coupling
runs one way, from ``inhouse.search.index`` to the domain.
"""

from collections.abc import Iterable

from inhouse.core.inserts import insert_rows
from inhouse.search.models import PendingChange


def changed(kind: str, object_id: int) -> None:
    """Record that the ``kind`` thing ``object_id`` was created, changed or removed."""
    insert_rows([PendingChange(kind=kind, object_id=object_id)])


def changed_many(kind: str, object_ids: Iterable[int]) -> None:
    """Record several changes of one kind in one statement (bulk actions, imports)."""
    PendingChange.objects.bulk_create(
        [PendingChange(kind=kind, object_id=object_id) for object_id in object_ids]
    )
