"""Search latency: p50/p99 of one search with the permission filter on, for common
words, rare words and phrases, as a requester and as an agent. `run.py` starts it per
size; with ``--prepare`` it only builds the index (`inhouse reindex`) of the pristine
database, once, so a run measures a copy that already holds it.

Times the search selector in process (the engine, the permission filter, snippets and
the pending-change check), not HTTP: the page around it is the list floor's business.
"""

import argparse
import json
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
    """Index the database when its requests are not all indexed (a new or grown one)."""
    from django.core.management import call_command

    from inhouse.desk.models import Request
    from inhouse.search.models import Document

    call_command("migrate", verbosity=0)
    indexed = Document.objects.filter(kind="request").count()
    have = Request.objects.count()
    if indexed == have:
        say(f"  search index holds all {have:,} requests")
        return
    say(f"  indexing {have:,} requests for search (was {indexed:,})")
    call_command("reindex")


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
    return {"common": common, "rare": rare, "phrase": phrases[:QUERIES_PER_GROUP]}


def measure(samples: int) -> dict[str, dict[str, float]]:
    from django.db import reset_queries

    from inhouse import policy
    from inhouse.org.models import Person
    from inhouse.search.selectors import counts, search

    viewers = {
        "requester": policy.viewer_for(Person.objects.get(user__username=REQUESTER)),
        "agent": policy.viewer_for(Person.objects.get(user__username=AGENT)),
    }
    results: dict[str, dict[str, float]] = {}
    for group, texts in query_groups().items():
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
            # The section counts a results page shows, timed apart: they read every match.
            count_latencies = []
            for index in range(max(10, samples // 5)):
                started = time.perf_counter()
                counts(viewer, texts[index % len(texts)])
                count_latencies.append((time.perf_counter() - started) * 1000)
            results[f"{group} words, {role}" if group != "phrase" else f"phrases, {role}"] = {
                "p50": statistics.median(latencies),
                "p99": p99(latencies),
                "counts_p50": statistics.median(count_latencies),
                "counts_p99": p99(count_latencies),
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
            f"counts p50 {figures['counts_p50']:6.1f} ms  p99 {figures['counts_p99']:6.1f} ms  "
            f"({figures['hits_per_search']:.1f} hits a search)"
        )
    if options.out:
        options.out.write_text(json.dumps(results))


if __name__ == "__main__":
    main()
