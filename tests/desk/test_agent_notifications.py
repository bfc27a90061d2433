"""Agents and leads hear of their queues: new requests, the requester's replies,
assignments and the clocks; each person chooses which kinds reach them, on the
settings page and through the API."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.conftest import client_for
from tests.desk.helpers import submit
from tests.desk.test_api import bearer, post_json
from tests.factories import make_person, make_service

from inhouse.core.errors import InvalidInput
from inhouse.desk.models import Notification, NotificationPreference
from inhouse.desk.notifications import text_of
from inhouse.desk.services import (
    add_comment,
    add_watcher,
    transfer_request,
    transition_request,
    update_request,
)
from inhouse.desk.services.notifications import (
    notify_at_risk,
    notify_breached,
    set_notification_preferences,
)
from inhouse.desk.services.workspace import bulk_assign
from inhouse.knowledge.services.ideas import propose_idea, set_idea_status
from inhouse.org.models import Membership, MembershipRole

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/notification-preferences"


def recipients(request, kind: str) -> set[int]:
    return set(
        Notification.objects.filter(request=request, kind=kind).values_list("recipient", flat=True)
    )


def switch(person, **kinds: bool) -> None:
    set_notification_preferences(actor=person, choices={"app": kinds})


def put_json(client: Client, body, **headers):
    return client.put(URL, data=json.dumps(body), content_type="application/json", headers=headers)


# --- who hears of what ------------------------------------------------------------------------


def test_a_new_request_reaches_the_teams_agents_and_leads_and_nobody_else(cast):
    request = submit(cast)
    assert recipients(request, "new_request") == {cast.alex.pk, cast.ivy.pk, cast.lena.pk}
    notice = Notification.objects.get(request=request, recipient=cast.lena)
    assert text_of(notice) == "New request IT-1000 from Rita Tester: Printer on floor 3 jams"
    # The requester, other teams' agents and the admin hear nothing of it.
    assert not Notification.objects.filter(
        recipient__in=[cast.rita, cast.hana, cast.fred, cast.ada]
    ).exists()


def test_an_agent_filing_for_a_colleague_is_not_told_of_their_own_request(cast):
    request = submit(cast, actor=cast.alex, requester=cast.rita)
    assert recipients(request, "new_request") == {cast.ivy.pk, cast.lena.pk}


def test_an_inactive_agent_hears_nothing(cast):
    cast.ivy.is_active = False
    cast.ivy.save(update_fields=["is_active"])
    request = submit(cast)
    assert recipients(request, "new_request") == {cast.alex.pk, cast.lena.pk}


def test_a_request_transferred_in_is_new_to_the_receiving_team_only(cast):
    request = submit(cast)
    Notification.objects.all().delete()

    transfer_request(actor=cast.alex, request=request, service=cast.cleaning, expected_version=1)

    assert recipients(request, "new_request") == {cast.fred.pk}


def test_a_transfer_within_the_team_announces_nothing_again(cast):
    other = make_service(cast.service_desk, "Monitors", slug="monitors")
    request = submit(cast)
    Notification.objects.all().delete()

    transfer_request(actor=cast.alex, request=request, service=other, expected_version=1)

    assert recipients(request, "new_request") == set()


def test_a_requester_reply_on_an_unassigned_request_reaches_the_whole_queue(cast):
    request = submit(cast)
    add_comment(actor=cast.rita, request=request, body="It jams again.")
    assert recipients(request, "requester_replied") == {cast.alex.pk, cast.ivy.pk, cast.lena.pk}
    notice = Notification.objects.get(request=request, recipient=cast.ivy, kind="requester_replied")
    assert text_of(notice) == "Rita Tester replied on IT-1000: Printer on floor 3 jams"
    assert not Notification.objects.filter(request=request, recipient=cast.rita).exists()


def test_a_requester_reply_on_an_assigned_request_reaches_only_the_assignee(cast):
    request = submit(cast)
    update_request(actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy)
    add_comment(actor=cast.rita, request=request, body="Any news?")
    assert recipients(request, "requester_replied") == {cast.ivy.pk}


def test_a_watchers_reply_counts_as_the_requesters_side(cast):
    request = submit(cast)
    add_watcher(actor=cast.rita, request=request, watcher=cast.carl)
    update_request(actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy)
    add_comment(actor=cast.carl, request=request, body="Same on floor 4.")
    assert recipients(request, "requester_replied") == {cast.ivy.pk}
    assert recipients(request, "reply") == {cast.rita.pk}


def test_an_agent_watching_hears_a_requester_reply_once_as_its_provider(cast):
    request = submit(cast)
    add_watcher(actor=cast.rita, request=request, watcher=cast.alex)
    add_comment(actor=cast.rita, request=request, body="Any news?")
    assert cast.alex.pk in recipients(request, "requester_replied")
    assert cast.alex.pk not in recipients(request, "reply")


def test_a_reply_with_a_reopening_is_the_requesters_reply(cast):
    request = submit(cast)
    update_request(actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy)
    request = transition_request(actor=cast.ivy, request=request, to="resolved")
    transition_request(
        actor=cast.rita, request=request, to="in_progress", comment="Still jams, sorry."
    )
    assert recipients(request, "requester_replied") == {cast.ivy.pk}


def test_an_agents_reply_is_no_requester_reply(cast):
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="On it.")
    add_comment(actor=cast.alex, request=request, body="Fuser ordered.", public=False)
    assert recipients(request, "requester_replied") == set()


def test_a_requester_reply_after_the_assignee_left_the_team_reaches_the_queue(cast):
    request = submit(cast)
    update_request(actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy)
    Membership.objects.filter(person=cast.ivy, team=cast.service_desk).delete()
    add_comment(actor=cast.rita, request=request, body="Any news?")
    assert recipients(request, "requester_replied") == {cast.alex.pk, cast.lena.pk}


def test_a_bulk_assignment_notifies_each_assignee(cast):
    first, second = submit(cast), submit(cast, subject="Toner empty")
    bulk_assign(actor=cast.lena, references=[first.reference, second.reference], assignee=cast.alex)
    assert recipients(first, "assigned") == {cast.alex.pk}
    assert recipients(second, "assigned") == {cast.alex.pk}


def test_close_to_breaching_and_breached_keep_their_audiences(cast):
    request = submit(cast)
    notify_at_risk(request, clock="resolution")
    assert recipients(request, "at_risk") == {cast.alex.pk, cast.ivy.pk, cast.lena.pk}
    request = update_request(
        actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy
    )
    notify_breached(request, clock="resolution")
    assert recipients(request, "breached") == {cast.ivy.pk, cast.lena.pk}


# --- confidential requests --------------------------------------------------------------------


def mediation(cast):
    return submit(
        cast, service=cast.mediation, subject="Conflict", form_answers={"summary": "Private"}
    )


def test_a_confidential_case_is_announced_only_to_its_teams_agents(cast):
    lead = make_person("pia", team=cast.people_partners, role=MembershipRole.LEAD)
    make_person("max", team=cast.people_partners, role=MembershipRole.MEMBER)
    case = mediation(cast)
    add_comment(actor=cast.rita, request=case, body="More detail.")
    assert recipients(case, "new_request") == {cast.hana.pk, lead.pk}
    assert recipients(case, "requester_replied") == {cast.hana.pk, lead.pk}
    # Nobody outside the case's circle has any notice at all, of it or hinting at it.
    outside = [cast.alex, cast.ivy, cast.lena, cast.fred, cast.otto, cast.carl, cast.ada]
    assert not Notification.objects.filter(recipient__in=outside).exists()


def test_an_agent_who_left_the_team_hears_nothing_more_of_a_confidential_case(cast):
    case = mediation(cast)
    update_request(actor=cast.hana, request=case, expected_version=1, assignee=cast.hana)
    Membership.objects.filter(person=cast.hana).delete()
    before = Notification.objects.filter(recipient=cast.hana).count()
    add_comment(actor=cast.rita, request=case, body="Any news?")
    notify_at_risk(case, clock="resolution")
    notify_breached(case, clock="resolution")
    assert Notification.objects.filter(recipient=cast.hana).count() == before


# --- choosing -------------------------------------------------------------------------------


def test_switching_a_kind_off_stops_it_and_on_again_brings_it_back(cast):
    switch(cast.alex, new_request=False)
    first = submit(cast)
    assert recipients(first, "new_request") == {cast.ivy.pk, cast.lena.pk}
    switch(cast.alex, new_request=True)
    second = submit(cast, subject="Toner empty")
    assert recipients(second, "new_request") == {cast.alex.pk, cast.ivy.pk, cast.lena.pk}


def test_switching_one_kind_off_leaves_the_others(cast):
    switch(cast.ivy, new_request=False)
    request = submit(cast)
    update_request(actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy)
    add_comment(actor=cast.rita, request=request, body="Any news?")
    assert recipients(request, "new_request") == {cast.alex.pk, cast.lena.pk}
    assert recipients(request, "assigned") == {cast.ivy.pk}
    assert recipients(request, "requester_replied") == {cast.ivy.pk}


def test_each_provider_kind_can_be_switched_off(cast):
    for person in (cast.alex, cast.ivy, cast.lena):
        switch(
            person,
            new_request=False,
            requester_replied=False,
            assigned=False,
            at_risk=False,
            breached=False,
        )
    request = submit(cast)
    add_comment(actor=cast.rita, request=request, body="Any news?")
    request = update_request(
        actor=cast.lena, request=request, expected_version=1, assignee=cast.ivy
    )
    notify_at_risk(request, clock="resolution")
    notify_breached(request, clock="resolution")
    assert not Notification.objects.filter(recipient__in=[cast.alex, cast.ivy, cast.lena]).exists()


def test_a_requester_can_switch_off_status_changes(cast):
    switch(cast.rita, status=False)
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="On it.")
    assert recipients(request, "status") == set()
    assert recipients(request, "reply") == {cast.rita.pk}


def test_choosing_again_updates_the_one_row(cast):
    switch(cast.alex, new_request=False)
    switch(cast.alex, new_request=True, assigned=False)
    assert set(
        NotificationPreference.objects.filter(person=cast.alex).values_list("kind", "enabled")
    ) == {("new_request", True), ("assigned", False)}


def test_a_requester_cannot_choose_queue_kinds_and_nothing_is_saved(cast):
    with pytest.raises(InvalidInput) as refused:
        switch(cast.rita, status=False, new_request=False, bogus=True)
    assert refused.value.fields == {
        "app.new_request": "Not a kind of notification you can receive.",
        "app.bogus": "No such kind of notification.",
    }
    assert not NotificationPreference.objects.exists()


def test_an_unknown_channel_is_refused(cast):
    with pytest.raises(InvalidInput) as refused:
        set_notification_preferences(actor=cast.alex, choices={"pigeon": {"new_request": True}})
    assert refused.value.fields == {"pigeon": "Choose one of: app."}


def test_fan_out_costs_the_same_for_a_big_team(cast):
    submit(cast)

    def queries_of_a_submit() -> int:
        with CaptureQueriesContext(connection) as captured:
            submit(cast, subject="Another")
        return len(captured)

    small = queries_of_a_submit()
    for number in range(12):
        person = make_person(f"agent{number}", team=cast.service_desk, role=MembershipRole.AGENT)
        if number % 2:
            switch(person, new_request=False)
    assert queries_of_a_submit() == small
    latest = Notification.objects.filter(kind="new_request").latest("id").request
    assert len(recipients(latest, "new_request")) == 3 + 6


# --- the settings page ---------------------------------------------------------------------


def test_the_inbox_links_to_the_settings_and_agents_to_the_workspace(cast):
    submit(cast)
    html = client_for(cast.alex).get("/notifications/").content.decode()
    assert 'href="/notifications/settings/"' in html
    assert 'href="/work/requests/IT-1000/"' in html


def test_a_requesters_notice_opens_the_portal(cast):
    request = submit(cast)
    add_comment(actor=cast.alex, request=request, body="On it.")
    html = client_for(cast.rita).get("/notifications/").content.decode()
    assert 'href="/requests/IT-1000/"' in html
    assert "/work/" not in html.split("<main", 1)[-1]


def test_a_notice_about_an_idea_opens_the_idea(cast):
    lead = make_person("lena3", team=cast.service_desk, role=MembershipRole.LEAD)
    idea = propose_idea(
        actor=cast.rita,
        title="Shared printer queue",
        body="One queue.",
        owning_team=cast.service_desk,
    )
    set_idea_status(actor=lead, idea=idea, status="planned", reason="Next quarter.")

    html = client_for(cast.rita).get("/notifications/").content.decode()

    assert f'href="/ideas/{idea.pk}/"' in html


def test_the_settings_page_offers_an_agent_every_kind_all_ticked_by_default(cast):
    html = client_for(cast.alex).get("/notifications/settings/").content.decode()
    kinds = (
        "reply",
        "waiting_on_you",
        "status",
        "follow_up",
        "rate_request",
        "new_request",
        "requester_replied",
        "assigned",
        "at_risk",
        "breached",
        "idea_status",
    )
    for kind in kinds:
        assert f'name="app" value="{kind}" id="notify-app-{kind}"' in html
    assert html.count(" checked>") == len(kinds)


def test_the_settings_page_offers_a_requester_only_their_kinds(cast):
    html = client_for(cast.rita).get("/notifications/settings/").content.decode()
    assert 'value="status"' in html
    assert 'value="new_request"' not in html
    assert "queues" not in html


def test_saving_the_settings_page_sets_ticked_on_and_unticked_off(cast):
    client = client_for(cast.alex)
    ticked = ["reply", "status", "assigned", "requester_replied", "at_risk", "breached"]
    response = client.post("/notifications/settings/", {"app": ticked})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/settings/"
    saved = dict(
        NotificationPreference.objects.filter(person=cast.alex).values_list("kind", "enabled")
    )
    unticked = {
        "waiting_on_you": False,
        "idea_status": False,
        "follow_up": False,
        "rate_request": False,
        "new_request": False,
    }
    assert saved == {kind: True for kind in ticked} | unticked
    html = client.get("/notifications/settings/").content.decode()
    assert "Your notification settings are saved." in html
    assert 'value="new_request" id="notify-app-new_request" ' in html
    assert html.count(" checked>") == 6
    assert recipients(submit(cast), "new_request") == {cast.ivy.pk, cast.lena.pk}


def test_a_forged_setting_is_refused_on_the_page_and_nothing_saved(cast):
    response = client_for(cast.rita).post("/notifications/settings/", {"app": ["new_request"]})
    assert response.status_code == 400
    assert "Your settings were not saved" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_settings_page_needs_sign_in_and_a_csrf_token(cast):
    assert Client().get("/notifications/settings/").status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.alex.user)
    assert strict.post("/notifications/settings/", {"app": []}).status_code == 403
    assert not NotificationPreference.objects.exists()


# --- the API --------------------------------------------------------------------------------


def test_the_api_lists_the_callers_kinds_with_their_defaults(cast):
    response = bearer(cast.alex).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["app"] == {
        "reply": True,
        "waiting_on_you": True,
        "status": True,
        "follow_up": True,
        "rate_request": True,
        "new_request": True,
        "requester_replied": True,
        "assigned": True,
        "at_risk": True,
        "breached": True,
        "idea_status": True,
    }
    new_request = next(kind for kind in body["kinds"] if kind["kind"] == "new_request")
    assert new_request == {
        "kind": "new_request",
        "label": "New request in your team's queue",
        "description": "A new request arrives in the queue of a team you work in.",
        "for_providers": True,
        "defaults": {"app": True},
    }
    assert set(bearer(cast.rita).get(URL).json()["app"]) == {
        "reply",
        "waiting_on_you",
        "status",
        "idea_status",
        "follow_up",
        "rate_request",
    }


def test_the_api_round_trips_a_choice(cast):
    alex = bearer(cast.alex)
    response = put_json(alex, {"app": {"new_request": False, "at_risk": False}})
    assert response.status_code == 200, response.content
    assert response.json()["app"]["new_request"] is False
    chosen = alex.get(URL).json()["app"]
    assert {kind for kind, enabled in chosen.items() if not enabled} == {"new_request", "at_risk"}
    # Kinds left out keep their setting.
    put_json(alex, {"app": {"new_request": True}})
    chosen = alex.get(URL).json()["app"]
    assert {kind for kind, enabled in chosen.items() if not enabled} == {"at_risk"}
    assert recipients(submit(cast), "new_request") == {cast.alex.pk, cast.ivy.pk, cast.lena.pk}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"app": {"bogus": False}}, "app.bogus"),
        ({"app": {"new_request": "no"}}, "app.new_request"),
        ({"app": {"new_request": 0}}, "app.new_request"),
        ({"app": []}, "app"),
        ({"email": {"reply": False}}, "email"),
        ({"kinds": []}, "kinds"),
        ({"app": {f"kind{number}": True for number in range(51)}}, "app"),
    ],
)
def test_bad_api_choices_are_a_400_naming_the_field_and_change_nothing(cast, body, field):
    response = put_json(bearer(cast.alex), body)
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not NotificationPreference.objects.exists()


def test_a_requester_choosing_a_queue_kind_over_the_api_is_a_400(cast):
    response = put_json(bearer(cast.rita), {"app": {"new_request": False}})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "app.new_request": "Not a kind of notification you can receive."
    }


def test_the_api_refuses_strangers_other_media_and_unknown_parameters(cast):
    assert Client().get(URL).status_code == 401
    assert Client().put(URL, data="{}", content_type="application/json").status_code == 401
    alex = bearer(cast.alex)
    plain = alex.put(URL, data='{"app": {}}', content_type="text/plain")
    assert plain.status_code == 415
    assert alex.get(f"{URL}?kind=reply").status_code == 400
    assert post_json(alex, URL, {"app": {}}).status_code == 405
