"""The search never returns, counts or suggests what the policy hides: a confidential
request, a public comment on it and an internal note, each with a word of its own,
searched for by every member of the cast."""

import pytest

from inhouse import policy
from inhouse.desk.services import add_comment, submit_request
from inhouse.search.selectors import counts, search, search_and_count, sections

SECRET_WORDS = ("zanzibarquux", "xylophonegrault", "quokkaflimflam")


@pytest.fixture
def planted(cast):
    """rita files a confidential mediation; hana (People Partners) replies in public and
    leaves an internal note. Each text has its own unique word."""
    request = submit_request(
        actor=cast.rita,
        service=cast.mediation,
        subject=f"Conflict in the {SECRET_WORDS[0]} project",
        form_answers={"summary": "A long story."},
    )
    add_comment(actor=cast.hana, request=request, body=f"We will meet about {SECRET_WORDS[1]}.")
    add_comment(
        actor=cast.hana, request=request, body=f"Note: {SECRET_WORDS[2]} looks bad.", public=False
    )
    return request


# Who finds which of the three: the request, the public reply, the internal note.
EXPECTED = {
    "rita": (True, True, False),  # the requester: her request and its public replies
    "carl": (False, False, False),  # her team-mate: confidential is not for the team
    "alex": (False, False, False),  # an IT agent: another team's case
    "ivy": (False, False, False),
    "lena": (False, False, False),  # a lead of another team
    "hana": (True, True, True),  # the provider's agent sees everything, notes included
    "fred": (False, False, False),
    "otto": (False, False, False),  # the outsider
    "ada": (True, True, True),  # the org admin
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_finds_only_what_it_may_see(cast, planted, name):
    person = getattr(cast, name)
    viewer = policy.viewer_for(person)
    comment_ids = sorted(planted.comments.values_list("pk", flat=True))
    expected_hits = [
        ("request", planted.pk),
        ("comment", comment_ids[0]),
        ("comment", comment_ids[1]),
    ]
    for word, may_see, expected in zip(SECRET_WORDS, EXPECTED[name], expected_hits, strict=True):
        hits = [(hit.kind, hit.object_id) for hit in search(viewer, word).hits]
        assert hits == ([expected] if may_see else []), (name, word)
        # The counts are of the same visible set: nothing where nothing is shown.
        assert [(c.kind, c.count) for c in counts(viewer, word)] == (
            [(expected[0], 1)] if may_see else []
        )
        # Nor do the results page's sections, counted and ranked in one statement.
        assert [
            (s.count.kind, s.count.count, [(h.kind, h.object_id) for h in s.hits])
            for s in sections(viewer, word, per_kind=5)
        ] == ([(expected[0], 1, [expected])] if may_see else [])
        # And the API's page with its counts, one statement too.
        results, counted = search_and_count(viewer, word)
        assert [(h.kind, h.object_id) for h in results.hits] == ([expected] if may_see else [])
        assert [(c.kind, c.count) for c in counted] == ([(expected[0], 1)] if may_see else [])
    # The policy's own answer for the request agrees with the search.
    assert policy.can_view_request(viewer, planted) is EXPECTED[name][0]


def test_the_prefix_and_kind_filters_leak_nothing_either(cast, planted):
    outsider = policy.viewer_for(cast.otto)
    assert search(outsider, "zanzib*").hits == []
    assert search(outsider, "zanzibarquux", kinds=["request", "comment"]).hits == []
    assert counts(outsider, "quokka*") == []
    assert sections(outsider, "quokka*", per_kind=5) == []


def test_an_internal_note_on_a_plain_request_is_for_the_team_only(cast):
    request = submit_request(actor=cast.rita, service=cast.printer, subject="Printer jams")
    add_comment(actor=cast.alex, request=request, body="Driver pollywogwhistle", public=False)

    assert search(policy.viewer_for(cast.ivy), "pollywogwhistle").hits[0].kind == "comment"
    assert search(policy.viewer_for(cast.rita), "pollywogwhistle").hits == []
    # carl sees the request (his team's, not confidential) but not the team's note.
    assert search(policy.viewer_for(cast.carl), "printer jams").hits[0].kind == "request"
    assert search(policy.viewer_for(cast.carl), "pollywogwhistle").hits == []


def test_watching_a_request_lets_one_find_it(cast):
    from inhouse.desk.services import add_watcher

    request = submit_request(actor=cast.rita, service=cast.cleaning, subject="Spill gloopfrazzle")
    assert search(policy.viewer_for(cast.otto), "gloopfrazzle").hits == []

    add_watcher(actor=cast.rita, request=request, watcher=cast.otto)

    assert [hit.object_id for hit in search(policy.viewer_for(cast.otto), "gloopfrazzle").hits] == [
        request.pk
    ]


# --- articles and ideas -------------------------------------------------------------------

ARTICLE_WORDS = ("draftywombat", "vaultyplatypus", "openkookaburra")


@pytest.fixture
def planted_articles(cast):
    """People Partners write three articles, each with a word of its own: a draft, one
    linked only to a service restricted to Marketing, and one linked to no service."""
    from inhouse.catalog.snapshot import catalog_changed
    from inhouse.knowledge.services.articles import create_article
    from tests.factories import make_service

    coaching = make_service(
        cast.people_partners, "Team coaching", slug="coaching", visibility="restricted"
    )
    coaching.visible_to_teams.add(cast.marketing)
    catalog_changed()

    def write(word, *, services, publish):
        return create_article(
            actor=cast.hana, team=cast.people_partners, title=f"About {word}",
            body=f"Read this **{word}** note.", services=services, publish=publish,
        )  # fmt: skip

    return (
        write(ARTICLE_WORDS[0], services=[], publish=False),
        write(ARTICLE_WORDS[1], services=[coaching], publish=True),
        write(ARTICLE_WORDS[2], services=[], publish=True),
    )


# Who finds the draft, the article for Marketing's service, and the open one.
ARTICLES_EXPECTED = {
    "rita": (False, True, True),  # Marketing may ask for the coaching
    "carl": (False, True, True),
    "alex": (False, False, True),
    "ivy": (False, False, True),
    "lena": (False, False, True),
    "hana": (False, True, True),  # the owning team: its draft is not searchable even so
    "fred": (False, False, True),
    "otto": (False, False, True),
    "ada": (False, True, True),
}


@pytest.mark.parametrize("name", sorted(ARTICLES_EXPECTED))
def test_articles_are_found_only_published_and_by_their_readers(cast, planted_articles, name):
    from inhouse.knowledge.selectors.articles import articles_visible_to

    viewer = policy.viewer_for(getattr(cast, name))
    for word, article, may_find in zip(
        ARTICLE_WORDS, planted_articles, ARTICLES_EXPECTED[name], strict=True
    ):
        assert [(h.kind, h.object_id) for h in search(viewer, word).hits] == (
            [("article", article.pk)] if may_find else []
        ), (name, word)
        assert [(c.kind, c.count) for c in counts(viewer, word)] == (
            [("article", 1)] if may_find else []
        )
        assert [(s.count.kind, s.count.count) for s in sections(viewer, word, per_kind=5)] == (
            [("article", 1)] if may_find else []
        )
        # The knowledge base's own rule agrees for every published article.
        if article.is_published:
            assert articles_visible_to(viewer).filter(pk=article.pk).exists() is may_find


def test_an_article_never_names_a_restricted_service_it_is_linked_to(cast):
    from inhouse.knowledge.services.articles import create_article
    from tests.factories import make_service

    restricted = make_service(
        cast.service_desk, "Quarantinezebra room", slug="qz", visibility="restricted"
    )
    create_article(
        actor=cast.alex, team=cast.service_desk, title="Keys and badges",
        body="Ask at the desk.", services=[cast.software_access, restricted], publish=True,
    )  # fmt: skip
    rita = policy.viewer_for(cast.rita)

    # Found by everyone through the open service, by its name too; never by the other's.
    assert [hit.kind for hit in search(rita, "keys badges").hits] == ["article"]
    assert [hit.kind for hit in search(rita, "software access", kinds=["article"]).hits] == [
        "article"
    ]
    assert search(rita, "quarantinezebra").hits == []


def test_ideas_and_their_comments_are_found_by_everyone(cast):
    from inhouse.knowledge.services.ideas import comment_on_idea, propose_idea

    idea = propose_idea(
        actor=cast.rita, title="Shared onboarding checklist", body="Oompaloompa steps",
        owning_team=cast.people_partners,
    )  # fmt: skip
    comment_on_idea(actor=cast.fred, idea=idea, body="Add the *snorkelbadger* badge step")

    for name in sorted(ARTICLES_EXPECTED):
        viewer = policy.viewer_for(getattr(cast, name))
        for word in ("oompaloompa", "snorkelbadger", "checklists"):
            assert [(h.kind, h.object_id) for h in search(viewer, word).hits] == [
                ("idea", idea.pk)
            ], (name, word)


def test_an_article_is_hidden_at_once_when_its_only_service_is_restricted(cast):
    """Who reads an article is decided as the search runs: restricting the service it is
    linked to hides it, with no change to the article itself."""
    from inhouse.catalog.snapshot import catalog_changed
    from inhouse.knowledge.services.articles import create_article

    article = create_article(
        actor=cast.alex, team=cast.service_desk, title="Printer toner yodelfish",
        body="", services=[cast.printer], publish=True,
    )  # fmt: skip
    rita = policy.viewer_for(cast.rita)
    assert [hit.object_id for hit in search(rita, "yodelfish").hits] == [article.pk]

    cast.printer.visibility = "restricted"
    cast.printer.save(update_fields=["visibility"])
    catalog_changed()

    assert search(rita, "yodelfish").hits == []
    assert counts(rita, "yodelfish") == []
    assert [hit.object_id for hit in search(cast.alex, "yodelfish").hits] == [article.pk]
