"""Comments: kept as written, internal notes only for the provider, and who may write."""

import pytest
from tests.desk.helpers import snapshot, submit

from inhouse.core.errors import InvalidInput, NotFound, PermissionDenied
from inhouse.core.text import render_markdown
from inhouse.desk.models import Comment, RequestEvent
from inhouse.desk.selectors import comments_visible_to, history_visible_to
from inhouse.desk.services import add_comment

pytestmark = pytest.mark.django_db

SCRIPTED = "Hello <script>alert('x')</script> [click](javascript:alert(1)) **bold**"


def test_markdown_is_stored_exactly_as_written_and_rendered_sanitised(cast):
    request = submit(cast)
    comment = add_comment(actor=cast.rita, request=request, body=SCRIPTED)
    assert Comment.objects.get(pk=comment.pk).body == SCRIPTED
    html = render_markdown(comment.body)
    assert "<script" not in html
    assert "javascript:" not in html
    assert "<strong>bold</strong>" in html


def test_a_comment_records_who_wrote_it_and_from_which_side(cast):
    request = submit(cast)
    reply = add_comment(actor=cast.alex, request=request, body="On it.", channel="email")
    question = add_comment(actor=cast.rita, request=request, body="Thanks!")
    assert (reply.author, reply.by_provider, reply.is_public, reply.channel) == (
        cast.alex,
        True,
        True,
        "email",
    )
    assert (question.author, question.by_provider, question.is_public) == (cast.rita, False, True)
    commented = RequestEvent.objects.filter(request=request, kind="commented").order_by("id")
    assert [event.data for event in commented] == [
        {"comment": reply.pk, "public": True},
        {"comment": question.pk, "public": True},
    ]


def test_internal_notes_are_invisible_to_the_requester_and_colleagues(cast):
    request = submit(cast)
    public = add_comment(actor=cast.alex, request=request, body="Looking into it.")
    note = add_comment(
        actor=cast.ivy, request=request, body="Rita's printer is the old one.", public=False
    )
    assert list(comments_visible_to(cast.alex, request)) == [public, note]
    assert list(comments_visible_to(cast.lena, request)) == [public, note]
    for outsider_of_the_queue in (cast.rita, cast.carl):
        assert list(comments_visible_to(outsider_of_the_queue, request)) == [public]
        history = history_visible_to(outsider_of_the_queue, request)
        assert all(event.is_public for event in history)
        assert note.pk not in [event.data.get("comment") for event in history]

    note_event = RequestEvent.objects.get(request=request, data__comment=note.pk)
    assert note_event.is_public is False
    assert note_event in history_visible_to(cast.alex, request)


def test_an_internal_note_does_not_count_as_a_response_or_move_the_request(cast):
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="Internal only.", public=False)
    after = snapshot(request)
    assert (after.status, after.version) == ("new", 1)


def test_requester_cannot_add_an_internal_note_and_nothing_is_written(cast):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(PermissionDenied):
        add_comment(actor=cast.rita, request=request, body="Secret?", public=False)
    assert snapshot(request) == before


@pytest.mark.parametrize("outsider", ["otto", "fred", "hana"])
def test_someone_who_cannot_see_the_request_cannot_comment(cast, outsider):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(NotFound):
        add_comment(actor=getattr(cast, outsider), request=request, body="Hi there")
    assert snapshot(request) == before


def test_a_colleague_in_the_customer_team_may_reply_in_public(cast):
    request = submit(cast)
    comment = add_comment(actor=cast.carl, request=request, body="Same problem here.")
    assert (comment.is_public, comment.by_provider) == (True, False)


def test_an_empty_comment_is_refused(cast):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(InvalidInput) as caught:
        add_comment(actor=cast.rita, request=request, body="  \n ")
    assert caught.value.fields == {"body": "This field is required."}
    assert snapshot(request) == before


def test_comments_on_a_confidential_case_stay_with_its_circle(cast):
    case = submit(
        cast, service=cast.mediation, subject="Conflict", form_answers={"summary": "Private"}
    )
    add_comment(actor=cast.hana, request=case, body="Let us talk on Monday.")
    with pytest.raises(NotFound):
        add_comment(actor=cast.carl, request=case, body="What happened?")
    with pytest.raises(NotFound):
        add_comment(actor=cast.alex, request=case, body="Can I help?")
    assert list(Comment.objects.filter(request=case).values_list("author", flat=True)) == [
        cast.hana.pk
    ]
