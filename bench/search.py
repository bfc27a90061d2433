"""Search latency: p50/p99 with the permission filter on, for common words, rare words
and phrases (of the requests' subjects) and article words (of the published articles'
titles), as a requester and as an agent. `run.py` starts it per size; with
``--prepare`` it only builds the index (`inhouse reindex`) of the pristine database,
once, so a run measures a copy that already holds it.

Three figures per group: the search selector in process (the engine, the permission
filter, snippets and the pending-change check) with, apart, the per-kind counts a
results page shows (one statement over every kind); ``GET /api/v1/search`` (a page of
20 and the counts) and the ``/search/`` page (every kind's count and best hits, one
statement), both through Django's full request handling
in process (no network). Any answer but a 200 stops the bench with an error.
"""

import argparse
import json
import os
import re
import statistics
import time
from collections import Counter
from pathlib import Path

from measure import AGENT, REQUESTER, say, setup_django

SAMPLE_SUBJECTS = 5000
QUERIES_PER_GROUP = 5


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def ensure_index() -> None:
    """Index the database when its requests or published articles are not all indexed
    (a new or grown one); only the articles when only they are missing."""
    from django.core.management import call_command

    from inhouse.desk.models import Request
    from inhouse.knowledge.models import Article, ArticleStatus
    from inhouse.search.index import apply_pending
    from inhouse.search.models import Document

    call_command("migrate", verbosity=0)
    # What the timed submits and comments recorded is applied as the search would,
    # so a working copy is not indexed again from scratch.
    while apply_pending(limit=5_000):
        pass
    indexed = Document.objects.filter(kind="request").count()
    have = Request.objects.count()
    articles = Article.objects.filter(status=ArticleStatus.PUBLISHED).count()
    if indexed != have:
        say(f"  indexing {have:,} requests for search (was {indexed:,})")
        call_command("reindex")
        _vacuum_index()
    elif _comments_written_after_every_request():
        say(f"  indexing {have:,} requests again, each chunk's comments right after it")
        call_command("reindex")
        _vacuum_index()
    elif Document.objects.filter(kind="article").count() != articles:
        say(f"  indexing {articles:,} published articles for search")
        call_command("reindex", kind=["article"])
        _vacuum_index()
    say(f"  search index holds all {have:,} requests and {articles:,} published articles")


def _vacuum_index() -> None:
    """On PostgreSQL, the freshly written index's statistics and visibility map, as a
    database that has lived with it would have; otherwise the figures depend on whether
    autovacuum has passed yet (docs/search.md)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE search_document")


def _comments_written_after_every_request() -> bool:
    """An index built before `reindex` wrote comments right after their requests holds
    every comment after the last request, and a very common word's most recent matches
    would be comments only."""
    from django.db.models import Max, Min

    from inhouse.search.models import Document

    newest_request = Document.objects.filter(kind="request").aggregate(Max("pk"))["pk__max"]
    oldest_comment = Document.objects.filter(kind="comment").aggregate(Min("pk"))["pk__min"]
    return None not in (newest_request, oldest_comment) and newest_request < oldest_comment


def query_groups() -> dict[str, list[str]]:
    """Words from the requests themselves, chosen the same way every run: the most
    frequent subject words, words seen once, and two-word phrases of real subjects."""
    from inhouse.desk.models import Request

    subjects = list(
        Request.objects.order_by("pk").values_list("subject", flat=True)[:SAMPLE_SUBJECTS]
    )
    words = Counter(
        word for subject in subjects for word in re.findall(r"[a-z]{4,}", subject.lower())
    )
    common = [word for word, _ in words.most_common(QUERIES_PER_GROUP)]
    rare = sorted(word for word, count in words.items() if count == 1)[:QUERIES_PER_GROUP]
    phrases = []
    for subject in subjects[:: max(1, len(subjects) // QUERIES_PER_GROUP)]:
        found = re.findall(r"[A-Za-z]{3,}", subject)
        if len(found) >= 2:
            phrases.append(f'"{found[0]} {found[1]}"')
    return {
        "common": common,
        "rare": rare,
        "phrase": phrases[:QUERIES_PER_GROUP],
        "article": article_words(),
    }


def article_words() -> list[str]:
    """Words of the published articles' titles, the most frequent first, as a reader
    looking for help types them."""
    from inhouse.knowledge.models import Article, ArticleStatus

    titles = Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("pk")
    words = Counter(
        word
        for title in titles.values_list("title", flat=True)[:SAMPLE_SUBJECTS]
        for word in re.findall(r"[a-z]{5,}", title.lower())
    )
    return [word for word, _ in words.most_common(QUERIES_PER_GROUP)]


class Doors:
    """The API (a bearer token) and the page (a signed-in session) for each viewer."""

    def __init__(self, people: dict[str, object]) -> None:
        from django.test import Client

        if os.environ.get("INHOUSE_DATA_DIR"):
            # whitenoise, in the request handling timed here, wants its folder.
            (Path(os.environ["INHOUSE_DATA_DIR"]) / "static").mkdir(exist_ok=True)

        from inhouse.org.services import create_api_token

        self.api: dict[str, tuple[object, dict[str, str]]] = {}
        self.page: dict[str, object] = {}
        for role, person in people.items():
            token = create_api_token(person=person, name="search bench")
            self.api[role] = (Client(), {"Authorization": f"Bearer {token}"})
            browser = Client()
            browser.force_login(person.user)
            self.page[role] = browser

    def get(self, door: str, role: str, text: str) -> float:
        """Milliseconds one call took; anything but a 200 stops the bench."""
        if door == "api":
            client, headers = self.api[role]
            path, params = "/api/v1/search", {"q": text, "limit": 20}
        else:
            client, headers = self.page[role], {}
            path, params = "/search/", {"q": text}
        started = time.perf_counter()
        response = client.get(path, params, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(
                f"bench failed: GET {path}?q={text} as {role} answered {response.status_code}"
            )
        return elapsed


def measure(samples: int) -> dict[str, dict[str, float]]:
    from django.db import reset_queries

    from inhouse import policy
    from inhouse.org.models import Person
    from inhouse.search.selectors import counts, search

    people = {
        "requester": Person.objects.select_related("user").get(user__username=REQUESTER),
        "agent": Person.objects.select_related("user").get(user__username=AGENT),
    }
    viewers = {role: policy.viewer_for(person) for role, person in people.items()}
    doors = Doors(people)
    groups = query_groups()
    # Warm up: the first search applies what changed since the index was built, the
    # first call through each door loads its views and the viewer's session or token.
    search(viewers["agent"], groups["common"][0])
    for role in people:
        doors.get("api", role, groups["rare"][0])
        doors.get("page", role, groups["rare"][0])
    results: dict[str, dict[str, float]] = {}
    for group, texts in groups.items():
        for role, viewer in viewers.items():
            latencies = []
            found = 0
            for index in range(samples):
                text = texts[index % len(texts)]
                started = time.perf_counter()
                hits = search(viewer, text, limit=20).hits
                latencies.append((time.perf_counter() - started) * 1000)
                found += len(hits)
                reset_queries()
            # The per-kind counts, timed apart: one statement reading every match.
            count_latencies = []
            for index in range(max(10, samples // 5)):
                started = time.perf_counter()
                counts(viewer, texts[index % len(texts)])
                count_latencies.append((time.perf_counter() - started) * 1000)
            # The doors, fewer calls: the API is a search and the counts; the page, its
            # sections.
            door_calls = max(10, samples // 4)
            api = [doors.get("api", role, texts[i % len(texts)]) for i in range(door_calls)]
            page = [doors.get("page", role, texts[i % len(texts)]) for i in range(door_calls)]
            reset_queries()
            results[f"{group} words, {role}" if group != "phrase" else f"phrases, {role}"] = {
                "p50": statistics.median(latencies),
                "p99": p99(latencies),
                "counts_p50": statistics.median(count_latencies),
                "counts_p99": p99(count_latencies),
                "api_p50": statistics.median(api),
                "api_p99": p99(api),
                "page_p50": statistics.median(page),
                "page_p99": p99(page),
                "hits_per_search": found / samples,
                "calls": samples,
            }
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true", help="only build the index")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--out", type=Path)
    options = parser.parse_args()
    setup_django()
    ensure_index()
    if options.prepare:
        return
    results = measure(options.samples)
    for label, figures in results.items():
        say(
            f"search {label:<24} p50 {figures['p50']:6.1f} ms  p99 {figures['p99']:6.1f} ms   "
            f"counts p50 {figures['counts_p50']:6.1f} p99 {figures['counts_p99']:6.1f} ms  "
            f"API p50 {figures['api_p50']:6.1f} ms  p99 {figures['api_p99']:6.1f} ms  "
            f"page p50 {figures['page_p50']:6.1f} ms  p99 {figures['page_p99']:6.1f} ms  "
            f"({figures['hits_per_search']:.1f} hits a search)"
        )
    if options.out:
        from inhouse.knowledge.models import Article, ArticleStatus

        articles = Article.objects.filter(status=ArticleStatus.PUBLISHED).count()
        options.out.write_text(json.dumps({"published_articles": articles, **results}))


if __name__ == "__main__":
    main()
