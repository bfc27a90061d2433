"""Requests that wait for others, and requests handed to another team."""

import pytest
from tests.desk.helpers import START, fresh, frozen_time, snapshot, submit
from tests.factories import make_service

from inhouse.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, StaleVersion
from inhouse.desk.models import Dependency, RequestEvent, RequestReference, TeamHolding
from inhouse.desk.selectors import blocked_by_this, blockers_of, get_request_for
from inhouse.desk.services import (
    add_blocker,
    remove_blocker,
    transfer_request,
    transition_request,
    update_request,
)

pytestmark = pytest.mark.django_db


def block(cast, request, *blockers):
    return update_request(
        actor=cast.alex,
        request=request,
        expected_version=fresh(request).version,
        blocked_by=list(blockers),
    )


# --- dependencies ------------------------------------------------------------------------------


def test_blockers_are_added_and_removed_with_history(cast):
    toner, paper, brochure = (submit(cast, subject=s) for s in ("Toner", "Paper", "Brochure"))
    block(cast, brochure, toner, paper)
    assert set(Dependency.objects.filter(blocked=brochure).values_list("blocker", flat=True)) == {
        toner.pk,
        paper.pk,
    }
    assert set(blockers_of(cast.alex, brochure)) == {toner, paper}
    assert list(blocked_by_this(cast.alex, toner)) == [brochure]

    block(cast, brochure, paper)
    assert list(Dependency.objects.filter(blocked=brochure).values_list("blocker", flat=True)) == [
        paper.pk
    ]
    events = RequestEvent.objects.filter(
        request=brochure, kind__in=["dependency_added", "dependency_removed"]
    ).order_by("id")
    assert [(event.kind, event.data, event.actor) for event in events] == [
        ("dependency_added", {"blocked_by": toner.pk}, cast.alex),
        ("dependency_added", {"blocked_by": paper.pk}, cast.alex),
        ("dependency_removed", {"blocked_by": toner.pk}, cast.alex),
    ]
    assert fresh(brochure).version == 3


def test_a_cycle_of_three_is_refused_and_nothing_changes(cast):
    a, b, c = (submit(cast, subject=s) for s in "ABC")
    block(cast, b, a)  # A blocks B
    block(cast, c, b)  # B blocks C
    before = snapshot(a)
    with pytest.raises(Conflict) as caught:
        block(cast, a, c)  # C blocks A would close the loop
    assert c.reference in caught.value.message
    assert snapshot(a) == before
    assert Dependency.objects.count() == 2


def test_replacing_blockers_with_a_cycle_removes_nothing(cast):
    a, b, other = (submit(cast, subject=s) for s in ("A", "B", "Other"))
    block(cast, a, other)
    block(cast, b, a)
    with pytest.raises(Conflict):
        block(cast, a, b)  # drops "other" and adds B, which waits for A
    assert list(Dependency.objects.filter(blocked=a).values_list("blocker", flat=True)) == [
        other.pk
    ]


def test_a_request_cannot_block_itself(cast):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(InvalidInput) as caught:
        block(cast, request, request)
    assert caught.value.fields == {"blocked_by": "A request cannot block itself."}
    assert snapshot(request) == before


def test_a_blocker_the_agent_cannot_see_is_unknown(cast):
    request = submit(cast)
    case = submit(
        cast, service=cast.mediation, subject="Conflict", form_answers={"summary": "Private"}
    )
    with pytest.raises(InvalidInput) as caught:
        block(cast, request, case)
    assert caught.value.fields == {"blocked_by": "No such request."}
    assert not Dependency.objects.exists()


def test_requester_cannot_change_blockers(cast):
    first, second = submit(cast, subject="First"), submit(cast, subject="Second")
    before = snapshot(second)
    with pytest.raises(PermissionDenied):
        update_request(actor=cast.rita, request=second, expected_version=1, blocked_by=[first])
    assert snapshot(second) == before


# --- one blocker at a time ---------------------------------------------------------------------


def test_an_agent_adds_and_removes_one_blocker_with_history(cast):
    toner, brochure = submit(cast, subject="Toner"), submit(cast, subject="Brochure")
    brochure = add_blocker(actor=cast.alex, request=brochure, blocker=toner, expected_version=1)
    assert list(blockers_of(cast.alex, brochure)) == [toner]
    assert brochure.version == 2
    brochure = remove_blocker(actor=cast.ivy, request=brochure, blocker=toner, expected_version=2)
    assert not Dependency.objects.exists()
    assert fresh(brochure).version == 3
    events = RequestEvent.objects.filter(
        request=brochure, kind__in=["dependency_added", "dependency_removed"]
    ).order_by("id")
    assert [(event.kind, event.data, event.actor) for event in events] == [
        ("dependency_added", {"blocked_by": toner.pk}, cast.alex),
        ("dependency_removed", {"blocked_by": toner.pk}, cast.ivy),
    ]


@pytest.mark.parametrize(
    ("actor", "error"),
    [("rita", PermissionDenied), ("fred", NotFound), ("otto", NotFound)],
)
def test_only_the_providers_agents_add_a_blocker(cast, actor, error):
    toner, brochure = submit(cast, subject="Toner"), submit(cast, subject="Brochure")
    before = snapshot(brochure)
    with pytest.raises(error):
        add_blocker(actor=getattr(cast, actor), request=brochure, blocker=toner, expected_version=1)
    assert snapshot(brochure) == before


def test_only_the_providers_agents_remove_a_blocker(cast):
    toner, brochure = submit(cast, subject="Toner"), submit(cast, subject="Brochure")
    add_blocker(actor=cast.alex, request=brochure, blocker=toner, expected_version=1)
    before = snapshot(brochure)
    with pytest.raises(PermissionDenied):
        remove_blocker(actor=cast.rita, request=brochure, blocker=toner, expected_version=2)
    assert snapshot(brochure) == before


def test_adding_a_blocker_that_closes_a_cycle_is_refused(cast):
    a, b, c = (submit(cast, subject=s) for s in "ABC")
    add_blocker(actor=cast.alex, request=b, blocker=a, expected_version=1)
    add_blocker(actor=cast.alex, request=c, blocker=b, expected_version=1)
    before = snapshot(a)
    with pytest.raises(Conflict) as caught:
        add_blocker(actor=cast.alex, request=a, blocker=c, expected_version=1)
    assert c.reference in caught.value.message
    assert snapshot(a) == before


def test_adding_a_blocker_twice_or_itself_is_refused(cast):
    toner, brochure = submit(cast, subject="Toner"), submit(cast, subject="Brochure")
    add_blocker(actor=cast.alex, request=brochure, blocker=toner, expected_version=1)
    before = snapshot(brochure)
    with pytest.raises(InvalidInput) as twice:
        add_blocker(actor=cast.alex, request=brochure, blocker=toner, expected_version=None)
    with pytest.raises(InvalidInput) as itself:
        add_blocker(actor=cast.alex, request=brochure, blocker=brochure, expected_version=None)
    assert twice.value.fields == {"blocker": f"{toner.reference} already blocks this request."}
    assert itself.value.fields == {"blocker": "A request cannot block itself."}
    assert snapshot(brochure) == before


def test_a_hidden_blocker_is_reported_like_one_that_is_not_linked(cast):
    hidden = submit(
        cast, service=cast.mediation, subject="Conflict", form_answers={"summary": "Private"}
    )
    request, unlinked = submit(cast, subject="Printer"), submit(cast, subject="Other")
    add_blocker(actor=cast.ada, request=request, blocker=hidden, expected_version=1)
    before = snapshot(request)
    with pytest.raises(InvalidInput) as for_hidden:
        remove_blocker(actor=cast.alex, request=request, blocker=hidden, expected_version=None)
    with pytest.raises(InvalidInput) as for_unlinked:
        remove_blocker(actor=cast.alex, request=request, blocker=unlinked, expected_version=None)
    assert (for_hidden.value.message, for_hidden.value.fields) == (
        for_unlinked.value.message,
        for_unlinked.value.fields,
    )
    assert snapshot(request) == before
    # Adding it is refused the same way as any request the agent cannot see.
    with pytest.raises(InvalidInput) as adding:
        add_blocker(actor=cast.alex, request=unlinked, blocker=hidden, expected_version=None)
    assert adding.value.fields == {"blocker": "No such request."}


def test_a_stale_version_adds_no_blocker(cast):
    toner, brochure = submit(cast, subject="Toner"), submit(cast, subject="Brochure")
    before = snapshot(brochure)
    with pytest.raises(StaleVersion):
        add_blocker(actor=cast.alex, request=brochure, blocker=toner, expected_version=7)
    assert snapshot(brochure) == before


# --- transfer -------------------------------------------------------------------------------


def test_transfer_takes_a_reference_from_the_new_team_and_keeps_the_old_one(cast):
    with frozen_time() as clock:
        request = submit(cast)
        request = update_request(
            actor=cast.alex, request=request, expected_version=1, assignee=cast.alex
        )
        clock.advance(hours=2)
        request = transfer_request(
            actor=cast.alex,
            request=request,
            service=cast.cleaning,
            expected_version=2,
            note="Toner spill, not a printer fault.",
        )

    stored = fresh(request)
    assert (stored.reference, stored.provider_team, stored.service) == (
        "FAC-1000",
        cast.facilities,
        cast.cleaning,
    )
    assert (stored.assignee, stored.version) == (None, 3)
    assert set(
        RequestReference.objects.filter(request=request).values_list("reference", "team")
    ) == {
        ("IT-1000", cast.service_desk.pk),
        ("FAC-1000", cast.facilities.pk),
    }
    assert get_request_for(cast.rita, "IT-1000") == stored
    assert get_request_for(cast.fred, "it-1000") == stored
    assert get_request_for(cast.fred, "FAC-1000") == stored
    holdings = list(
        TeamHolding.objects.filter(request=request).values_list("team", "started_at", "ended_at")
    )
    assert holdings == [
        (cast.service_desk.pk, START, START + (clock.now - START)),
        (cast.facilities.pk, clock.now, None),
    ]
    transferred = RequestEvent.objects.get(request=request, kind="transferred")
    assert transferred.data == {
        "service": ["printer", "cleaning"],
        "provider_team": [cast.service_desk.pk, cast.facilities.pk],
        "reference": ["IT-1000", "FAC-1000"],
    }
    # Why it moved is an internal note for the agents, not part of the public event.
    handover = request.comments.get()
    assert (handover.body, handover.is_public) == ("Toner spill, not a printer fault.", False)


def test_after_a_transfer_the_old_team_no_longer_works_the_request(cast):
    request = transfer_request(
        actor=cast.alex, request=submit(cast), service=cast.cleaning, expected_version=1
    )
    with pytest.raises(NotFound):
        get_request_for(cast.alex, "IT-1000")
    assert transition_request(actor=cast.fred, request=request, to="in_progress").status == (
        "in_progress"
    )


def test_transfer_within_the_team_keeps_reference_and_assignee(cast):
    request = update_request(
        actor=cast.alex, request=submit(cast), expected_version=1, assignee=cast.ivy
    )
    request = transfer_request(
        actor=cast.alex, request=request, service=cast.software_access, expected_version=2
    )
    stored = fresh(request)
    assert (stored.reference, stored.assignee, stored.service) == (
        "IT-1000",
        cast.ivy,
        cast.software_access,
    )
    assert TeamHolding.objects.filter(request=request).count() == 1


def test_transfer_never_downgrades_confidentiality(cast):
    case = submit(
        cast, service=cast.mediation, subject="Conflict", form_answers={"summary": "Private"}
    )
    moved = transfer_request(
        actor=cast.hana, request=case, service=cast.printer, expected_version=1
    )
    assert fresh(moved).confidential is True
    with pytest.raises(NotFound):
        get_request_for(cast.carl, moved.reference)


def test_transfer_to_a_confidential_service_makes_it_confidential(cast):
    secret = make_service(cast.service_desk, "Security incident", confidential=True)
    request = transfer_request(
        actor=cast.alex, request=submit(cast), service=secret, expected_version=1
    )
    assert fresh(request).confidential is True
    with pytest.raises(NotFound):
        get_request_for(cast.carl, request.reference)


@pytest.mark.parametrize(("actor", "error"), [("rita", PermissionDenied), ("otto", NotFound)])
def test_only_the_holding_teams_agents_transfer(cast, actor, error):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(error):
        transfer_request(
            actor=getattr(cast, actor), request=request, service=cast.cleaning, expected_version=1
        )
    assert snapshot(request) == before
    assert RequestReference.objects.filter(request=request).count() == 1


def test_an_agent_of_the_receiving_team_cannot_pull_a_request_over(cast):
    request = submit(cast)
    before = snapshot(request)
    with pytest.raises(NotFound):
        transfer_request(
            actor=cast.fred, request=request, service=cast.cleaning, expected_version=1
        )
    assert snapshot(request) == before


def test_transfer_refusals_change_nothing(cast):
    request = submit(cast)
    with pytest.raises(InvalidInput):
        transfer_request(actor=cast.alex, request=request, service=cast.printer, expected_version=1)
    with pytest.raises(StaleVersion):
        transfer_request(
            actor=cast.alex, request=request, service=cast.cleaning, expected_version=7
        )
    cast.cleaning.is_active = False
    cast.cleaning.save()
    with pytest.raises(InvalidInput):
        transfer_request(
            actor=cast.alex, request=request, service=cast.cleaning, expected_version=1
        )
    closed = transition_request(actor=cast.alex, request=submit(cast), to="cancelled")
    with pytest.raises(Conflict):
        transfer_request(
            actor=cast.alex, request=closed, service=cast.software_access, expected_version=2
        )
    stored = fresh(request)
    assert (stored.reference, stored.version) == ("IT-1000", 1)
    assert not RequestEvent.objects.filter(kind="transferred").exists()


def test_a_stale_copy_does_not_let_the_old_team_keep_working_after_a_transfer(cast):
    ivys_copy = submit(cast)
    transfer_request(
        actor=cast.alex, request=fresh(ivys_copy), service=cast.cleaning, expected_version=1
    )
    before = snapshot(ivys_copy)
    with pytest.raises(NotFound):
        update_request(actor=cast.ivy, request=ivys_copy, expected_version=None, priority="urgent")
    assert snapshot(ivys_copy) == before


def test_replacing_blockers_keeps_the_ones_the_agent_cannot_see(cast):
    from inhouse.desk.models import Dependency
    from inhouse.desk.services import submit_request, update_request

    hidden = submit_request(
        actor=cast.rita, service=cast.mediation, subject="Private", form_answers={"summary": "x"}
    )
    request = submit_request(actor=cast.rita, service=cast.printer, subject="Printer")
    update_request(actor=cast.ada, request=request, expected_version=None, blocked_by=[hidden])
    visible = submit_request(actor=cast.rita, service=cast.printer, subject="Other")
    update_request(actor=cast.alex, request=request, expected_version=None, blocked_by=[visible])
    blockers = set(Dependency.objects.filter(blocked=request).values_list("blocker_id", flat=True))
    assert blockers == {hidden.pk, visible.pk}
