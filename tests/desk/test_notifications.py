"""In-app notices: who hears of replies, assignments and waiting, and reading them."""

import pytest
from tests.desk.helpers import submit

from inhouse.desk.models import Notification
from inhouse.desk.notifications import text_of
from inhouse.desk.services import add_comment, add_watcher, transition_request, update_request
from inhouse.desk.services.notifications import mark_read

pytestmark = pytest.mark.django_db


def notices(request, kind: str | None = None) -> set[tuple[int, str]]:
    found = Notification.objects.filter(request=request)
    if kind:
        found = found.filter(kind=kind)
    return set(found.values_list("recipient", "kind"))


def test_an_agent_reply_notifies_requester_and_watchers_but_not_the_actor(cast):
    request = submit(cast)
    add_watcher(actor=cast.rita, request=request, watcher=cast.carl)
    add_watcher(actor=cast.rita, request=request, watcher=cast.alex)
    add_comment(actor=cast.alex, request=request, body="On it.")
    assert notices(request, "reply") == {(cast.rita.pk, "reply"), (cast.carl.pk, "reply")}
    # The first reply also moved it into progress, which the requester's side hears of.
    assert notices(request, "status") == {(cast.rita.pk, "status"), (cast.carl.pk, "status")}
    message = text_of(Notification.objects.get(recipient=cast.rita, kind="reply"))
    assert message == "Alex Tester replied on IT-1000: Printer on floor 3 jams"


def test_a_requester_reply_notifies_the_watchers_and_the_assignee_as_the_requesters_reply(cast):
    request = submit(cast)
    add_watcher(actor=cast.rita, request=request, watcher=cast.carl)
    update_request(actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy)
    add_comment(actor=cast.rita, request=request, body="Any news?")
    assert notices(request, "reply") == {(cast.carl.pk, "reply")}
    assert notices(request, "requester_replied") == {(cast.ivy.pk, "requester_replied")}


def test_an_internal_note_notifies_only_the_assignee(cast):
    request = submit(cast)
    add_watcher(actor=cast.rita, request=request, watcher=cast.carl)
    update_request(actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy)
    add_comment(actor=cast.alex, request=request, body="Check the fuser.", public=False)
    assert notices(request, "reply") == {(cast.ivy.pk, "reply")}


def test_assignment_notifies_the_assignee_unless_they_took_it_themselves(cast):
    request = submit(cast)
    request = update_request(
        actor=cast.lena, request=request, expected_version=1, assignee=cast.alex
    )
    assert notices(request, "assigned") == {(cast.alex.pk, "assigned")}
    assert text_of(Notification.objects.get(recipient=cast.alex, kind="assigned")) == (
        "IT-1000 was assigned to you: Printer on floor 3 jams"
    )
    update_request(actor=cast.ivy, request=request, expected_version=2, assignee=cast.ivy)
    assert notices(request, "assigned") == {(cast.alex.pk, "assigned")}


def test_waiting_on_customer_tells_the_requester_it_waits_on_them(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
    assert notices(request, "waiting_on_you") == {(cast.rita.pk, "waiting_on_you")}
    assert notices(request, "status") == set()
    assert text_of(Notification.objects.get(recipient=cast.rita)) == (
        "IT-1000 is waiting on you: Printer on floor 3 jams"
    )


def test_the_requester_hears_of_other_status_changes_but_not_their_own(cast):
    request = submit(cast)
    transition_request(actor=cast.alex, request=request, to="in_progress")
    request = transition_request(actor=cast.alex, request=request, to="resolved")
    # A resolution reaches the requester as the invitation to rate it (feedback).
    assert notices(request, "rate_request") == {(cast.rita.pk, "rate_request")}
    transition_request(actor=cast.rita, request=request, to="closed")
    assert Notification.objects.filter(request=request, recipient=cast.rita).count() == 2
    assert notices(request, "status") == {(cast.rita.pk, "status")}
    assert text_of(Notification.objects.get(recipient=cast.rita, kind="status")) == (
        "IT-1000 is now in progress: Printer on floor 3 jams"
    )


def test_mark_read_touches_only_the_recipients_own_notices(cast):
    request = submit(cast)
    add_watcher(actor=cast.rita, request=request, watcher=cast.carl)
    transition_request(actor=cast.alex, request=request, to="waiting_on_customer")
    ritas = Notification.objects.get(recipient=cast.rita)
    carls = Notification.objects.get(recipient=cast.carl)

    assert mark_read(recipient=cast.rita, notification_ids=[carls.pk, ritas.pk]) == 1
    assert Notification.objects.get(pk=ritas.pk).read_at is not None
    assert Notification.objects.get(pk=carls.pk).read_at is None
    assert mark_read(recipient=cast.rita) == 0
    assert mark_read(recipient=cast.carl) == 1
    assert not Notification.objects.filter(
        recipient__in=[cast.rita, cast.carl], read_at__isnull=True
    ).exists()
    # The agents' notices of the new request were not touched.
    assert Notification.objects.filter(recipient=cast.alex, read_at__isnull=True).count() == 1


def test_notices_of_a_confidential_case_go_only_to_its_circle(cast):
    case = submit(
        cast, service=cast.mediation, subject="Conflict", form_answers={"summary": "Private"}
    )
    add_comment(actor=cast.hana, request=case, body="Let us talk.")
    transition_request(actor=cast.hana, request=case, to="waiting_on_customer")
    # Hana is the only agent of People Partners: the new case reached her and nobody else.
    assert notices(case) == {
        (cast.hana.pk, "new_request"),
        (cast.rita.pk, "reply"),
        (cast.rita.pk, "status"),
        (cast.rita.pk, "waiting_on_you"),
    }
