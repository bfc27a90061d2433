"""Articles and ideas in the index follow the knowledge services: publishing adds an
article, unpublishing and editing change it, an idea's comments and status reason join
its words; `inhouse reindex --kind article|idea` rebuilds them; the pages and the API
show them in sections of their own."""

import pytest
from django.core.management import call_command

from inhouse import policy
from inhouse.knowledge.services.articles import (
    create_article,
    publish_article,
    restore_revision,
    unpublish_article,
    update_article,
)
from inhouse.knowledge.services.ideas import comment_on_idea, propose_idea, set_idea_status
from inhouse.search.models import Document
from inhouse.search.selectors import search
from tests.conftest import client_for
from tests.factories import make_person


def _found(person, text, kind):
    return [hit.object_id for hit in search(policy.viewer_for(person), text, kinds=[kind]).hits]


def _article(cast, **fields):
    defaults = {"title": "Resetting a frozen laptop", "body": "Hold the *power* button.",
                "services": [cast.software_access], "publish": True}  # fmt: skip
    return create_article(actor=cast.alex, team=cast.service_desk, **{**defaults, **fields})


def test_an_article_is_found_from_publishing_until_unpublishing(cast):
    article = _article(cast, publish=False)
    assert _found(cast.rita, "laptops", "article") == []

    publish_article(actor=cast.alex, article=article)
    assert _found(cast.rita, "laptops", "article") == [article.pk]

    unpublish_article(actor=cast.alex, article=article)
    assert _found(cast.rita, "laptops", "article") == []
    assert not Document.objects.filter(kind="article").exists()


def test_an_edit_and_a_restore_change_the_words_found(cast):
    article = _article(cast)
    update_article(actor=cast.alex, article=article, body="Call the *snowmobile* line.")
    assert _found(cast.rita, "power", "article") == []
    assert _found(cast.rita, "snowmobile", "article") == [article.pk]

    restore_revision(actor=cast.alex, article=article, number=1)
    assert _found(cast.rita, "power", "article") == [article.pk]
    assert _found(cast.rita, "snowmobile", "article") == []


def test_the_body_is_indexed_as_text_without_its_markup(cast):
    article = _article(cast, body="See [the **guide**](https://example.com/x) & `code`")
    assert _found(cast.rita, "guide", "article") == [article.pk]

    document = Document.objects.get(kind="article")
    assert "**" not in document.body and "](" not in document.body
    assert document.body.startswith("See the guide & code")
    # The services it is linked to are among its words.
    assert "Software access" in document.body


def test_an_idea_is_found_by_its_comments_and_status_reason_but_not_its_status(cast):
    idea = propose_idea(
        actor=cast.rita, title="Quiet hours", body="No meetings before ten",
        owning_team=cast.people_partners,
    )  # fmt: skip
    comment_on_idea(actor=cast.carl, idea=idea, body="Fridays too, for **focus**")
    assert _found(cast.otto, "fridays", "idea") == [idea.pk]

    lead = make_person("pia", team=cast.people_partners, role="lead")
    set_idea_status(actor=lead, idea=idea, status="planned", reason="Trial in spring")
    assert _found(cast.otto, "spring trial", "idea") == [idea.pk]
    assert _found(cast.otto, "planned", "idea") == []


@pytest.mark.parametrize("kind", ["article", "idea"])
def test_reindex_of_one_kind_rebuilds_it(cast, kind):
    article = _article(cast)
    idea = propose_idea(actor=cast.rita, title="Laptop swap day", body="", owning_team=None)
    search(cast.rita, "laptop")
    Document.objects.filter(kind=kind).delete()

    call_command("reindex", kind=[kind], verbosity=0)

    expected = {"article": article.pk, "idea": idea.pk}[kind]
    assert _found(cast.rita, "laptop", kind) == [expected]


def test_the_results_page_and_the_api_have_sections_for_articles_and_ideas(cast):
    article = _article(cast)
    idea = propose_idea(actor=cast.rita, title="Laptop library", body="", owning_team=None)

    page = client_for(cast.rita).get("/search/?q=laptop")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="found-article">Articles <span class="count">(1)' in html
    assert f'href="/kb/{article.slug}/"' in html
    assert 'id="found-idea">Ideas <span class="count">(1)' in html
    assert f'href="/ideas/{idea.pk}/"' in html

    answer = client_for(cast.rita).get("/api/v1/search?q=laptop&kind=article&kind=idea")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert {(r["kind"], r["id"], r["url"]) for r in body["results"]} == {
        ("article", article.pk, f"/kb/{article.slug}/"),
        ("idea", idea.pk, f"/ideas/{idea.pk}/"),
    }
    assert {c["kind"]: c["count"] for c in body["counts"]} == {"article": 1, "idea": 1}


def test_the_home_search_suggests_articles_next_to_services(cast):
    article = _article(cast)

    plain = client_for(cast.rita).get("/?q=frozen+laptop")
    typed = client_for(cast.rita).get("/?q=frozen", headers={"HX-Request": "true"})

    for page in (plain, typed):
        assert page.status_code == 200
        assert f'href="/kb/{article.slug}/"' in page.content.decode()
    # Nothing to suggest when the page is not searched.
    assert f"/kb/{article.slug}/" not in client_for(cast.rita).get("/").content.decode()
