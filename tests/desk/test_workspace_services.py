"""What agents keep for themselves: canned replies, saved views and bulk work."""

import pytest
from tests.desk.helpers import fresh, snapshot, submit

from inhouse.core.errors import InvalidInput, NotFound, PermissionDenied
from inhouse.desk.models import CannedReply, SavedView, Status
from inhouse.desk.services import transition_request
from inhouse.desk.services.workspace import (
    BulkOutcome,
    bulk_assign,
    bulk_transition,
    create_canned_reply,
    delete_canned_reply,
    delete_saved_view,
    move_saved_view,
    render_canned_reply,
    reorder_saved_views,
    save_view,
    update_canned_reply,
)

pytestmark = pytest.mark.django_db


# --- canned replies: placeholders ---------------------------------------------------------


def _reply(cast, body: str) -> CannedReply:
    return create_canned_reply(actor=cast.alex, team=cast.service_desk, title="Hello", body=body)


def test_render_fills_in_every_known_placeholder(cast):
    request = submit(cast, subject="Printer jams")
    reply = _reply(
        cast,
        "Hi {requester_first_name} ({requester_name}), about {reference} “{subject}”: "
        "{agent_name} of {team_name} is on it.",
    )

    text = render_canned_reply(reply=reply, request=request, agent=cast.alex)

    assert text == (
        f"Hi Rita (Rita Tester), about {request.reference} “Printer jams”: "
        "Alex Tester of IT Service Desk is on it."
    )


def test_render_leaves_unknown_placeholders_and_stray_braces_as_typed(cast):
    request = submit(cast)
    reply = _reply(cast, "{greeting} {requester_name}, see {Reference} or {} and {{reference}}.")

    text = render_canned_reply(reply=reply, request=request, agent=cast.alex)

    assert (
        text == f"{{greeting}} Rita Tester, see {{Reference}} or {{}} and {{{request.reference}}}."
    )


def test_render_never_expands_braces_inside_a_value(cast):
    request = submit(cast, subject="Why does {reference} show {agent_name}?")
    reply = _reply(cast, "Re: {subject}")

    text = render_canned_reply(reply=reply, request=request, agent=cast.alex)

    assert text == "Re: Why does {reference} show {agent_name}?"


def test_agent_name_falls_back_to_the_assignee_then_the_team(cast):
    request = submit(cast)
    reply = _reply(cast, "{agent_name}")

    assert render_canned_reply(reply=reply, request=request) == "IT Service Desk"
    request.assignee = cast.ivy
    assert render_canned_reply(reply=reply, request=request) == "Ivy Tester"


# --- canned replies: who may shape them -----------------------------------------------------


def test_an_agent_of_another_team_cannot_create_a_teams_canned_reply(cast):
    with pytest.raises(PermissionDenied):
        create_canned_reply(actor=cast.fred, team=cast.service_desk, title="Hi", body="Hello")

    assert CannedReply.objects.count() == 0


def test_a_plain_member_cannot_create_one_for_their_own_team(cast):
    with pytest.raises(PermissionDenied):
        create_canned_reply(actor=cast.rita, team=cast.marketing, title="Hi", body="Hello")

    assert CannedReply.objects.count() == 0


def test_the_lead_and_agents_shape_the_teams_replies(cast):
    reply = create_canned_reply(actor=cast.lena, team=cast.service_desk, title="Hi", body="Hello")

    update_canned_reply(actor=cast.ivy, reply=reply, title="Greeting", body="Hello there")
    reply.refresh_from_db()
    assert (reply.title, reply.body, reply.created_by) == ("Greeting", "Hello there", cast.lena)

    delete_canned_reply(actor=cast.alex, reply=reply)
    assert CannedReply.objects.count() == 0


def test_an_outsider_can_neither_edit_nor_delete_a_teams_reply(cast):
    reply = _reply(cast, "Hello")

    with pytest.raises(PermissionDenied):
        update_canned_reply(actor=cast.hana, reply=reply, title="Mine", body="Changed")
    with pytest.raises(PermissionDenied):
        delete_canned_reply(actor=cast.hana, reply=reply)

    reply.refresh_from_db()
    assert (reply.title, reply.body) == ("Hello", "Hello")


def test_titles_are_unique_per_team_and_required(cast):
    _reply(cast, "Hello")

    with pytest.raises(InvalidInput) as duplicate:
        create_canned_reply(actor=cast.ivy, team=cast.service_desk, title="Hello", body="Again")
    with pytest.raises(InvalidInput) as blank:
        create_canned_reply(actor=cast.ivy, team=cast.service_desk, title="  ", body="Text")

    assert set(duplicate.value.fields) == {"title"}
    assert set(blank.value.fields) == {"title"}
    assert CannedReply.objects.count() == 1


# --- saved views ---------------------------------------------------------------------------


def test_saving_a_view_normalises_its_query_and_drops_the_cursor(cast):
    view = save_view(
        actor=cast.alex,
        team=cast.service_desk,
        name="Mine, urgent",
        query="priority=urgent&assignee=me&sort=due&cursor=abc&text=",
    )

    assert (view.owner, view.query, view.position) == (
        cast.alex,
        "priority=urgent&assignee=me",
        0,
    )


def test_saving_under_an_existing_name_replaces_that_views_filters(cast):
    first = save_view(actor=cast.alex, team=cast.service_desk, name="Mine", query="assignee=me")

    again = save_view(
        actor=cast.alex, team=cast.service_desk, name="Mine", query="assignee=me&priority=high"
    )

    assert again.pk == first.pk
    assert list(SavedView.objects.values_list("name", "query")) == [
        ("Mine", "priority=high&assignee=me")
    ]


def test_a_view_with_unknown_filters_is_refused(cast):
    with pytest.raises(InvalidInput) as refused:
        save_view(actor=cast.alex, team=cast.service_desk, name="Odd", query="status=lost&x=1")

    assert set(refused.value.fields) == {"status", "x"}
    assert SavedView.objects.count() == 0


def test_only_agents_of_the_team_save_views_for_its_queue(cast):
    with pytest.raises(PermissionDenied):
        save_view(actor=cast.fred, team=cast.service_desk, name="Peek", query="")

    assert SavedView.objects.count() == 0


def test_only_the_owner_deletes_or_moves_a_saved_view(cast):
    view = save_view(actor=cast.alex, team=cast.service_desk, name="Mine", query="")

    with pytest.raises(NotFound):
        delete_saved_view(actor=cast.ivy, view=view)
    with pytest.raises(NotFound):
        move_saved_view(actor=cast.ivy, view=view, offset=1)

    assert SavedView.objects.filter(pk=view.pk, owner=cast.alex, position=0).exists()
    delete_saved_view(actor=cast.alex, view=view)
    assert SavedView.objects.count() == 0


def test_reordering_names_each_of_the_owners_views_exactly_once(cast):
    views = [
        save_view(actor=cast.alex, team=cast.service_desk, name=name, query="")
        for name in ("A", "B", "C")
    ]
    ivys = save_view(actor=cast.ivy, team=cast.service_desk, name="Ivy's", query="")
    a, b, c = (view.pk for view in views)

    reorder_saved_views(actor=cast.alex, team=cast.service_desk, view_ids=[c, a, b])
    with pytest.raises(InvalidInput):
        reorder_saved_views(actor=cast.alex, team=cast.service_desk, view_ids=[c, a, ivys.pk])
    move_saved_view(actor=cast.alex, view=SavedView.objects.get(pk=b), offset=-1)

    assert list(
        SavedView.objects.filter(owner=cast.alex)
        .order_by("position")
        .values_list("name", flat=True)
    ) == ["C", "B", "A"]
    assert SavedView.objects.get(pk=ivys.pk).position == 0


# --- bulk work ----------------------------------------------------------------------------


def test_bulk_assign_reports_each_request_and_changes_only_the_ones_allowed(cast):
    printer = submit(cast, subject="Printer")
    another = submit(cast, subject="Toner")
    # Alex asked Facilities himself: he sees it, but it is not his to work.
    cleaning = submit(cast, actor=cast.alex, service=cast.cleaning, subject="Spill")
    hidden = submit(cast, actor=cast.carl, service=cast.mediation, subject="Private",
                    form_answers={"summary": "Something happened"})  # fmt: skip
    before = {r.pk: snapshot(r) for r in (cleaning, hidden)}

    outcomes = bulk_assign(
        actor=cast.alex,
        references=[printer.reference, cleaning.reference, "it-9999", hidden.reference,
                    another.reference.lower()],
        assignee=cast.ivy,
    )  # fmt: skip

    assert outcomes == [
        BulkOutcome(reference=printer.reference, ok=True),
        BulkOutcome(
            reference=cleaning.reference,
            ok=False,
            message="Only agents of the team handling this request can do that.",
        ),
        BulkOutcome(reference="IT-9999", ok=False, message="No such request."),
        BulkOutcome(reference=hidden.reference, ok=False, message="No such request."),
        BulkOutcome(reference=another.reference, ok=True),
    ]
    assert fresh(printer).assignee == cast.ivy
    assert fresh(another).assignee == cast.ivy
    assert {r.pk: snapshot(r) for r in (cleaning, hidden)} == before


def test_bulk_transition_moves_what_may_move_and_says_why_not_for_the_rest(cast):
    new = submit(cast, subject="New one")
    done = submit(cast, subject="Done one")
    transition_request(actor=cast.alex, request=done, to=Status.RESOLVED)
    transition_request(actor=cast.alex, request=done, to=Status.CLOSED)

    outcomes = bulk_transition(
        actor=cast.alex, references=[new.reference, done.reference], to=Status.WAITING_ON_SUPPLIER
    )

    assert [(o.reference, o.ok) for o in outcomes] == [
        (new.reference, True),
        (done.reference, False),
    ]
    assert outcomes[1].message.startswith("A request in status 'closed' cannot move to")
    assert fresh(new).status == Status.WAITING_ON_SUPPLIER
    assert fresh(done).status == Status.CLOSED


def test_bulk_needs_a_selection_and_a_known_status(cast):
    request = submit(cast)
    before = snapshot(request)

    with pytest.raises(InvalidInput):
        bulk_assign(actor=cast.alex, references=[" "], assignee=cast.alex)
    with pytest.raises(InvalidInput):
        bulk_transition(actor=cast.alex, references=[request.reference], to="done")

    assert snapshot(request) == before
