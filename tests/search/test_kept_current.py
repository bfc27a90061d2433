"""The index follows every change made through the services, and `inhouse reindex`
rebuilds it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from inhouse import policy
from inhouse.desk.services import add_comment, submit_request, transfer_request
from inhouse.search.index import apply_pending
from inhouse.search.models import Document, PendingChange
from inhouse.search.selectors import search


def _refs(person, text):
    return [hit.title.split()[0] for hit in search(person, text, kinds=["request"]).hits]


def test_a_submitted_request_and_a_comment_are_found_at_once(cast):
    request = submit_request(actor=cast.rita, service=cast.printer, subject="Paper jam")
    add_comment(actor=cast.rita, request=request, body="It smells of burnt marshmallow")

    rita = policy.viewer_for(cast.rita)
    assert _refs(rita, "jam") == [request.reference]
    assert [hit.kind for hit in search(rita, "marshmallows").hits] == ["comment"]


def test_a_transfer_moves_the_request_and_its_comments_to_the_new_team(cast):
    request = submit_request(actor=cast.rita, service=cast.printer, subject="Leaking radiator")
    add_comment(actor=cast.alex, request=request, body="Not ours: plumbing", public=False)

    transfer_request(actor=cast.alex, request=request, service=cast.cleaning, expected_version=None)

    fred, alex = policy.viewer_for(cast.fred), policy.viewer_for(cast.alex)
    assert _refs(fred, "radiator") == ["FAC-1000"]
    assert _refs(alex, "radiator") == []
    # The note stays with its request: now for Facilities' agents, no longer IT's.
    assert [hit.kind for hit in search(fred, "plumbing").hits] == ["comment"]
    assert search(alex, "plumbing").hits == []


def test_a_change_rolled_back_leaves_nothing_to_index(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_request(actor=cast.rita, service=cast.printer, subject="Ghost")
        raise RuntimeError

    assert PendingChange.objects.count() == 0
    assert _refs(policy.viewer_for(cast.ada), "ghost") == []


def test_applying_the_same_change_twice_keeps_one_document(cast):
    request = submit_request(actor=cast.rita, service=cast.printer, subject="Twice")
    PendingChange.objects.create(kind="request", object_id=request.pk)

    apply_pending()
    apply_pending()

    assert Document.objects.filter(kind="request", object_id=request.pk).count() == 1
    assert PendingChange.objects.count() == 0


def test_reindex_rebuilds_every_kind_from_the_tables(cast):
    request = submit_request(actor=cast.rita, service=cast.printer, subject="Scanner")
    apply_pending()
    Document.objects.all().delete()
    out = StringIO()

    call_command("reindex", stdout=out, verbosity=0)

    assert "search index rebuilt" in out.getvalue()
    assert _refs(policy.viewer_for(cast.rita), "scanner") == [request.reference]
    kinds = set(Document.objects.values_list("kind", flat=True))
    assert kinds == {"request", "service", "person", "team"}


def test_reindex_refuses_an_unknown_kind(cast):
    with pytest.raises(CommandError, match="Unknown kinds: bogus"):
        call_command("reindex", kind=["bogus"], verbosity=0)


def test_erasing_a_person_removes_their_name_and_words_from_the_index(cast):
    from inhouse.desk.services import erase_person

    request = submit_request(actor=cast.carl, service=cast.printer, subject="Carl's wobblequartz")
    call_command("reindex", verbosity=0)
    ada = policy.viewer_for(cast.ada)
    assert search(ada, "carl", kinds=["person"]).hits
    assert _refs(ada, "wobblequartz") == [request.reference]

    erase_person(cast.carl, by=cast.ada, include_text=True)

    assert search(ada, "carl", kinds=["person"]).hits == []
    assert _refs(ada, "wobblequartz") == []
