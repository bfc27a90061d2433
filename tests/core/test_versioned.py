"""A process cache is rebuilt exactly when its version row moved."""

import pytest

from inhouse.core.models import CacheVersion
from inhouse.core.versioned import VersionedCache, bump, current_version, one_read_per_scope

pytestmark = pytest.mark.django_db


def test_a_cache_is_built_once_while_its_version_stands_still():
    builds = []
    cache = VersionedCache("test-still", lambda: builds.append(1) or len(builds))

    assert cache.get() == 1
    assert cache.get() == 1
    assert builds == [1]


def test_a_bump_makes_the_next_get_rebuild():
    builds = []
    cache = VersionedCache("test-bump", lambda: builds.append(1) or len(builds))
    cache.get()

    bump("test-bump")

    assert cache.get() == 2
    assert current_version("test-bump") == 1


def test_bump_creates_the_row_then_counts_up():
    bump("test-count")
    bump("test-count")

    assert CacheVersion.objects.get(name="test-count").version == 2


def test_a_cache_of_another_process_sees_the_bump_through_the_row():
    """Two caches of one name stand for two processes: each revalidates on its own."""
    first = VersionedCache("test-shared", lambda: object())
    second = VersionedCache("test-shared", lambda: object())
    before_first, before_second = first.get(), second.get()

    bump("test-shared")

    assert first.get() is not before_first
    assert second.get() is not before_second


def test_get_reads_one_row(django_assert_num_queries):
    cache = VersionedCache("test-queries", lambda: "built")
    cache.get()

    with django_assert_num_queries(1):
        assert cache.get() == "built"


def test_within_one_scope_the_row_is_read_once(django_assert_num_queries):
    cache = VersionedCache("test-scope", lambda: "built")
    cache.get()

    with one_read_per_scope(), django_assert_num_queries(1):
        cache.get()
        cache.get()
        cache.get()


def test_a_bump_inside_the_scope_is_seen_by_the_same_scope():
    builds = []
    cache = VersionedCache("test-scope-bump", lambda: builds.append(1) or len(builds))

    with one_read_per_scope():
        assert cache.get() == 1
        bump("test-scope-bump")
        assert cache.get() == 2
