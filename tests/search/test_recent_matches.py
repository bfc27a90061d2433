"""Very common words: requests and comments are searched among the query's most recent
matches, every other kind whole, and the counts say when there may be more."""

import importlib

import pytest
from django.core.management import call_command

from inhouse import policy
from inhouse.desk.services import add_comment, submit_request
from inhouse.knowledge.services.articles import create_article
from inhouse.search import backends, index
from inhouse.search.models import Document
from inhouse.search.registry import KINDS, KINDS_THAT_GROW
from inhouse.search.selectors import counts, search, search_and_count, sections


@pytest.fixture
def window_of_three(monkeypatch):
    monkeypatch.setattr(backends, "RECENT_MATCHES", 3)


@pytest.fixture
def five_kettles(cast):
    """An article about kettles, then five requests about them, the oldest first; only
    the oldest also names the descaler."""
    article = create_article(
        actor=cast.ivy, team=cast.service_desk, title="Kettle care", body="Descale the kettle.",
        services=[], publish=True,
    )  # fmt: skip
    subjects = ["Kettle descaler missing", *(f"Kettle broken on floor {n}" for n in range(4))]
    requests = [
        submit_request(actor=cast.rita, service=cast.printer, subject=subject)
        for subject in subjects
    ]
    return article, requests


def _refs(hits):
    return [hit.title.split()[0] for hit in hits if hit.kind == "request"]


def test_a_common_word_finds_its_most_recent_requests_only(cast, window_of_three, five_kettles):
    _, requests = five_kettles
    rita = policy.viewer_for(cast.rita)

    found = _refs(search(rita, "kettle", kinds=["request"]).hits)

    assert sorted(found) == sorted(request.reference for request in requests[-3:])


def test_a_narrower_query_reaches_the_older_ones(cast, window_of_three, five_kettles):
    _, requests = five_kettles
    rita = policy.viewer_for(cast.rita)

    assert _refs(search(rita, "kettle descaler").hits) == [requests[0].reference]


def test_the_other_kinds_are_searched_whole(cast, window_of_three, five_kettles):
    article, _ = five_kettles
    rita = policy.viewer_for(cast.rita)

    # The article is older than every request, and still found.
    hits = search(rita, "kettle").hits
    assert [hit.object_id for hit in hits if hit.kind == "article"] == [article.pk]


def test_the_counts_say_there_may_be_more(cast, window_of_three, five_kettles):
    rita = policy.viewer_for(cast.rita)

    counted = {count.kind: count for count in counts(rita, "kettle")}
    assert (counted["request"].count, counted["request"].capped) == (3, True)
    assert (counted["article"].count, counted["article"].capped) == (1, False)

    _, api_counts = search_and_count(rita, "kettle")
    assert {count.kind: (count.count, count.capped) for count in api_counts} == {
        "request": (3, True),
        "article": (1, False),
    }
    page = {section.count.kind: section.count for section in sections(rita, "kettle", per_kind=5)}
    assert (page["request"].count, page["request"].capped) == (3, True)


def test_a_query_within_the_window_is_counted_exactly(cast, window_of_three, five_kettles):
    rita = policy.viewer_for(cast.rita)

    counted = {count.kind: count for count in counts(rita, "kettle broken floor 2")}
    assert (counted["request"].count, counted["request"].capped) == (1, False)


def test_the_window_is_of_matches_not_of_what_the_searcher_may_see(cast, window_of_three):
    """Hidden matches take their place in the window too: what one person finds never
    depends on what another may see, and is never more than the window."""
    mine = submit_request(actor=cast.rita, service=cast.printer, subject="Kettle leaking")
    for n in range(3):
        submit_request(actor=cast.otto, service=cast.printer, subject=f"Kettle {n}")
    rita = policy.viewer_for(cast.rita)

    assert _refs(search(rita, "kettle").hits) == []
    assert _refs(search(rita, "kettle leaking").hits) == [mine.reference]


def test_a_kind_name_typed_is_only_a_word(cast):
    """The index holds each document's kind; a search for the word "comment" or "team"
    finds what holds it, not every comment or team."""
    request = submit_request(actor=cast.rita, service=cast.printer, subject="Toner")
    add_comment(actor=cast.rita, request=request, body="Any news?")
    rita = policy.viewer_for(cast.rita)

    assert search(rita, "comment", kinds=["comment"]).hits == []
    assert search(rita, "request", kinds=["request"]).hits == []


def test_reindex_writes_the_comments_of_each_chunk_of_requests_right_after_it(cast, monkeypatch):
    monkeypatch.setattr(index, "BATCH", 1)
    first = submit_request(actor=cast.rita, service=cast.printer, subject="First")
    second = submit_request(actor=cast.rita, service=cast.printer, subject="Second")
    comment = add_comment(actor=cast.rita, request=first, body="About the first")

    call_command("reindex", verbosity=0)

    order = list(
        Document.objects.filter(kind__in=KINDS_THAT_GROW)
        .order_by("pk")
        .values_list("kind", "object_id")
    )
    assert order.index(("request", first.pk)) < order.index(("comment", comment.pk))
    assert order.index(("comment", comment.pk)) < order.index(("request", second.pk))
    assert Document.objects.filter(kind="comment").count() == 1


def test_the_index_of_the_small_kinds_names_the_growing_ones():
    migration = importlib.import_module("inhouse.search.migrations.0002_index_by_kind")

    assert migration.GROWING == KINDS_THAT_GROW
    assert set(KINDS_THAT_GROW) <= set(KINDS)
