"""The permission matrix: every role against confidential and ordinary requests, every action.

A hidden request is NotFound on every path; one the caller may see but not
change is PermissionDenied, and nothing changes.
"""

import pytest

from inhouse.core.errors import NotFound, PermissionDenied
from inhouse.desk.models import Comment, Request, RequestEvent
from inhouse.desk.selectors import (
    RequestFilters,
    comments_visible_to,
    filter_requests,
    get_request_for,
    history_visible_to,
    requests_visible_to,
)
from inhouse.desk.services import add_comment, submit_request, transition_request, update_request
from inhouse.org.models import Membership

pytestmark = pytest.mark.django_db

# (viewer, confidential) -> what they may do: "-" hidden, "r" read + public reply, "w" work it.
MATRIX = {
    ("rita", False): "r", ("rita", True): "r",  # the requester
    ("carl", False): "r", ("carl", True): "-",  # her colleague in Marketing
    ("alex", False): "w", ("alex", True): "-",  # IT agent; the HR case is not IT's
    ("lena", False): "w", ("lena", True): "-",  # IT lead
    ("hana", False): "-", ("hana", True): "w",  # HR agent
    ("fred", False): "-", ("fred", True): "-",  # agent of another team
    ("otto", False): "-", ("otto", True): "-",  # outsider
    ("ada", False): "w", ("ada", True): "w",  # org admin
}  # fmt: skip


def make_request(cast, confidential: bool) -> Request:
    if confidential:
        return submit_request(
            actor=cast.rita, service=cast.mediation, subject="Private matter",
            form_answers={"summary": "Between us"},
        )  # fmt: skip
    return submit_request(actor=cast.rita, service=cast.printer, subject="Printer jam")


@pytest.mark.parametrize(("who", "confidential"), list(MATRIX))
def test_matrix(cast, who, confidential):
    request = make_request(cast, confidential)
    viewer = getattr(cast, who)
    expected = MATRIX[(who, confidential)]
    events_before = RequestEvent.objects.count()

    listed = requests_visible_to(viewer).filter(pk=request.pk).exists()
    searched = filter_requests(requests_visible_to(viewer), RequestFilters(text="Private Printer"))
    assert listed == (expected != "-")
    if expected == "-":
        assert not searched.filter(pk=request.pk).exists()
        for action in (
            lambda: get_request_for(viewer, request.reference),
            lambda: add_comment(actor=viewer, request=request, body="hello"),
            lambda: transition_request(actor=viewer, request=request, to="cancelled"),
            lambda: update_request(
                actor=viewer, request=request, expected_version=1, priority="high"
            ),
        ):
            with pytest.raises(NotFound):
                action()
        assert RequestEvent.objects.count() == events_before
        return

    assert get_request_for(viewer, request.reference) == request
    add_comment(actor=viewer, request=request, body="hello")
    if expected == "r":
        with pytest.raises(PermissionDenied):
            add_comment(actor=viewer, request=request, body="note", public=False)
        with pytest.raises(PermissionDenied):
            update_request(actor=viewer, request=request, expected_version=None, priority="high")
        assert Request.objects.get(pk=request.pk).priority == "normal"
    else:
        add_comment(actor=viewer, request=request, body="note", public=False)
        update_request(actor=viewer, request=request, expected_version=None, priority="high")
        assert Request.objects.get(pk=request.pk).priority == "high"


def test_an_it_agent_who_files_an_hr_case_sees_only_their_own(cast):
    theirs = submit_request(
        actor=cast.alex, service=cast.mediation, subject="Mine", form_answers={"summary": "x"}
    )
    someone_elses = make_request(cast, confidential=True)
    visible = set(requests_visible_to(cast.alex).values_list("pk", flat=True))
    assert theirs.pk in visible
    assert someone_elses.pk not in visible
    with pytest.raises(PermissionDenied):
        update_request(actor=cast.alex, request=theirs, expected_version=None, priority="high")


def test_internal_notes_never_reach_the_requester(cast):
    request = make_request(cast, confidential=False)
    add_comment(actor=cast.alex, request=request, body="Just between agents", public=False)
    assert not comments_visible_to(cast.rita, request).filter(is_public=False).exists()
    assert not history_visible_to(cast.rita, request).filter(is_public=False).exists()
    assert comments_visible_to(cast.alex, request).filter(is_public=False).count() == 1
    assert Comment.objects.filter(is_public=False).count() == 1


def test_leaving_a_team_takes_effect_on_the_next_call(cast):
    request = make_request(cast, confidential=False)
    assert get_request_for(cast.alex, request.reference) == request
    Membership.objects.filter(person=cast.alex).delete()
    with pytest.raises(NotFound):
        get_request_for(cast.alex, request.reference)
