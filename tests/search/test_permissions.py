"""The search never returns, counts or suggests what the policy hides: a confidential
request, a public comment on it and an internal note, each with a word of its own,
searched for by every member of the cast."""

import pytest

from inhouse import policy
from inhouse.desk.services import add_comment, submit_request
from inhouse.search.selectors import counts, search

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
    # The policy's own answer for the request agrees with the search.
    assert policy.can_view_request(viewer, planted) is EXPECTED[name][0]


def test_the_prefix_and_kind_filters_leak_nothing_either(cast, planted):
    outsider = policy.viewer_for(cast.otto)
    assert search(outsider, "zanzib*").hits == []
    assert search(outsider, "zanzibarquux", kinds=["request", "comment"]).hits == []
    assert counts(outsider, "quokka*") == []


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
