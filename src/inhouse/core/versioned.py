"""Per-process caches that every process revalidates with one indexed read.

A ``VersionedCache`` holds whatever its ``build`` function returns, tagged with the
version of its ``CacheVersion`` row at build time. ``get()`` reads that row (one
primary-key SELECT) and rebuilds when it moved. Inside an HTTP request (see
``CacheScopeMiddleware``) the row is read once per request, however often the
cache is used. ``bump(name)`` moves it; callers
bump inside the transaction that makes the change, so the new version becomes
visible exactly when the change does.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Generic, TypeVar

from django.db.models import F

from inhouse.core.models import CacheVersion
from inhouse.core.prepared import PreparedQuery

T = TypeVar("T")

# The catalog snapshot (services, forms, agreements, targets, calendars, the team tree):
# named here because apps below the catalog (sla, org) bump it too.
CATALOG = "catalog"

_caches: list["VersionedCache[object]"] = []
# Versions already read in the current HTTP request, by cache name; None outside one.
_read_in_scope: ContextVar[dict[str, int] | None] = ContextVar("_read_in_scope", default=None)


@contextmanager
def one_read_per_scope() -> Iterator[None]:
    """Within the block, each cache's version row is read at most once."""
    token = _read_in_scope.set({})
    try:
        yield
    finally:
        _read_in_scope.reset(token)


# Read on every request that uses a cache: compiled once per process.
_version_of = PreparedQuery(
    lambda name: CacheVersion.objects.filter(name=name).order_by("name").values_list("version")[:1],
    name=str,
)


def current_version(name: str) -> int:
    scope = _read_in_scope.get()
    if scope is not None and name in scope:
        return scope[name]
    found = _version_of.rows(name=name)
    version = found[0][0] if found else None
    if scope is not None:
        scope[name] = version or 0
    return version or 0


def bump(name: str) -> None:
    """Tell every process that the cached picture ``name`` is out of date."""
    scope = _read_in_scope.get()
    if scope is not None:
        # This request reads its own change from here on.
        scope.pop(name, None)
    if not CacheVersion.objects.filter(name=name).update(version=F("version") + 1):
        _, created = CacheVersion.objects.get_or_create(name=name, defaults={"version": 1})
        if not created:
            CacheVersion.objects.filter(name=name).update(version=F("version") + 1)


class VersionedCache(Generic[T]):
    def __init__(self, name: str, build: Callable[[], T]) -> None:
        self.name = name
        self._build = build
        self._lock = threading.Lock()
        self._value: T | None = None
        self._version: int | None = None
        _caches.append(self)  # type: ignore[arg-type]

    def get(self) -> T:
        version = current_version(self.name)
        value = self._value
        if value is not None and version == self._version:
            return value
        with self._lock:
            # The version is read before the data: a change committed while building
            # shows up as a newer version on the next call, never as a stale picture.
            built = self._build()
            self._value, self._version = built, version
            return built

    def forget(self) -> None:
        with self._lock:
            self._value, self._version = None, None


def forget_all() -> None:
    """Drop every process cache (tests roll back and reuse version numbers)."""
    for cache in _caches:
        cache.forget()
