"""Kudos: who may thank whom for what, the daily cap, where they show, the weekly digest
to managers, and the API."""

from datetime import date, timedelta

import pytest
from django.test import Client

from inhouse import policy
from inhouse.core.errors import InvalidInput, NotFound
from inhouse.desk.models import Notification, NotificationKind, Status
from inhouse.desk.services import transition_request
from inhouse.feedback.models import Kudos, KudosDigest, TeamKudosSetting
from inhouse.feedback.selectors.kudos import kudos_panel_for_team, page_of_kudos, team_wall
from inhouse.feedback.services.kudos import (
    KudosCapReached,
    grant_kudos,
    send_weekly_kudos_digests,
    set_kudos_sharing,
    set_team_kudos_sharing,
    week_starting,
)
from inhouse.org.models import MembershipRole
from tests.conftest import client_for
from tests.desk.helpers import frozen_time, submit
from tests.factories import make_person

pytestmark = pytest.mark.django_db

MEDIATION_ANSWERS = {"summary": "A private matter"}


def _resolved(cast, **options):
    request = submit(cast, **options)
    service_agent = cast.hana if options.get("service") == cast.mediation else cast.alex
    return transition_request(actor=service_agent, request=request, to=Status.RESOLVED)


# --- who may thank whom ------------------------------------------------------------------


def test_a_person_thanks_a_colleague_and_it_shows_on_their_page(cast):
    kudos = grant_kudos(actor=cast.rita, to_person=cast.alex, message="  You **saved** my day  ")

    assert (kudos.sender, kudos.recipient_person, kudos.message) == (
        cast.rita,
        cast.alex,
        "You **saved** my day",
    )
    html = client_for(cast.otto).get(f"/org/people/{cast.alex.pk}/").content.decode()
    assert "You <strong>saved</strong> my day" in html
    assert "Rita Tester" in html


def test_nobody_sends_kudos_to_themselves(cast):
    with pytest.raises(InvalidInput) as refused:
        grant_kudos(actor=cast.rita, to_person=cast.rita, message="Well done me")

    assert set(refused.value.fields) == {"recipient"}
    assert not Kudos.objects.exists()


def test_kudos_go_to_one_person_or_one_team_never_both(cast):
    with pytest.raises(InvalidInput):
        grant_kudos(actor=cast.rita, to_person=cast.alex, to_team=cast.service_desk, message="Hi")
    with pytest.raises(InvalidInput):
        grant_kudos(actor=cast.rita, message="Hi")
    assert not Kudos.objects.exists()


@pytest.mark.parametrize("message", ["", "   ", "x" * 501])
def test_a_kudos_message_is_a_few_words(cast, message):
    with pytest.raises(InvalidInput) as refused:
        grant_kudos(actor=cast.rita, to_team=cast.service_desk, message=message)

    assert set(refused.value.fields) == {"message"}
    assert not Kudos.objects.exists()


def test_script_in_a_kudos_message_is_inert(cast):
    grant_kudos(
        actor=cast.rita,
        to_person=cast.alex,
        message="<script>alert(1)</script> [x](javascript:alert(1))",
    )

    html = client_for(cast.carl).get(f"/org/people/{cast.alex.pk}/").content.decode()
    assert "<script>alert(1)" not in html
    assert "javascript:" not in html


# --- kudos for a request -------------------------------------------------------------------


def test_a_requester_thanks_the_team_for_a_request_it_served(cast):
    request = _resolved(cast)

    kudos = grant_kudos(
        actor=cast.rita,
        to_team=cast.service_desk,
        message="Printer works again",
        request_reference=request.reference,
    )

    assert kudos.request == request
    [item] = page_of_kudos(
        policy.viewer_for(cast.rita), team_wall(cast.service_desk), cursor=None, limit=10
    )[0]
    assert item.request_reference == request.reference


def test_a_request_is_named_only_to_readers_who_may_see_it(cast):
    case = _resolved(cast, service=cast.mediation, form_answers=MEDIATION_ANSWERS)
    grant_kudos(
        actor=cast.rita,
        to_person=cast.hana,
        message="Thank you for listening",
        request_reference=case.reference,
    )

    for reader in (cast.carl, cast.otto, cast.alex):
        html = client_for(reader).get(f"/org/people/{cast.hana.pk}/").content.decode()
        assert "Thank you for listening" in html
        assert case.reference not in html
        body = client_for(reader).get(f"/api/v1/kudos?person={cast.hana.pk}").json()
        assert body["items"][0]["request"] is None
    own = client_for(cast.rita).get(f"/org/people/{cast.hana.pk}/").content.decode()
    assert case.reference in own


def test_only_a_request_one_asked_for_or_watches_can_be_named_and_a_refusal_leaks_nothing(cast):
    colleagues = _resolved(cast)  # rita's; carl sees it as a member of her team
    hidden = _resolved(cast, service=cast.mediation, form_answers=MEDIATION_ANSWERS)

    refusals = []
    for reference in (colleagues.reference, hidden.reference, "IT-999999"):
        with pytest.raises(InvalidInput) as refused:
            grant_kudos(
                actor=cast.carl,
                to_team=colleagues.provider_team,
                message="Thanks",
                request_reference=reference,
            )
        refusals.append((refused.value.message, refused.value.fields))

    assert len(set(map(str, refusals))) == 1
    assert not Kudos.objects.exists()


def test_kudos_for_a_request_go_to_someone_who_served_it(cast):
    request = _resolved(cast)

    with pytest.raises(InvalidInput) as refused:
        grant_kudos(
            actor=cast.rita,
            to_person=cast.fred,
            message="Thanks",
            request_reference=request.reference,
        )

    assert set(refused.value.fields) == {"request"}
    assert not Kudos.objects.exists()


# --- the daily cap ---------------------------------------------------------------------------


def test_the_daily_cap_stops_a_sender_until_a_day_has_passed(cast, settings):
    settings.KUDOS_DAILY_CAP = 2
    with frozen_time() as clock:
        grant_kudos(actor=cast.rita, to_person=cast.alex, message="One")
        clock.advance(hours=1)
        grant_kudos(actor=cast.rita, to_person=cast.ivy, message="Two")

        with pytest.raises(KudosCapReached) as refused:
            grant_kudos(actor=cast.rita, to_person=cast.lena, message="Three")
        assert "2 kudos in the last 24 hours" in refused.value.message
        assert refused.value.status == 429
        assert Kudos.objects.count() == 2

        grant_kudos(actor=cast.carl, to_person=cast.lena, message="Someone else may")
        clock.advance(hours=23, minutes=1)
        grant_kudos(actor=cast.rita, to_person=cast.lena, message="Three, a day later")

    assert Kudos.objects.filter(sender=cast.rita).count() == 3


# --- the weekly digest ----------------------------------------------------------------------


def _week(cast):
    monday = week_starting(date(2026, 3, 4))
    assert monday == date(2026, 3, 2)
    return monday


def test_a_manager_hears_weekly_of_kudos_to_a_report_who_shares_them_once(cast):
    cast.alex.manager = cast.lena
    cast.alex.save(update_fields=["manager"])
    cast.ivy.manager = cast.lena
    cast.ivy.save(update_fields=["manager"])
    set_kudos_sharing(actor=cast.alex, share_with_manager=True)
    with frozen_time() as clock:
        grant_kudos(actor=cast.rita, to_person=cast.alex, message="Fast fix")
        grant_kudos(actor=cast.carl, to_person=cast.alex, message="Patient")
        grant_kudos(actor=cast.rita, to_person=cast.ivy, message="Not shared by ivy")
        clock.advance(days=7)
        grant_kudos(actor=cast.otto, to_person=cast.alex, message="Next week")

    assert send_weekly_kudos_digests(week_start=_week(cast)) == 1
    assert send_weekly_kudos_digests(week_start=_week(cast)) == 0

    [digest] = Notification.objects.filter(kind=NotificationKind.KUDOS_DIGEST)
    assert digest.recipient == cast.lena
    assert digest.params["count"] == 2
    assert digest.params["names"] == "Alex Tester"
    assert KudosDigest.objects.get().kudos_count == 2


def test_no_digest_when_the_report_keeps_their_kudos_to_themselves(cast):
    cast.alex.manager = cast.lena
    cast.alex.save(update_fields=["manager"])
    set_kudos_sharing(actor=cast.alex, share_with_manager=True)
    set_kudos_sharing(actor=cast.alex, share_with_manager=False)
    with frozen_time():
        grant_kudos(actor=cast.rita, to_person=cast.alex, message="Fast fix")

    assert send_weekly_kudos_digests(week_start=_week(cast)) == 0
    assert not Notification.objects.filter(kind=NotificationKind.KUDOS_DIGEST).exists()


# --- pages -----------------------------------------------------------------------------------


def test_a_teams_leads_see_kudos_counted_per_period_and_others_do_not(cast):
    with frozen_time() as clock:
        grant_kudos(actor=cast.rita, to_team=cast.service_desk, message="Old thanks")
        clock.advance(days=20)
        grant_kudos(actor=cast.carl, to_person=cast.alex, message="Recent thanks")

        counts = kudos_panel_for_team(policy.viewer_for(cast.lena), cast.service_desk).lead_counts
        assert [(c.days, c.count) for c in counts] == [(7, 1), (30, 2), (365, 2)]
        assert (
            kudos_panel_for_team(policy.viewer_for(cast.alex), cast.service_desk).lead_counts == []
        )


def test_the_give_form_works_without_javascript(cast):
    client = client_for(cast.rita)
    form = client.get(f"/kudos/give/?person={cast.alex.pk}")
    assert form.status_code == 200

    response = client.post(
        "/kudos/give/", {"recipient": f"person:{cast.alex.pk}", "message": "Great help"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/org/people/{cast.alex.pk}/"
    assert Kudos.objects.get().message == "Great help"


def test_the_panel_form_answers_htmx_with_the_panel_errors_included(cast):
    client = client_for(cast.rita)
    headers = {"HX-Request": "true"}

    sent = client.post(
        "/kudos/give/",
        {"recipient": f"team:{cast.service_desk.slug}", "message": "Ta"},
        headers=headers,
    )
    refused = client.post(
        "/kudos/give/", {"recipient": f"person:{cast.rita.pk}", "message": "Me"}, headers=headers
    )

    assert 'id="kudos-panel"' in sent.content.decode()
    assert "Your kudos are on their way." in sent.content.decode()
    assert refused.status_code == 200
    assert "you cannot send them to yourself" in refused.content.decode()
    assert Kudos.objects.count() == 1


def test_a_resolved_requests_page_offers_its_requester_to_say_thanks(cast):
    request = _resolved(cast)
    page = client_for(cast.rita).get(f"/requests/{request.reference}/").content.decode()
    assert f"/kudos/give/?request={request.reference}" in page

    form = client_for(cast.rita).get(f"/kudos/give/?request={request.reference}").content.decode()
    assert f'value="team:{cast.service_desk.slug}" checked' in form
    # alex resolved it without replying or being assigned: only the team is offered.
    assert f'value="person:{cast.alex.pk}"' not in form


def test_the_give_form_for_someone_elses_request_is_not_found(cast):
    request = _resolved(cast, service=cast.mediation, form_answers=MEDIATION_ANSWERS)
    response = client_for(cast.carl).get(f"/kudos/give/?request={request.reference}")
    assert response.status_code == 404


def test_the_team_wall_shows_kudos_to_the_team_and_its_people(cast):
    grant_kudos(actor=cast.rita, to_team=cast.service_desk, message="Team thanks")
    grant_kudos(actor=cast.rita, to_person=cast.ivy, message="Ivy thanks")
    grant_kudos(actor=cast.rita, to_person=cast.fred, message="Fred thanks")

    html = client_for(cast.otto).get(f"/kudos/teams/{cast.service_desk.slug}/").content.decode()

    assert "Team thanks" in html and "Ivy thanks" in html
    assert "Fred thanks" not in html


def test_sharing_with_ones_manager_is_chosen_on_ones_own_page(cast):
    client = client_for(cast.alex)
    own = client.get(f"/org/people/{cast.alex.pk}/").content.decode()
    assert "Tell my manager" in own
    assert "Tell my manager" not in client.get(f"/org/people/{cast.ivy.pk}/").content.decode()

    response = client.post("/kudos/sharing/", {"share_with_manager": "on"})

    assert response.status_code == 302
    assert client.get("/api/v1/kudos/settings").json() == {"share_with_manager": True}


# --- API ---------------------------------------------------------------------------------------


def test_api_sends_and_lists_kudos(cast):
    client = client_for(cast.rita)
    request = _resolved(cast)

    created = client.post(
        "/api/v1/kudos",
        {"to_person": cast.alex.pk, "message": "Quick *and* kind", "request": request.reference},
        content_type="application/json",
    )

    assert created.status_code == 201
    body = created.json()
    assert body["to_person"] == cast.alex.pk
    assert body["request"] == request.reference
    assert body["message_html"] == "<p>Quick <em>and</em> kind</p>"
    listed = client_for(cast.otto).get(f"/api/v1/kudos?person={cast.alex.pk}").json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert listed["items"][0]["request"] is None
    wall = client_for(cast.otto).get(f"/api/v1/kudos/teams/{cast.service_desk.slug}").json()
    assert [item["id"] for item in wall["items"]] == [body["id"]]


def test_api_refuses_self_kudos_unknown_fields_and_the_cap(cast, settings):
    settings.KUDOS_DAILY_CAP = 1
    client = client_for(cast.rita)

    def send(body):
        return client.post("/api/v1/kudos", body, content_type="application/json")

    assert send({"to_person": cast.rita.pk, "message": "Me"}).status_code == 400
    assert send({"to_team": "it-service-desk", "message": "x", "sender": 1}).status_code == 400
    assert send({"to_team": "no-such-team", "message": "x"}).status_code == 404
    assert send({"to_team": cast.service_desk.slug, "message": "Thanks"}).status_code == 201
    capped = send({"to_team": cast.service_desk.slug, "message": "Again"})
    assert capped.status_code == 429
    assert capped.json()["error"]["code"] == "kudos_cap_reached"
    assert Kudos.objects.count() == 1


def test_api_lists_page_by_cursor_and_needs_a_person_or_a_team(cast):
    other = make_person("mia", team=cast.marketing, role=MembershipRole.MEMBER)
    for number in range(3):
        grant_kudos(actor=other, to_team=cast.facilities, message=f"Thanks {number}")
    client = client_for(cast.rita)

    first = client.get(f"/api/v1/kudos?team={cast.facilities.slug}&limit=2").json()
    second = client.get(
        f"/api/v1/kudos?team={cast.facilities.slug}&limit=2&cursor={first['next_cursor']}"
    ).json()

    assert [i["message"] for i in first["items"]] == ["Thanks 2", "Thanks 1"]
    assert [i["message"] for i in second["items"]] == ["Thanks 0"]
    assert second["next_cursor"] is None
    assert client.get("/api/v1/kudos").status_code == 400
    assert client.get("/api/v1/kudos?team=x&colour=red").status_code == 400
    assert Client().get("/api/v1/kudos?team=x").status_code == 401


def test_the_digest_task_writes_last_weeks_digest_once(cast):
    from inhouse.feedback.tasks_kudos import send_kudos_digests

    cast.alex.manager = cast.lena
    cast.alex.save(update_fields=["manager"])
    set_kudos_sharing(actor=cast.alex, share_with_manager=True)
    with frozen_time() as clock:
        grant_kudos(actor=cast.rita, to_person=cast.alex, message="Thanks")
        clock.advance(days=7)
        assert send_kudos_digests.call() == 1
        assert send_kudos_digests.call() == 0


# --- the demo ---------------------------------------------------------------------------------


def test_the_demo_has_a_year_of_kudos_one_team_loved_and_sessions_with_sign_ups(db):
    from datetime import UTC, datetime

    from django.db.models import Count, F

    from inhouse.demo.feedback_story import LOVED_PROVIDER, STRUGGLING_PROVIDER
    from inhouse.demo.generator import generate_demo
    from inhouse.feedback.models import TrainingSession, TrainingSignup
    from inhouse.org.models import Team

    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    generate_demo(seed=7, request_count=1500, now=now)

    assert Kudos.objects.count() > 150
    assert Kudos.objects.filter(created_at__lt=now - timedelta(days=300)).exists()
    assert not Kudos.objects.filter(recipient_person=F("sender")).exists()

    def per_member(slug: str) -> float:
        team = Team.objects.get(slug=slug)
        wall = team_wall(team).count()
        return wall / max(team.memberships.count(), 1)

    assert per_member(LOVED_PROVIDER) > 4 * per_member(STRUGGLING_PROVIDER)
    sessions = TrainingSession.objects.annotate(signed=Count("signups"))
    assert sessions.filter(starts_at__gt=now).exists()
    assert all(session.signed == session.seats_taken <= session.capacity for session in sessions)
    assert TrainingSignup.objects.filter(rating__isnull=False, session__ends_at__lt=now).exists()
    assert not TrainingSignup.objects.filter(
        rating__isnull=False, session__ends_at__gt=now
    ).exists()


# --- kudos to a team reach the team's manager -------------------------------------------------


def _it_lead(cast):
    return make_person("dora", team=cast.it, role=MembershipRole.LEAD)


def test_kudos_to_a_team_reach_the_lead_of_the_team_above_it_once_when_the_team_shares(cast):
    dora = _it_lead(cast)
    set_team_kudos_sharing(actor=cast.lena, team=cast.service_desk, share_with_manager=True)
    with frozen_time():
        grant_kudos(actor=cast.rita, to_team=cast.service_desk, message="Quick printer fix")
        grant_kudos(actor=cast.carl, to_team=cast.service_desk, message="Patient")

    assert send_weekly_kudos_digests(week_start=_week(cast)) == 1
    assert send_weekly_kudos_digests(week_start=_week(cast)) == 0

    [digest] = Notification.objects.filter(kind=NotificationKind.KUDOS_DIGEST)
    assert digest.recipient == dora
    assert (digest.params["count"], digest.params["names"]) == (2, "IT Service Desk")


def test_no_team_digest_unless_the_teams_leads_share(cast):
    _it_lead(cast)
    set_team_kudos_sharing(actor=cast.lena, team=cast.service_desk, share_with_manager=True)
    set_team_kudos_sharing(actor=cast.lena, team=cast.service_desk, share_with_manager=False)
    with frozen_time():
        grant_kudos(actor=cast.rita, to_team=cast.service_desk, message="Thanks")

    assert send_weekly_kudos_digests(week_start=_week(cast)) == 0
    assert not KudosDigest.objects.exists()


def test_a_team_with_nobody_leading_above_it_has_its_own_leads_hear(cast):
    # IT, above the service desk, has no lead; Facilities has no team above it.
    fay = make_person("fay", team=cast.facilities, role=MembershipRole.LEAD)
    set_team_kudos_sharing(actor=cast.lena, team=cast.service_desk, share_with_manager=True)
    set_team_kudos_sharing(actor=fay, team=cast.facilities, share_with_manager=True)
    with frozen_time():
        grant_kudos(actor=cast.rita, to_team=cast.service_desk, message="Thanks")
        grant_kudos(actor=cast.rita, to_team=cast.facilities, message="Spotless")

    assert send_weekly_kudos_digests(week_start=_week(cast)) == 2
    heard = {
        n.recipient: n.params["names"]
        for n in Notification.objects.filter(kind=NotificationKind.KUDOS_DIGEST)
    }
    assert heard == {cast.lena: "IT Service Desk", fay: "Facilities"}


def test_a_manager_gets_one_digest_for_reports_and_teams(cast):
    dora = _it_lead(cast)
    cast.alex.manager = dora
    cast.alex.save(update_fields=["manager"])
    set_kudos_sharing(actor=cast.alex, share_with_manager=True)
    set_team_kudos_sharing(actor=cast.lena, team=cast.service_desk, share_with_manager=True)
    with frozen_time():
        grant_kudos(actor=cast.rita, to_person=cast.alex, message="Fast fix")
        grant_kudos(actor=cast.rita, to_team=cast.service_desk, message="Great team")

    assert send_weekly_kudos_digests(week_start=_week(cast)) == 1
    [digest] = Notification.objects.filter(kind=NotificationKind.KUDOS_DIGEST)
    assert digest.recipient == dora
    assert (digest.params["count"], digest.params["names"]) == (2, "Alex Tester, IT Service Desk")
    assert KudosDigest.objects.get().kudos_count == 2


def test_only_the_teams_leads_choose_whether_its_manager_hears(cast):
    with pytest.raises(NotFound):
        set_team_kudos_sharing(actor=cast.alex, team=cast.service_desk, share_with_manager=True)
    assert not TeamKudosSetting.objects.exists()

    page = client_for(cast.lena).get(f"/org/teams/{cast.service_desk.slug}/").content.decode()
    assert "Tell the team's manager about kudos to the team" in page
    page = client_for(cast.alex).get(f"/org/teams/{cast.service_desk.slug}/").content.decode()
    assert "Tell the team's manager" not in page

    url = f"/kudos/teams/{cast.service_desk.slug}/sharing/"
    assert client_for(cast.alex).post(url, {"share_with_manager": "on"}).status_code == 404
    assert not TeamKudosSetting.objects.exists()
    response = client_for(cast.lena).post(url, {"share_with_manager": "on"})
    assert response.status_code == 302
    assert TeamKudosSetting.objects.get(team=cast.service_desk).share_with_manager is True


def test_api_team_kudos_settings_for_the_teams_leads_only(cast):
    from tests.feedback.test_ratings import bearer, put_json

    url = f"/api/v1/kudos/teams/{cast.service_desk.slug}/settings"
    assert bearer(cast.lena).get(url).json() == {"share_with_manager": False}
    response = put_json(bearer(cast.lena), url, {"share_with_manager": True})
    assert response.status_code == 200
    assert response.json() == {"share_with_manager": True}
    assert bearer(cast.alex).get(url).status_code == 404
    assert put_json(bearer(cast.alex), url, {"share_with_manager": False}).status_code == 404
    assert TeamKudosSetting.objects.get(team=cast.service_desk).share_with_manager is True
    assert put_json(bearer(cast.lena), url, {"share": True}).status_code == 400
