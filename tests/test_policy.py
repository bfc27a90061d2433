"""The permission matrix: every role against an ordinary and a confidential request,
every action, through the same services and selectors every door calls.

"hidden" means NotFound (or absent from a list) and nothing changed; "denied" means
the caller may see the request but not do this, PermissionDenied and nothing changed.
"""

import pytest

from inhouse import policy
from inhouse.core.errors import NotFound, PermissionDenied
from inhouse.desk.models import Request
from inhouse.desk.selectors import (
    RequestFilters,
    attachments_visible_to,
    comments_visible_to,
    filter_requests,
    get_attachment_for,
    get_request_for,
    history_visible_to,
    requests_visible_to,
)
from inhouse.desk.services import (
    add_attachment,
    add_comment,
    add_watcher,
    transition_request,
    update_request,
)
from inhouse.org.models import Membership
from tests.desk.helpers import snapshot, submit, upload
from tests.factories import make_service

pytestmark = pytest.mark.django_db

OK, DENIED, HIDDEN = "ok", "denied", "hidden"
ACTIONS = ("view", "list", "comment", "internal_note", "start_work", "cancel", "update")

# Rita (Marketing) files a request with the IT Service Desk; in the confidential
# case through an IT service marked confidential. One row per viewer, one column
# per action, in the order of ACTIONS.
EXPECTED = {
    False: {
        # the requester: reads, replies in public, cancels; works nothing
        "rita": (OK, OK, OK, DENIED, DENIED, OK, DENIED),
        # her colleague in the customer team: reads and replies, changes nothing
        "carl": (OK, OK, OK, DENIED, DENIED, DENIED, DENIED),
        # agent and lead of the provider team, and the org admin: everything
        "alex": (OK, OK, OK, OK, OK, OK, OK),
        "lena": (OK, OK, OK, OK, OK, OK, OK),
        "ada": (OK, OK, OK, OK, OK, OK, OK),
        # agents of other teams and an unrelated employee: nothing at all
        "fred": (HIDDEN,) * 7,
        "hana": (HIDDEN,) * 7,
        "otto": (HIDDEN,) * 7,
    },
    True: {
        "rita": (OK, OK, OK, DENIED, DENIED, OK, DENIED),
        # a confidential request is not shared with the customer team
        "carl": (HIDDEN,) * 7,
        "alex": (OK, OK, OK, OK, OK, OK, OK),
        "lena": (OK, OK, OK, OK, OK, OK, OK),
        "ada": (OK, OK, OK, OK, OK, OK, OK),
        "fred": (HIDDEN,) * 7,
        "hana": (HIDDEN,) * 7,
        "otto": (HIDDEN,) * 7,
    },
}
CASES = [
    (viewer, confidential, action, row[index])
    for confidential, rows in EXPECTED.items()
    for viewer, row in rows.items()
    for index, action in enumerate(ACTIONS)
]


def filed_by_rita(cast, *, confidential: bool) -> Request:
    service = (
        make_service(cast.service_desk, "Security incident", confidential=True)
        if confidential
        else cast.printer
    )
    return submit(cast, service=service, subject="Laptop stolen from the car")


def attempt(action: str, viewer, request: Request) -> str:
    """Try ``action`` as ``viewer`` and name the outcome."""
    try:
        if action == "view":
            assert get_request_for(viewer, request.reference) == request
            assert policy.can_view_request(viewer, request)
        elif action == "list":
            listed = requests_visible_to(viewer).filter(pk=request.pk).exists()
            found = filter_requests(
                requests_visible_to(viewer), RequestFilters(text="stolen")
            ).exists()
            by_reference = filter_requests(
                requests_visible_to(viewer), RequestFilters(text=request.reference)
            ).exists()
            assert listed == found == by_reference
            if not listed:
                return HIDDEN
        elif action == "comment":
            add_comment(actor=viewer, request=request, body="A public reply")
        elif action == "internal_note":
            add_comment(actor=viewer, request=request, body="A note", public=False)
        elif action == "start_work":
            transition_request(actor=viewer, request=request, to="in_progress")
        elif action == "cancel":
            transition_request(actor=viewer, request=request, to="cancelled")
        elif action == "update":
            update_request(actor=viewer, request=request, expected_version=1, priority="high")
    except NotFound:
        return HIDDEN
    except PermissionDenied:
        return DENIED
    return OK


@pytest.mark.parametrize(("viewer", "confidential", "action", "expected"), CASES)
def test_permission_matrix(cast, viewer, confidential, action, expected):
    request = filed_by_rita(cast, confidential=confidential)
    before = snapshot(request)
    assert attempt(action, getattr(cast, viewer), request) == expected
    if expected != OK:
        assert snapshot(request) == before


@pytest.mark.parametrize("confidential", [False, True])
def test_view_and_list_agree_for_every_viewer(cast, confidential):
    """What detail hides, listing hides too, and the other way round."""
    request = filed_by_rita(cast, confidential=confidential)
    for name in EXPECTED[confidential]:
        viewer = getattr(cast, name)
        listed = requests_visible_to(viewer).filter(pk=request.pk).exists()
        assert policy.can_view_request(viewer, request) == listed, name


# --- HR cases -----------------------------------------------------------------------------------


def hr_case(cast, requester, subject: str) -> Request:
    return submit(
        cast,
        actor=requester,
        service=cast.mediation,
        subject=subject,
        form_answers={"summary": "Private"},
    )


def test_an_it_agent_filing_an_hr_case_sees_it_as_its_requester_and_no_other(cast):
    own = hr_case(cast, cast.alex, "Conflict with a vendor contact")
    ritas = hr_case(cast, cast.rita, "Conflict in the campaign team")
    note = add_comment(actor=cast.hana, request=own, body="Manager involved?", public=False)
    reply = add_comment(actor=cast.hana, request=own, body="Can we talk on Monday?")

    assert get_request_for(cast.alex, own.reference) == own
    with pytest.raises(NotFound):
        get_request_for(cast.alex, ritas.reference)
    assert set(requests_visible_to(cast.alex).filter(confidential=True)) == {own}
    assert list(
        filter_requests(requests_visible_to(cast.alex), RequestFilters(text="Conflict"))
    ) == [own]
    # A requester, not an agent, of that case: no internal notes, requester's transitions.
    assert list(comments_visible_to(cast.alex, own)) == [reply]
    assert note.pk not in [
        event.data.get("comment") for event in history_visible_to(cast.alex, own)
    ]
    assert policy.transitions_for(cast.alex, own) == ["cancelled"]
    before = snapshot(own)
    with pytest.raises(PermissionDenied):
        add_comment(actor=cast.alex, request=own, body="Internal?", public=False)
    with pytest.raises(PermissionDenied):
        update_request(actor=cast.alex, request=own, expected_version=1, priority="urgent")
    assert snapshot(own) == before
    # And the IT lead and colleagues see neither case.
    for name in ("lena", "ivy", "carl"):
        assert not requests_visible_to(getattr(cast, name)).filter(confidential=True).exists()


# --- lists, search and per-request reads never leak -----------------------------------------------


def test_search_and_filters_never_return_what_detail_hides(cast):
    case = hr_case(cast, cast.rita, "Harassment by a manager")
    ordinary = submit(cast, subject="Harassment training room booking")
    for name in ("fred", "otto", "carl", "alex", "lena"):
        viewer = getattr(cast, name)
        visible = requests_visible_to(viewer)
        for filters in (
            RequestFilters(text="Harassment"),
            RequestFilters(text=case.reference),
            RequestFilters(text="hr-1000"),
            RequestFilters(provider_team="people-partners"),
            RequestFilters(service="mediation"),
            RequestFilters(status=["new"]),
            RequestFilters(requester=str(cast.rita.pk)),
            RequestFilters(open=True),
        ):
            assert case not in filter_requests(visible, filters), (name, filters)
        assert visible.filter(confidential=True).count() == 0
    assert ordinary in filter_requests(
        requests_visible_to(cast.carl), RequestFilters(text="Harassment")
    )


def test_internal_history_comments_and_attachments_stay_with_the_provider(cast):
    request = submit(cast)
    public = add_comment(actor=cast.alex, request=request, body="Ordered a part.")
    note = add_comment(
        actor=cast.alex,
        request=request,
        body="Supplier invoice inside.",
        public=False,
        attachments=[upload(b"invoice", "invoice.pdf")],
    )
    invoice = note.attachments.get()
    for name in ("rita", "carl"):
        viewer = getattr(cast, name)
        assert list(comments_visible_to(viewer, request)) == [public]
        assert not history_visible_to(viewer, request).filter(is_public=False).exists()
        assert list(attachments_visible_to(viewer, request)) == []
        with pytest.raises(NotFound):
            get_attachment_for(viewer, request, invoice.pk)
    for name in ("alex", "lena", "ada"):
        viewer = getattr(cast, name)
        assert list(comments_visible_to(viewer, request)) == [public, note]
        assert get_attachment_for(viewer, request, invoice.pk) == invoice


def test_comments_and_history_of_a_request_the_viewer_cannot_see_are_empty(cast):
    """Per-request reads check the request itself, not only the caller's lookup."""
    case = hr_case(cast, cast.rita, "Conflict")
    add_comment(actor=cast.hana, request=case, body="We will meet on Monday.")
    for name in ("alex", "carl", "otto"):
        viewer = getattr(cast, name)
        assert list(comments_visible_to(viewer, case)) == []
        assert list(history_visible_to(viewer, case)) == []


def test_attachments_of_a_request_the_viewer_cannot_see_are_not_found(cast):
    case = hr_case(cast, cast.rita, "Conflict")
    file = add_attachment(actor=cast.rita, request=case, upload=upload(b"notes"))
    for name in ("alex", "carl", "otto"):
        viewer = getattr(cast, name)
        assert list(attachments_visible_to(viewer, case)) == []
        with pytest.raises(NotFound):
            get_attachment_for(viewer, case, file.pk)


# --- membership changes apply at once --------------------------------------------------------


def test_leaving_the_customer_team_hides_its_requests_on_the_next_call(cast):
    request = submit(cast)
    assert policy.can_view_request(cast.carl, request)
    Membership.objects.filter(person=cast.carl, team=cast.marketing).delete()
    assert not policy.can_view_request(cast.carl, request)
    assert not requests_visible_to(cast.carl).exists()
    with pytest.raises(NotFound):
        get_request_for(cast.carl, request.reference)


def test_leaving_the_provider_team_ends_working_its_queue_on_the_next_call(cast):
    request = submit(cast)
    assert policy.can_work_request(cast.alex, request)
    Membership.objects.filter(person=cast.alex, team=cast.service_desk).delete()
    assert not policy.can_work_request(cast.alex, request)
    assert not policy.can_view_request(cast.alex, request)
    before = snapshot(request)
    with pytest.raises(NotFound):
        update_request(actor=cast.alex, request=request, expected_version=1, priority="urgent")
    with pytest.raises(NotFound):
        transition_request(actor=cast.alex, request=request, to="in_progress")
    assert snapshot(request) == before


def test_demotion_from_agent_to_member_ends_working_the_queue(cast):
    request = submit(cast)
    Membership.objects.filter(person=cast.alex).update(role="member")
    assert not policy.can_work_request(cast.alex, request)
    with pytest.raises(NotFound):
        add_comment(actor=cast.alex, request=request, body="Still here?", public=False)


# --- watchers -----------------------------------------------------------------------------------


def test_the_requester_brings_in_a_watcher_who_then_sees_the_confidential_case(cast):
    case = hr_case(cast, cast.rita, "Conflict")
    with pytest.raises(NotFound):
        get_request_for(cast.carl, case.reference)
    add_watcher(actor=cast.rita, request=case, watcher=cast.carl)
    assert get_request_for(cast.carl, case.reference) == case
    assert case in requests_visible_to(cast.carl)
    assert policy.transitions_for(cast.carl, case) == []


def test_only_the_requester_or_the_providers_agents_add_watchers(cast):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(PermissionDenied):
        add_watcher(actor=cast.carl, request=request, watcher=cast.otto)
    with pytest.raises(NotFound):
        add_watcher(actor=cast.otto, request=request, watcher=cast.otto)
    assert snapshot(request) == before
    assert not request.watchers.exists()
    add_watcher(actor=cast.alex, request=request, watcher=cast.otto)
    assert list(request.watchers.all()) == [cast.otto]
