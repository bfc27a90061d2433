"""GET /api/v1/search: strict parameters, one error shape, pages by cursor."""

from inhouse.desk.services import submit_request
from tests.conftest import client_for
from tests.desk.test_api import bearer


def test_results_with_snippets_counts_and_a_cursor(cast):
    for number in range(3):
        submit_request(
            actor=cast.rita, service=cast.printer, subject=f"Stapler {number}",
            description="the stapler is jammed",
        )  # fmt: skip
    rita = bearer(cast.rita)

    first = rita.get("/api/v1/search", {"q": "staplers", "kind": "request", "limit": 2}).json()

    assert [hit["kind"] for hit in first["results"]] == ["request", "request"]
    assert "<mark>stapler</mark>" in first["results"][0]["snippet_html"]
    assert first["counts"] == [{"kind": "request", "count": 3, "capped": False}]
    second = rita.get(
        "/api/v1/search",
        {"q": "staplers", "kind": "request", "limit": 2, "cursor": first["next_cursor"]},
    ).json()
    assert len(second["results"]) == 1 and second["next_cursor"] is None
    ids = {hit["id"] for hit in first["results"] + second["results"]}
    assert len(ids) == 3


def test_bad_input_is_a_400_in_the_one_shape(cast):
    rita = bearer(cast.rita)

    for params, field in (
        ({"q": "x", "colour": "red"}, "colour"),
        ({"q": "x" * 201}, "q"),
        ({"q": "x", "kind": "secrets"}, "kind"),
        ({"q": "x", "cursor": "!!"}, "cursor"),
        ({"q": "x", "limit": 0}, "limit"),
        ({}, "q"),
    ):
        response = rita.get("/api/v1/search", params)
        assert response.status_code == 400, (params, response.content)
        assert field in response.json()["error"]["fields"], params


def test_syntax_characters_are_never_a_500(cast):
    rita = bearer(cast.rita)
    for text in ['"', "a AND", "NEAR(", "*", "x:*"]:
        assert rita.get("/api/v1/search", {"q": text}).status_code == 200


def test_strangers_get_401(cast):
    from django.test import Client

    assert Client().get("/api/v1/search", {"q": "x"}).status_code == 401


def test_the_results_page_works_without_javascript_and_as_a_fragment(cast):
    submit_request(actor=cast.rita, service=cast.printer, subject="Stapler empty")
    browser = client_for(cast.rita)

    page = browser.get("/search/", {"q": "staplers"}).content.decode()
    fragment = browser.get("/search/", {"q": "staplers"}, HTTP_HX_REQUEST="true").content.decode()

    assert '<form method="get" action="/search/"' in page
    assert "<mark>Stapler</mark>" in page
    assert "<mark>Stapler</mark>" in fragment and "<form" not in fragment
    assert browser.get("/search/", {"q": "x", "kind": "secrets"}).status_code == 400


def test_the_home_search_finds_services_by_plural_and_choice(cast):
    browser = client_for(cast.rita)

    assert ">Software access</a>" in browser.get("/", {"q": "figma"}).content.decode()
    assert ">Printer configuration</a>" in browser.get("/", {"q": "printers"}).content.decode()
