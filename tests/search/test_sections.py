"""The results page's sections: each kind's count and best hits from one statement,
the same as a search of that kind alone and its count would give."""

import pytest

from inhouse import policy
from inhouse.desk.services import add_comment, submit_request
from inhouse.search import selectors
from inhouse.search.selectors import counts, search, search_and_count, sections
from tests.conftest import client_for


@pytest.fixture
def staplers(cast):
    """Seven requests about staplers, two of them with a comment saying so, and a
    request of another team that rita cannot see."""
    filed = [
        submit_request(
            actor=cast.rita,
            service=cast.printer,
            subject=f"Stapler {number}",
            description="the stapler is jammed" if number % 2 else "it jams",
        )  # fmt: skip
        for number in range(7)
    ]
    for request in filed[:2]:
        add_comment(actor=cast.alex, request=request, body="A new stapler is on its way.")
    submit_request(
        actor=cast.carl, service=cast.mediation, subject="Stapler dispute",
        form_answers={"summary": "Who took the stapler."},
    )  # fmt: skip
    return filed


def test_each_section_is_the_kinds_own_search_and_count(cast, staplers):
    rita = policy.viewer_for(cast.rita)

    found = sections(rita, "staplers", per_kind=5)

    assert [section.count.kind for section in found] == ["request", "comment"]
    for section in found:
        alone = search(rita, "staplers", kinds=[section.count.kind], limit=5).hits
        assert section.hits == alone
    assert [section.count for section in found] == counts(rita, "staplers")
    assert [(s.count.count, s.count.capped, len(s.hits)) for s in found] == [
        (7, False, 5),
        (2, False, 2),
    ]


def test_the_apis_page_and_counts_are_the_search_and_the_counts(cast, staplers):
    rita = policy.viewer_for(cast.rita)

    # Nine matches (seven requests, two comments) in pages of three, and past the last.
    for offset in (0, 3, 6, 9):
        results, counted = search_and_count(rita, "staplers", limit=3, offset=offset)
        assert results == search(rita, "staplers", limit=3, offset=offset)
        assert counted == counts(rita, "staplers")
    results, counted = search_and_count(rita, "staplers", kinds=["comment"], limit=3)
    assert results == search(rita, "staplers", kinds=["comment"], limit=3)
    assert [(c.kind, c.count) for c in counted] == [("comment", 2)]
    assert search_and_count(cast.otto, "staplers")[1] == []


def test_one_kind_asked_for_is_the_only_section(cast, staplers):
    found = sections(cast.rita, "staplers", kinds=["comment"], per_kind=20)

    assert [(s.count.kind, s.count.count, len(s.hits)) for s in found] == [("comment", 2, 2)]


def test_counts_past_the_cap_say_so(cast, staplers, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    rita = policy.viewer_for(cast.rita)

    assert [(c.kind, c.count, c.capped) for c in counts(rita, "staplers")] == [
        ("request", 5, True),
        ("comment", 2, False),
    ]
    assert [(s.count.count, s.count.capped) for s in sections(rita, "staplers", per_kind=5)] == [
        (5, True),
        (2, False),
    ]
    page = client_for(cast.rita).get("/search/", {"q": "staplers"}).content.decode()
    assert 'id="found-request">Requests <span class="count">(5+)</span>' in page
    assert 'href="/search/?q=staplers&amp;kind=request">See all</a>' in page
    assert 'id="found-comment">Comments <span class="count">(2)</span>' in page


def test_words_of_no_kind_the_viewer_may_see_give_no_section(cast, staplers):
    assert sections(cast.otto, "staplers", per_kind=5) == []
    assert sections(cast.rita, "dispute", per_kind=5) == []
    assert sections(cast.rita, "  ", per_kind=5) == []
