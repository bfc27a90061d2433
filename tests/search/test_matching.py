"""What the search finds: stemmed words, phrases, prefixes, services by their forms and
keywords, ranked with marked snippets; and no input breaks it."""

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inhouse import policy
from inhouse.catalog.services import ServiceDetails, update_service
from inhouse.core.errors import InvalidInput
from inhouse.desk.services import submit_request
from inhouse.search.query import parse
from inhouse.search.selectors import search


def _found(viewer, text, kind=None):
    return [hit.title for hit in search(viewer, text, kinds=[kind] if kind else None).hits]


@pytest.fixture
def laptops(cast):
    submit_request(actor=cast.rita, service=cast.printer, subject="New laptop for the intern")
    submit_request(
        actor=cast.rita,
        service=cast.printer,
        subject="Docking station",
        description="The laptop bag is torn and the printer is slow",
    )
    submit_request(actor=cast.rita, service=cast.cleaning, subject="Lapsed cleaning rota")
    return policy.viewer_for(cast.rita)


def test_a_plural_finds_the_singular(laptops):
    assert sorted(_found(laptops, "laptops", "request")) == [
        "IT-1000 New laptop for the intern",
        "IT-1001 Docking station",
    ]


def test_a_match_in_the_subject_ranks_above_one_in_the_description(laptops):
    assert _found(laptops, "laptop", "request")[0] == "IT-1000 New laptop for the intern"


def test_a_phrase_needs_its_words_together(laptops):
    assert _found(laptops, '"laptop bag"', "request") == ["IT-1001 Docking station"]
    assert _found(laptops, '"bag laptop"', "request") == []


def test_a_prefix_finds_every_word_it_starts(laptops):
    assert sorted(_found(laptops, "lap*", "request")) == [
        "FAC-1000 Lapsed cleaning rota",
        "IT-1000 New laptop for the intern",
        "IT-1001 Docking station",
    ]


def test_all_words_must_match(laptops):
    assert _found(laptops, "laptop printer", "request") == ["IT-1001 Docking station"]


def test_snippets_mark_the_match_and_escape_the_text(cast):
    submit_request(
        actor=cast.rita, service=cast.printer, subject="<b>Broken</b> toner",
        description="<script>alert(1)</script> the toner is empty",
    )  # fmt: skip
    hit = search(policy.viewer_for(cast.rita), "toner", kinds=["request"]).hits[0]

    assert hit.title_html == "IT-1000 &lt;b&gt;Broken&lt;/b&gt; <mark>toner</mark>"
    assert hit.title == "IT-1000 <b>Broken</b> toner"
    assert "<mark>toner</mark>" in hit.snippet_html
    assert "<script>" not in hit.snippet_html
    assert "<mark>" not in hit.snippet


def test_a_service_is_found_by_a_plural_and_by_a_form_choice(cast):
    rita = policy.viewer_for(cast.rita)

    assert _found(rita, "figma", "service") == ["Software access"]
    assert _found(rita, "printers", "service") == ["Printer configuration"]


def test_keywords_a_lead_adds_are_found_at_once(cast):
    rita = policy.viewer_for(cast.rita)
    assert _found(rita, "toner", "service") == []

    update_service(
        actor=cast.lena,
        service=cast.printer,
        details=ServiceDetails(name="Printer configuration", slug="printer",
                               keywords="toner, cartridge", priority_from="requester"),
    )  # fmt: skip

    assert _found(rita, "cartridges", "service") == ["Printer configuration"]


def test_people_and_teams_are_found_once_indexed(cast):
    call_command("reindex", verbosity=0)
    rita = policy.viewer_for(cast.otto)

    assert _found(rita, "partners", "team") == ["People Partners"]
    assert "Rita" in " ".join(_found(rita, "rita", "person"))


@pytest.mark.parametrize(
    "text", ['"', "*", "AND", "NOT OR", "NEAR(a b)", 'a" OR "b', "^x", "col:word", "'", "&|!:*"]
)
def test_syntax_in_the_input_is_only_words(cast, text):
    search(policy.viewer_for(cast.rita), text)


def test_a_query_of_no_words_finds_nothing(cast):
    assert search(policy.viewer_for(cast.rita), " -- !! ").hits == []


def test_a_too_long_query_is_refused(cast):
    with pytest.raises(InvalidInput):
        search(policy.viewer_for(cast.rita), "x" * 201)


def test_an_unknown_kind_is_refused(cast):
    with pytest.raises(InvalidInput) as refused:
        search(policy.viewer_for(cast.rita), "x", kinds=["secrets"])
    assert refused.value.fields == {"kind": "Not a kind of search result."}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=60))
def test_any_text_searches_without_error(cast, text):
    search(policy.viewer_for(cast.ada), text)


@given(text=st.text(max_size=80))
def test_every_parsed_term_is_plain_letters_and_digits(text):
    for term in parse(text).terms:
        assert all(word.isalnum() for word in term.words)
